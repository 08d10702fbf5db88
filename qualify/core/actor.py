"""The Actor: everything a service needs to know about who is acting, resolved once per request.

Services take ``actor`` rather than a request or a user so that views, the API, commands and tasks all call them
the same way, and so that a command can act as a named system actor.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from qualify.core.roles import (
    ALL_SEEING_ROLES,
    ASSESSOR_ROLES,
    HUMAN_STAFF_ROLES,
    MACHINE_ROLES,
    MembershipRole,
    StaffRole,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    display_name: str
    staff_role: str = StaffRole.NONE
    # organisation pk -> MembershipRole value
    memberships: dict[int, str] = field(default_factory=dict)
    request_id: str = ""
    is_authenticated: bool = True

    @property
    def is_staff_member(self) -> bool:
        """A person of the Programme or a Code Body; never a machine client."""
        return self.staff_role in HUMAN_STAFF_ROLES

    @property
    def sees_everything(self) -> bool:
        """Sees every participant's rows (``VisibleQuerySet``): the human staff, never a machine client."""
        return self.staff_role in ALL_SEEING_ROLES

    @property
    def is_machine(self) -> bool:
        """A machine client (a market system's token): the register, gating and the public library, nothing else.

        A participant's own test tool is not one: its account is a contributor of its organisation and is scoped as
        one (``User.is_machine`` only keeps such accounts off the sign-in pages).
        """
        return self.staff_role in MACHINE_ROLES

    @property
    def reads_whole_register(self) -> bool:
        """Reads every participation's register status (the register is published to the market: DOMAIN.md §11)."""
        return self.sees_everything or self.is_machine

    @property
    def is_assessor(self) -> bool:
        return self.staff_role in ASSESSOR_ROLES

    @property
    def is_programme_admin(self) -> bool:
        return self.staff_role == StaffRole.PROGRAMME_ADMIN

    @property
    def organisation_ids(self) -> frozenset[int]:
        return frozenset(self.memberships)

    def role_in(self, organisation_id: int) -> str | None:
        return self.memberships.get(organisation_id)

    def is_lead_of(self, organisation_id: int) -> bool:
        return self.memberships.get(organisation_id) == MembershipRole.LEAD

    def can_edit_for(self, organisation_id: int) -> bool:
        return self.memberships.get(organisation_id) in (MembershipRole.LEAD, MembershipRole.CONTRIBUTOR)


ANONYMOUS = Actor(user_id=None, display_name="anonymous", is_authenticated=False)


def system_actor(name: str = "system") -> Actor:
    """An actor for commands and background work that act on the Programme's behalf."""
    return Actor(
        user_id=None,
        display_name=name,
        staff_role=StaffRole.PROGRAMME_ADMIN,
        request_id=f"cmd-{uuid.uuid4().hex[:12]}",
    )


def actor_for_user(user: Any | AnonymousUser, *, request_id: str = "") -> Actor:
    """Build the Actor for a user (one query for the memberships)."""
    if user is None or not user.is_authenticated:
        return ANONYMOUS
    user = cast(Any, user)  # an authenticated user is always our User model
    # Staff cannot be members of a participant (participants.services.membership_add refuses), so only
    # participant people cost the memberships query.
    memberships = {} if user.staff_role else {m.organisation_id: m.role for m in user.memberships.all()}
    return Actor(
        user_id=user.pk,
        display_name=user.display_name,
        staff_role=user.staff_role,
        memberships=memberships,
        request_id=request_id,
    )
