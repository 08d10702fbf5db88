"""Who may do what in assessment and approval (pure functions; services enforce them, views only read them).

The first line of each docstring names the role plainly: the lifecycle pages show it.
"""

from __future__ import annotations

from typing import Any

from qualify.assessment.choices import APPROVER_NAMES, BODY_OF_DECIDER, BODY_OF_ROLE
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
    """Code Body and Programme staff, decision-makers and auditors; the participant's own people (not machines)."""
    if actor.sees_everything or actor.role_in(_org_id(case)) is not None:
        return ALLOW
    return deny("You cannot see this case.")


def sees_internal(actor: Actor) -> bool:
    """Reviewers' internal notes, outcomes and recommendations are for Code Body and Programme staff only."""
    return actor.sees_everything


def assesses_for(actor: Actor, body: str) -> Decision:
    """An assessor of the owning Code Body (or a programme administrator)."""
    if actor.is_programme_admin or body_of(actor) == body:
        return ALLOW
    return deny(f"Only a {_BODY_STAFF.get(body, body)} assessor can do this.")


def completes_review(actor: Actor, body: str) -> Decision:
    """An assessor of the body itself: only the body says its own review is complete (not the Programme)."""
    if body_of(actor) == body:
        return ALLOW
    return deny(
        f"Only a {_BODY_STAFF.get(body, body)} assessor can mark the {_BODY_STAFF.get(body, body)} review complete."
    )


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


def decides_for(actor: Actor) -> str | None:
    """The approving body whose decisions the actor records (DIP, BSC or REC), or None."""
    return BODY_OF_DECIDER.get(actor.staff_role)


def can_manage_calendar(actor: Actor, body: str | None = None) -> Decision:
    """A programme administrator (the secretariat) or a decision-maker of the meeting's body.

    Scheduling meetings and tabling cases is programme work and the body's own; neither records a decision.
    Without a body, whether the actor manages any body's calendar (to show the controls).
    """
    if actor.is_programme_admin:
        return ALLOW
    own = decides_for(actor)
    if own is not None and (body is None or own == body):
        return ALLOW
    return deny("Only the Programme or the body's own decision-makers manage its meetings and agendas.")


def can_view_calendar(actor: Actor) -> Decision:
    """Code Body and Programme staff, decision-makers and auditors."""
    if actor.sees_everything:
        return ALLOW
    return deny("The board calendar is for Code Body and Programme staff.")


def can_record_decision(actor: Actor, body: str | None = None) -> Decision:
    """The approving body's own decision-makers (DIP Manager, BSC PAB, REC); nobody records another body's decision.

    Without a body, whether the actor records any body's decisions (to show the controls).
    """
    own = decides_for(actor)
    if own is not None and (body is None or own == body):
        return ALLOW
    name = APPROVER_NAMES.get(body or "", "approving body")
    return deny(f"Only the {name}'s own decision-makers can record its decision.")


def can_record_activation(actor: Actor, item: str) -> Decision:
    """A programme administrator; the DIP Manager for the DIP production step."""
    if actor.is_programme_admin:
        return ALLOW
    if item == "DIP_PRODUCTION" and actor.staff_role == StaffRole.DIP_ASSESSOR:
        return ALLOW
    return deny("Only a programme administrator (or the DIP Manager for DIP production) records activation steps.")


def can_view_assessment_at_all(actor: Actor) -> bool:
    """Anyone signed in except machine clients may look at assessment lists (scoped by ``visible_to``)."""
    return actor.is_authenticated and not actor.is_machine
