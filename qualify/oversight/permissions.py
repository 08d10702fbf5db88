"""Who may do what with non-completion records (pure functions returning a Decision; services enforce them)."""

from __future__ import annotations

from typing import Any

from qualify.core.actor import Actor
from qualify.core.permissions import ALLOW, Decision, deny
from qualify.core.roles import StaffRole
from qualify.oversight.choices import Acts


def acts_as(actor: Actor, acts: str, organisation_id: int) -> Decision:
    """Whether ``actor`` is the person a ladder step (or outcome) names. Each step is its actor's own: the Programme
    does not take the PAB's decision, nor a Code Body's review."""
    if acts == Acts.PARTICIPANT_LEAD and actor.is_lead_of(organisation_id):
        return ALLOW
    if acts == Acts.ASSESSOR and actor.is_assessor:
        return ALLOW
    if acts == Acts.PROGRAMME and actor.is_programme_admin:
        return ALLOW
    if acts == Acts.BSC_PAB and actor.staff_role == StaffRole.BSC_PAB_MEMBER:
        return ALLOW
    return deny(f"This step is taken by {Acts(acts).label.lower() if acts in Acts.values else 'nobody'}.")


def step_actor(actor: Actor, record: Any) -> Decision:
    """The person the record's current step (or one of its outcomes) names."""
    step = record.current_step
    if step is None:
        return deny("This non-completion record is closed.")
    organisation_id = int(record.case.participation.organisation_id)
    for who in {step.acts, *(o.acts for o in step.outcomes if o.acts)}:
        if acts_as(actor, who, organisation_id).allowed:
            return ALLOW
    return acts_as(actor, step.acts, organisation_id)


def can_manage_ladders(actor: Actor) -> Decision:
    if actor.is_programme_admin:
        return ALLOW
    return deny("Only a programme administrator can load a non-completion ladder.")


def can_see_back_scheduling(actor: Actor) -> Decision:
    if actor.is_staff_member:
        return ALLOW
    return deny("The back-scheduling overview is for Programme and Code Body staff.")
