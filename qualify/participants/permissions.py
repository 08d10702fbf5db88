"""Who may change participant records."""

from __future__ import annotations

from qualify.core.actor import Actor
from qualify.core.permissions import ALLOW, Decision, deny


def can_manage_participants(actor: Actor) -> Decision:
    """Registering organisations and participations is the Programme's job."""
    if actor.is_programme_admin:
        return ALLOW
    return deny("Only a programme administrator can register organisations and market participations.")


def can_manage_members(actor: Actor, organisation_id: int) -> Decision:
    if actor.is_programme_admin or actor.is_lead_of(organisation_id):
        return ALLOW
    return deny("Only the organisation's qualification lead or a programme administrator can manage its people.")
