"""Reading the register: a participation's status on a date, from its recorded history."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from qualify.core.actor import Actor
from qualify.core.errors import NotFound
from qualify.participants.models import MarketParticipation
from qualify.register.choices import RegisterEventKind
from qualify.register.models import RegisterEvent
from qualify.register.rules import EventFact, Status, status_on


def participation_status(*, participation: MarketParticipation, on: dt.date) -> Status:
    events = RegisterEvent.objects.filter(participation=participation, effective_date__lte=on)
    return status_on((EventFact(e.kind, e.effective_date) for e in events), on)


@dataclass(frozen=True)
class RegisterAnswer:
    participation: MarketParticipation
    status: Status
    history: list[RegisterEvent]


def register_status(*, actor: Actor, mpid: str, role: str, on: dt.date) -> RegisterAnswer:
    """The status of MPID ``mpid`` in ``role`` on ``on`` and the events in effect by then (two queries).

    NotFound if there is no such participation or it is outside the actor's scope.
    """
    participation = (
        MarketParticipation.objects.register_visible_to(actor)
        .select_related("organisation")
        .filter(mpid=mpid.upper(), role=role.upper())
        .first()
    )
    if participation is None:
        raise NotFound(f"No {role.upper()} participation with MPID {mpid.upper()}.")
    history = register_history(participation=participation, until=on)
    status = status_on((EventFact(e.kind, e.effective_date) for e in history), on)
    return RegisterAnswer(participation=participation, status=status, history=history)


def register_status_known_at(
    *, actor: Actor, mpid: str, role: str, on: dt.date, known_at: dt.datetime
) -> RegisterAnswer:
    """The status on ``on`` as the register stood at instant ``known_at`` (issue 11; two queries).

    Only a participation registered by then is found, and only events recorded at or before ``known_at`` count; the
    rule is ``rules.status_on``, unchanged. Plain reads rather than the in-process copy (``snapshot.py``), which
    serves the question as known now. NotFound if there was no such participation then or it is outside the actor's
    scope. The organisation's name is today's (names are not kept with a history).
    """
    participation = (
        MarketParticipation.objects.register_visible_to(actor)
        .select_related("organisation")
        .filter(mpid=mpid.upper(), role=role.upper(), created_at__lte=known_at)
        .first()
    )
    if participation is None:
        raise NotFound(f"No {role.upper()} participation with MPID {mpid.upper()} at {known_at.isoformat()}.")
    history = list(
        RegisterEvent.objects.filter(
            participation=participation, effective_date__lte=on, recorded_at__lte=known_at
        ).order_by("effective_date", "seq")
    )
    status = status_on((EventFact(e.kind, e.effective_date) for e in history), on)
    return RegisterAnswer(participation=participation, status=status, history=history)


def register_history(*, participation: MarketParticipation, until: dt.date) -> list[RegisterEvent]:
    """The events that decide the status on ``until``: every one in effect by then, oldest first."""
    return list(
        RegisterEvent.objects.filter(participation=participation, effective_date__lte=until).order_by(
            "effective_date", "seq"
        )
    )


def register_changes(*, actor: Actor, after: int = 0, limit: int = 1000) -> list[RegisterEvent]:
    """Events recorded after cursor ``after`` (a ``seq``), oldest first, for systems that keep a copy."""
    return list(
        RegisterEvent.objects.register_visible_to(actor)
        .filter(seq__gt=after)
        .select_related("participation__organisation")
        .order_by("seq")[:limit]
    )


@dataclass(frozen=True)
class PublicationRow:
    organisation: str
    mpid: str
    role: str
    qualified_from: dt.date
    service_activated_on: dt.date | None


def newly_qualified(*, actor: Actor, since: dt.date, until: dt.date) -> list[PublicationRow]:
    """Participations whose qualification took effect in [since, until] (the periodic reference-data list, §11)."""
    qualified = (
        RegisterEvent.objects.register_visible_to(actor)
        .filter(kind=RegisterEventKind.QUALIFIED, effective_date__gte=since, effective_date__lte=until)
        .select_related("participation__organisation")
        .order_by("effective_date", "participation__mpid", "participation__role")
    )
    activations: dict[int, list[dt.date]] = {}
    for participation_id, date in (
        RegisterEvent.objects.filter(
            kind=RegisterEventKind.SERVICE_ACTIVATED, participation_id__in=[e.participation_id for e in qualified]
        )
        .order_by("effective_date")
        .values_list("participation_id", "effective_date")
    ):
        activations.setdefault(participation_id, []).append(date)

    def activated(event: RegisterEvent) -> dt.date | None:
        return next((d for d in activations.get(event.participation_id, []) if d >= event.effective_date), None)

    return [
        PublicationRow(
            organisation=e.participation.organisation.name,
            mpid=e.participation.mpid,
            role=e.participation.role,
            qualified_from=e.effective_date,
            service_activated_on=activated(e),
        )
        for e in qualified
    ]
