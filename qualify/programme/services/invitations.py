"""Inviting people into a participant organisation by a one-time e-mailed link, and accepting the invitation.

An administrator invites a participant's first lead; a lead invites contributors and viewers (issue 13). The link
carries a random secret of which only the SHA-256 digest is stored; it expires after ``QUALIFY_INVITATION_DAYS``
(default 7) and works once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse

from qualify.accounts.models import User
from qualify.audit.services import audit_record
from qualify.core import clock
from qualify.core.actor import Actor, actor_for_user, system_actor
from qualify.core.errors import NotFound, ValidationFailed
from qualify.core.roles import MembershipRole
from qualify.notifications.services import absolute_link, email_direct
from qualify.participants.models import Membership, Organisation
from qualify.participants.services import membership_add
from qualify.programme.models import Invitation
from qualify.programme.permissions import can_invite
from qualify.programme.text import bounded

SECRET_PREFIX = "inv_"  # noqa: S105  (a public marker, not a secret)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def invitation_days() -> int:
    return int(settings.QUALIFY_INVITATION_DAYS)


@dataclass(frozen=True)
class IssuedInvitation:
    invitation: Invitation
    link: str  # the whole address, as e-mailed; never stored


@transaction.atomic
def invitation_send(
    *, actor: Actor, organisation: Organisation, email: str, full_name: str, role: str
) -> IssuedInvitation:
    """Invite a person to ``organisation`` with ``role`` and e-mail them the one-time link (after commit)."""
    if role not in MembershipRole.values:
        raise ValidationFailed(f"Unknown membership role {role!r}.", details={"role": "unknown"})
    can_invite(actor, organisation.pk, role).enforce()
    email = bounded(email, 254).lower()
    full_name = bounded(full_name, 200)
    try:
        validate_email(email)
    except DjangoValidationError as exc:
        raise ValidationFailed(f"{email!r} is not an e-mail address.", details={"email": "invalid"}) from exc
    if not full_name:
        raise ValidationFailed("Give the person's name.", details={"full_name": "required"})
    existing = User.objects.filter(email=email).first()
    if existing is not None and existing.staff_role:
        raise ValidationFailed(
            "Code Body and Programme staff cannot be members of a participant.", details={"email": "staff"}
        )
    if existing is not None and Membership.objects.filter(user=existing, organisation=organisation).exists():
        raise ValidationFailed(
            f"{email} is already a member of {organisation.name}; change their role instead.",
            details={"email": "member"},
        )
    now = clock.now()
    # A newer link replaces any earlier one still open for this person and organisation.
    replaced = Invitation.objects.filter(
        organisation=organisation, email=email, accepted_at__isnull=True, withdrawn_at__isnull=True
    )
    replaces = [str(u) for u in replaced.values_list("uuid", flat=True)]
    replaced.update(withdrawn_at=now)
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        organisation=organisation,
        email=email,
        full_name=full_name,
        role=role,
        digest=_digest(secret),
        expires_at=now + dt.timedelta(days=invitation_days()),
        invited_by_id=actor.user_id,
        invited_by_name=actor.display_name[:200],
    )
    audit_record(
        actor=actor,
        action="programme.invitation.send",
        target=invitation,
        organisation_id=organisation.pk,
        changes={
            "email": email,
            "role": role,
            "expires_at": invitation.expires_at.isoformat(),
            "replaces": replaces,
        },
    )
    link = absolute_link(reverse("programme:accept", args=[secret]))
    email_direct(
        to=email,
        subject=f"Your invitation to {organisation.name} on qualify"[:200],
        body=(
            f"{actor.display_name} has invited you to join {organisation.name} on qualify, the MHHS Qualification "
            f"platform, as {invitation.get_role_display().lower()}.\n\n"
            f"Open this link to set your password and sign in (it works once, until "
            f"{invitation.expires_at:%d %B %Y %H:%M} UTC):\n\n{link}\n\n"
            "If you did not expect this invitation, ignore this e-mail."
        ),
    )
    return IssuedInvitation(invitation=invitation, link=link)


def invitation_by_secret(secret: str) -> Invitation:
    """The open invitation a link's secret belongs to; NotFound when it is unknown, used, withdrawn or expired."""
    if not secret.startswith(SECRET_PREFIX) or len(secret) > 100:
        raise NotFound("This invitation link is not valid.")
    invitation = Invitation.objects.select_related("organisation").filter(digest=_digest(secret)).first()
    if invitation is None or invitation.status != "pending":
        raise NotFound("This invitation link is not valid: it has been used, withdrawn or has expired.")
    return invitation


@transaction.atomic
def invitation_accept(*, secret: str, password: str, full_name: str = "") -> User:
    """Accept an invitation: set the person's password (creating their account if they have none), make them a
    member with the invited role, and spend the link. Anyone holding the link may do this once, before it expires."""
    found = invitation_by_secret(secret)
    invitation = Invitation.objects.select_for_update().select_related("organisation").get(pk=found.pk)
    if invitation.status != "pending":
        raise NotFound("This invitation link is not valid: it has been used, withdrawn or has expired.")
    name = bounded(full_name, 200) or invitation.full_name
    user = User.objects.select_for_update().filter(email=invitation.email).first()
    probe = user or User(email=invitation.email, full_name=name)
    try:
        validate_password(password, probe)
    except DjangoValidationError as exc:
        raise ValidationFailed(" ".join(exc.messages), details={"password": exc.messages}) from exc
    if user is None:
        user = User.objects.create_user(invitation.email, password, full_name=name)
    elif user.staff_role or user.is_machine or not user.is_active:
        # Staff cannot be members; a machine client never signs in; a disabled account stays disabled.
        raise ValidationFailed(
            "This account cannot join a participant this way: ask the Programme.", details={"email": "not_eligible"}
        )
    else:
        user.set_password(password)
        user.save(update_fields=["password"])
    invitation.accepted_at = clock.now()
    invitation.save(update_fields=["accepted_at", "updated_at"])
    # The membership is granted on the authority of whoever sent the invitation; the audit names the invitation.
    membership_add(
        actor=system_actor(f"invitation by {invitation.invited_by_name}"[:200]),
        organisation=invitation.organisation,
        user=user,
        role=invitation.role,
    )
    audit_record(
        actor=actor_for_user(user),
        action="programme.invitation.accept",
        target=invitation,
        organisation_id=invitation.organisation_id,
        changes={"email": invitation.email, "role": invitation.role},
    )
    return user


@transaction.atomic
def invitation_withdraw(*, actor: Actor, invitation: Invitation) -> Invitation:
    """Withdraw an invitation that has not been accepted, so its link stops working."""
    can_invite(actor, invitation.organisation_id, invitation.role).enforce()
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if locked.accepted_at is not None:
        raise ValidationFailed("This invitation was already accepted.", details={"invitation": "accepted"})
    if locked.withdrawn_at is None:
        locked.withdrawn_at = clock.now()
        locked.save(update_fields=["withdrawn_at", "updated_at"])
        audit_record(
            actor=actor,
            action="programme.invitation.withdraw",
            target=locked,
            organisation_id=locked.organisation_id,
            changes={"email": locked.email},
        )
    return locked
