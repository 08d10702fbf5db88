"""Who may change participant records."""

from __future__ import annotations

from qualify.core.actor import Actor
from qualify.core.permissions import ALLOW, Decision, deny
from qualify.core.roles import StaffRole


def can_manage_participants(actor: Actor) -> Decision:
    """Registering organisations and participations is the Programme's job."""
    if actor.is_programme_admin:
        return ALLOW
    return deny("Only a programme administrator can register organisations and market participations.")


def can_manage_members(actor: Actor, organisation_id: int) -> Decision:
    if actor.is_programme_admin or actor.is_lead_of(organisation_id):
        return ALLOW
    return deny("Only the organisation's qualification lead or a programme administrator can manage its people.")


def can_decide_exemption(actor: Actor) -> Decision:
    """An exemption is the BSC PAB's decision (DOMAIN.md §3): a BSC Panel (PAB) member records it."""
    if actor.staff_role == StaffRole.BSC_PAB_MEMBER:
        return ALLOW
    return deny("Only a BSC Panel (PAB) member can record the BSC PAB's exemption decision.")


def can_record_derogation(actor: Actor) -> Decision:
    """The matching REC derogation is the REC's decision: a REC decision-maker records it."""
    if actor.staff_role == StaffRole.REC_DECISION_MAKER:
        return ALLOW
    return deny("Only a REC decision-maker can record the REC derogation.")
