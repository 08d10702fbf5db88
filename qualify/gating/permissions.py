"""Who may ask for gating decisions."""

from __future__ import annotations

from qualify.core.actor import Actor
from qualify.core.permissions import ALLOW, Decision, deny


def can_gate(actor: Actor) -> Decision:
    """Market systems (machine clients) and Programme and Code Body staff.

    Participants' people are refused: a decision reveals other participants' status on any date, which the market
    learns through the register publication rather than by probing.
    """
    if actor.sees_everything or actor.is_machine:
        return ALLOW
    return deny("Gating decisions are for market systems and Programme staff.")


def can_submit_job(actor: Actor) -> Decision:
    """Market systems and Programme and Code Body staff upload events files (as for ``can_gate``)."""
    return can_gate(actor)
