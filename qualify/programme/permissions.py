"""Who may onboard organisations, invite people and plan waves (pure functions returning a Decision)."""

from __future__ import annotations

from qualify.core.actor import Actor
from qualify.core.permissions import ALLOW, Decision, deny
from qualify.core.roles import MembershipRole


def can_onboard(actor: Actor) -> Decision:
    """A programme administrator brings organisations, participations and cases in (DOMAIN.md §2)."""
    if actor.is_programme_admin:
        return ALLOW
    return deny("Only a programme administrator can onboard organisations.")


def can_manage_people(actor: Actor, organisation_id: int) -> Decision:
    """The organisation's qualification lead, or a programme administrator."""
    if actor.is_programme_admin or actor.is_lead_of(organisation_id):
        return ALLOW
    return deny("Only the organisation's qualification lead or a programme administrator can manage its people.")


def can_invite(actor: Actor, organisation_id: int, role: str) -> Decision:
    """An administrator invites anyone (a participant's first lead above all); a lead invites contributors and
    viewers to its own organisation."""
    if actor.is_programme_admin:
        return ALLOW
    if not actor.is_lead_of(organisation_id):
        return deny("Only the organisation's qualification lead or a programme administrator can invite people.")
    if role == MembershipRole.LEAD:
        return deny("A qualification lead invites contributors and viewers; ask the Programme to invite a lead.")
    return ALLOW
