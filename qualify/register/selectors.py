"""Reading the register: a participation's status on a date, from its recorded history."""

from __future__ import annotations

import datetime as dt

from qualify.core.actor import Actor
from qualify.core.errors import NotFound
from qualify.participants.models import MarketParticipation
from qualify.register.models import RegisterEvent
from qualify.register.rules import EventFact, Status, status_on


def participation_status(*, participation: MarketParticipation, on: dt.date) -> Status:
    events = RegisterEvent.objects.filter(participation=participation, effective_date__lte=on)
    return status_on((EventFact(e.kind, e.effective_date) for e in events), on)


def register_status(*, actor: Actor, mpid: str, role: str, on: dt.date) -> tuple[MarketParticipation, Status]:
    """The status of MPID ``mpid`` in ``role`` on ``on``; NotFound if unknown or outside the actor's scope."""
    participation = (
        MarketParticipation.objects.visible_to(actor)
        .select_related("organisation")
        .filter(mpid=mpid.upper(), role=role.upper())
        .first()
    )
    if participation is None:
        raise NotFound(f"No {role.upper()} participation with MPID {mpid.upper()}.")
    return participation, participation_status(participation=participation, on=on)
