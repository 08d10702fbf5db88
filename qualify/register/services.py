"""Recording register events. Cases call this from their workflow; the import command calls it in bulk."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from qualify.audit.services import audit_record
from qualify.core.actor import Actor
from qualify.core.errors import ValidationFailed
from qualify.participants.models import MarketParticipation
from qualify.register.choices import RegisterEventKind, RegisterEventSource
from qualify.register.models import RegisterEvent, RegisterSequence
from qualify.register.snapshot import changed_on_commit


@transaction.atomic
def register_event_record(
    *,
    actor: Actor,
    participation: MarketParticipation,
    kind: str,
    effective_date: dt.date,
    source: str,
    reference: str = "",
    note: str = "",
) -> tuple[RegisterEvent, bool]:
    """Record that ``participation`` had ``kind`` take effect on ``effective_date``; idempotent per day.

    Callers check permission: the case workflow (board or programme decisions) and the register import (programme
    administrators) are the only writers.
    """
    if kind not in RegisterEventKind.values:
        raise ValidationFailed(f"Unknown register event {kind!r}.", details={"kind": "unknown"})
    if source not in RegisterEventSource.values:
        raise ValidationFailed(f"Unknown register source {source!r}.", details={"source": "unknown"})
    existing = RegisterEvent.objects.filter(
        participation=participation, kind=kind, effective_date=effective_date
    ).first()
    if existing is not None:
        return existing, False
    sequence, _ = RegisterSequence.objects.select_for_update().get_or_create(id=1)
    sequence.last_seq += 1
    sequence.save(update_fields=["last_seq"])
    event = RegisterEvent.objects.create(
        seq=sequence.last_seq,
        participation=participation,
        kind=kind,
        effective_date=effective_date,
        source=source,
        reference=reference[:100],
        note=note,
        recorded_by_name=actor.display_name,
    )
    changed_on_commit()  # this process's copy of the register is renewed as soon as the event commits
    created = True
    if created:
        audit_record(
            actor=actor,
            action="register.event.record",
            target=event,
            organisation_id=participation.organisation_id,
            changes={
                "mpid": participation.mpid,
                "role": participation.role,
                "kind": kind,
                "effective_date": effective_date,
                "source": source,
            },
        )
    return event, created
