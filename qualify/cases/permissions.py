"""Who may move a case (pure functions; the workflow table refers to them, services enforce them).

The first line of each docstring is shown to people on the lifecycle page, so it names the role plainly.
"""

from __future__ import annotations

from typing import Any

from qualify.core.actor import Actor
from qualify.core.permissions import ALLOW, Decision, deny
from qualify.core.roles import DECIDER_BODY
from qualify.participants.choices import MarketRole, approvals_needed


def _org_id(case: Any) -> int:
    return int(case.participation.organisation_id)


def participant_lead(actor: Actor, case: Any) -> Decision:
    """The participant's qualification lead (or the Programme on its behalf, with a reason)."""
    if actor.is_lead_of(_org_id(case)) or actor.is_programme_admin:
        return ALLOW
    return deny("Only the organisation's qualification lead can do this.")


def participant_editor(actor: Actor, case: Any) -> Decision:
    """The participant's qualification lead or a contributor (or the Programme on its behalf, with a reason)."""
    if actor.can_edit_for(_org_id(case)) or actor.is_programme_admin:
        return ALLOW
    return deny("Only the organisation's qualification lead or a contributor can do this.")


def declarant(actor: Actor, case: Any) -> Decision:
    """The director (or delegate) the qualification lead invited, by declaring on the Final QAD."""
    # The QAD app, which keeps the invitations and declarations, puts its own check in place of this one
    # (Workflow.set_permission in QadConfig.ready); until then nobody may sign, least of all by hand.
    return deny(
        "Only the director (or delegate) the qualification lead invited can sign, by declaring on the Final QAD."
    )


def programme(actor: Actor, case: Any) -> Decision:
    """A programme administrator."""
    if actor.is_programme_admin:
        return ALLOW
    return deny("Only a programme administrator can do this.")


def assessor(actor: Actor, case: Any) -> Decision:
    """A Code Body assessor (BSC, REC or DIP Manager) or a programme administrator."""
    if actor.is_assessor or actor.is_programme_admin:
        return ALLOW
    return deny("Only a Code Body assessor can do this.")


def test_manager(actor: Actor, case: Any) -> Decision:
    """A Code Body assessor; for an LDSO, the Programme's test manager (a programme administrator)."""
    if case.participation.role == MarketRole.LDSO:
        if actor.is_programme_admin:
            return ALLOW
        return deny("For an LDSO, only the Programme's test manager can confirm that testing is complete.")
    if actor.is_assessor or actor.is_programme_admin:
        return ALLOW
    return deny("Only a Code Body assessor can confirm that testing is complete.")


def board(actor: Actor, case: Any) -> Decision:
    """A decision-maker of a body that approves the role (DIP Manager, BSC PAB or REC); never the Programme."""
    body = DECIDER_BODY.get(actor.staff_role)
    if body is not None and body in approvals_needed(case.participation.role):
        return ALLOW
    if body is not None:
        return deny(f"The {case.participation.get_role_display()} role is not approved by your body.")
    return deny("Only a decision-maker of a body that approves this role can do this.")


def platform(actor: Actor, case: Any) -> Decision:
    """The platform itself, once every owning Code Body has assessed a disclosed change and one requires it."""
    # A system actor (no account) acting for the Programme: nobody takes this step by hand, the Programme included.
    if actor.is_programme_admin and actor.user_id is None:
        return ALLOW
    return deny("Only the platform opens a re-qualification, when the Code Bodies' assessments of a change require it.")


def can_assign_wave(actor: Actor) -> Decision:
    if actor.is_programme_admin:
        return ALLOW
    return deny("Only a programme administrator can assign waves.")


def can_open_case(actor: Actor) -> Decision:
    if actor.is_programme_admin:
        return ALLOW
    return deny("Only a programme administrator can open qualification cases.")
