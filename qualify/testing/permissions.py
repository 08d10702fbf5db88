"""Who may do what with the QT test catalogue (pure functions returning a Decision; services enforce them)."""

from __future__ import annotations

from typing import Any

from qualify.core.actor import Actor
from qualify.core.permissions import ALLOW, Decision, deny
from qualify.core.roles import StaffRole


def can_manage_catalogues(actor: Actor) -> Decision:
    """A programme administrator loads, validates and publishes test catalogue versions."""
    if actor.is_programme_admin:
        return ALLOW
    return deny("Only a programme administrator can load or publish a test catalogue.")


def can_see_drafts(actor: Actor) -> Decision:
    """The Programme's and Code Bodies' staff see draft catalogues; participants see only published ones."""
    if actor.is_staff_member:
        return ALLOW
    return deny("Draft test catalogues are for the Programme and the Code Bodies.")


# --- pre-qualification, Placing Reliance and scoping (Annexes 1 to 3) -------------------------------------------

# Which Code Body each assessor speaks for (the qad.choices.Body codes; assessment.choices.BODY_OF_ROLE agrees).
ASSESSOR_BODY: dict[str, str] = {
    StaffRole.BSC_ASSESSOR: "BSC",
    StaffRole.REC_ASSESSOR: "REC",
    StaffRole.DIP_ASSESSOR: "DIP",
}


def assessor_body(actor: Actor) -> str | None:
    """The Code Body the actor assesses for, or None."""
    return ASSESSOR_BODY.get(actor.staff_role)


def _org(case: Any) -> int:
    return int(case.participation.organisation_id)


def can_edit_prequalification(actor: Actor, case: Any) -> Decision:
    """The participant's qualification lead fills in and submits the pre-qualification form; others read it."""
    if actor.is_lead_of(_org(case)):
        return ALLOW
    return deny("Only the organisation's qualification lead can fill in or submit its pre-qualification.")


def can_draft_reliance(actor: Actor, case: Any) -> Decision:
    """The participant's qualification lead drafts, proposes and withdraws Placing Reliance proposals."""
    if actor.is_lead_of(_org(case)):
        return ALLOW
    return deny("Only the organisation's qualification lead can draft, propose or withdraw a reliance proposal.")


def can_decide_reliance(actor: Actor, proposal: Any) -> Decision:
    """An assessor of a Code Body the proposal goes to records that body's decision."""
    body = assessor_body(actor)
    if body is None:
        return deny("Only a Code Body assessor can decide on a reliance proposal.")
    if body not in proposal.bodies:
        return deny(f"The proposal does not go to the {body}: it is for {', '.join(proposal.bodies)}.")
    return ALLOW


def may_decide_reliance(actor: Actor, proposal: Any) -> Decision:
    """A Code Body assessor of a body the proposal goes to."""
    return can_decide_reliance(actor, proposal)


def may_draft_reliance(actor: Actor, proposal: Any) -> Decision:
    """The participant's qualification lead."""
    return can_draft_reliance(actor, proposal.case)


def may_confirm_scope(actor: Actor, case: Any) -> Decision:
    """A Code Body assessor (BSC, REC or DIP Manager)."""
    if assessor_body(actor) is not None:
        return ALLOW
    return deny("Only a Code Body assessor can confirm a case's scope.")


def can_rescope(actor: Actor, case: Any) -> Decision:
    """A Code Body assessor re-scopes a case already scoped (before its Final QAD), with a reason."""
    return may_confirm_scope(actor, case)
