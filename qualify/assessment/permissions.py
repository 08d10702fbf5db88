"""Who may do what in assessment and approval (pure functions; services enforce them, views only read them).

The first line of each docstring names the role plainly: the lifecycle pages show it.
"""

from __future__ import annotations

from typing import Any

from qualify.assessment.choices import BODY_OF_ROLE
from qualify.core.actor import Actor
from qualify.core.permissions import ALLOW, Decision, deny
from qualify.core.roles import StaffRole

_BODY_STAFF = {"BSC": "BSC", "REC": "REC", "DIP": "DIP Manager"}


def body_of(actor: Actor) -> str | None:
    """The Code Body an assessor works for, or None."""
    return BODY_OF_ROLE.get(actor.staff_role)


def _org_id(case: Any) -> int:
    return int(case.participation.organisation_id)


def can_view_assessment(actor: Actor, case: Any) -> Decision:
    """Code Body and Programme staff, board members and auditors; the participant's own people (not machines)."""
    if actor.staff_role == StaffRole.MARKET_SYSTEM:
        return deny("Market systems read the register, not assessments.")
    if actor.sees_everything or actor.role_in(_org_id(case)) is not None:
        return ALLOW
    return deny("You cannot see this case.")


def sees_internal(actor: Actor) -> bool:
    """Reviewers' internal notes, outcomes and recommendations are for Code Body and Programme staff only."""
    return actor.sees_everything and actor.staff_role != StaffRole.MARKET_SYSTEM


def assesses_for(actor: Actor, body: str) -> Decision:
    """An assessor of the owning Code Body (or a programme administrator)."""
    if actor.is_programme_admin or body_of(actor) == body:
        return ALLOW
    return deny(f"Only a {_BODY_STAFF.get(body, body)} assessor can do this.")


def closes_query(actor: Actor, query: Any) -> Decision:
    """An assessor of the body that raised the query."""
    if body_of(actor) == query.body:
        return ALLOW
    return deny("Only the reviewer's Code Body can close or follow up a query.")


def answers_for_participant(actor: Actor, case: Any) -> Decision:
    """The participant's qualification lead or a contributor."""
    if actor.can_edit_for(_org_id(case)):
        return ALLOW
    return deny("Only the participant's qualification lead or a contributor can answer for it.")


def query_answerer(actor: Actor, query: Any) -> Decision:
    """The participant's qualification lead or a contributor."""
    return answers_for_participant(actor, query.case)


def finding_assessor(actor: Actor, finding: Any) -> Decision:
    """An assessor of the body that recorded the finding (or a programme administrator)."""
    return assesses_for(actor, finding.body)


def finding_participant(actor: Actor, finding: Any) -> Decision:
    """The participant's qualification lead or a contributor."""
    return answers_for_participant(actor, finding.case)


def can_manage_calendar(actor: Actor) -> Decision:
    """A programme administrator or a board member (the board secretariat)."""
    if actor.is_programme_admin or actor.staff_role == StaffRole.BOARD_MEMBER:
        return ALLOW
    return deny("Only a programme administrator or a board member can manage the board calendar.")


def can_view_calendar(actor: Actor) -> Decision:
    """Code Body and Programme staff, board members and auditors."""
    if actor.sees_everything and actor.staff_role != StaffRole.MARKET_SYSTEM:
        return ALLOW
    return deny("The board calendar is for Code Body and Programme staff.")


def can_record_decision(actor: Actor) -> Decision:
    """A board member (or a programme administrator recording the board's decision)."""
    if actor.is_programme_admin or actor.staff_role == StaffRole.BOARD_MEMBER:
        return ALLOW
    return deny("Only a board member can record a board decision.")


def can_record_activation(actor: Actor, item: str) -> Decision:
    """A programme administrator; the DIP Manager for the DIP production step."""
    if actor.is_programme_admin:
        return ALLOW
    if item == "DIP_PRODUCTION" and actor.staff_role == StaffRole.DIP_ASSESSOR:
        return ALLOW
    return deny("Only a programme administrator (or the DIP Manager for DIP production) records activation steps.")


def can_view_assessment_at_all(actor: Actor) -> bool:
    """Anyone signed in except machine clients may look at assessment lists (scoped by ``visible_to``)."""
    return actor.is_authenticated and actor.staff_role != StaffRole.MARKET_SYSTEM
