"""Recording register events. Cases call this from their workflow; the import command calls it in bulk."""

from __future__ import annotations

import datetime as dt
import unicodedata

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from qualify.audit.services import audit_record
from qualify.core import clock
from qualify.core.actor import Actor
from qualify.core.errors import ValidationFailed
from qualify.participants.models import MarketParticipation
from qualify.register.choices import RegisterEventKind, RegisterEventSource
from qualify.register.models import RegisterEvent, RegisterSequence
from qualify.register.rules import days_recorded_late, is_backdated
from qualify.register.snapshot import changed_on_commit
from qualify.webhooks.choices import REGISTER_KINDS
from qualify.webhooks.services import emit

MAX_REASON_LENGTH = 2000


def backdate_days() -> int:
    """``QUALIFY_REGISTER_BACKDATE_DAYS`` (config/settings/base.py): how late an event may be recorded unexplained."""
    return int(settings.QUALIFY_REGISTER_BACKDATE_DAYS)


def clean_reason(text: str) -> str:
    """A reason as stored: control characters (other than line breaks and tabs) dropped, trimmed, bounded."""
    kept = "".join(c for c in text if c in "\n\t" or not unicodedata.category(c).startswith("C"))
    return kept.strip()[:MAX_REASON_LENGTH]


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
    reason: str = "",
) -> tuple[RegisterEvent, bool]:
    """Record that ``participation`` had ``kind`` take effect on ``effective_date``; idempotent per day.

    The event is stamped ``recorded_at`` now, under the sequence lock, so recording times rise with ``seq``. One
    that takes effect more than ``QUALIFY_REGISTER_BACKDATE_DAYS`` before today (UK time) is back-dated: it is
    refused without a ``reason`` (why it is recorded late), and kept flagged with its reason otherwise. A reason
    given for an event that is not back-dated is not kept (the note carries any remark).

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
    recorded_at = clock.now()
    allowed = backdate_days()
    backdated = is_backdated(effective_date, timezone.localdate(recorded_at), allowed)
    reason = clean_reason(reason) if backdated else ""
    if backdated and not reason:
        late = days_recorded_late(effective_date, timezone.localdate(recorded_at))
        raise ValidationFailed(
            f"{participation.mpid} {participation.role} {kind} takes effect on {effective_date:%d %b %Y}, "
            f"{late} days before it is recorded (more than {allowed}): give the reason it is recorded late.",
            details={"reason": "required_when_backdated", "effective_date": effective_date.isoformat()},
        )
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
        recorded_at=recorded_at,
        recorded_by_name=actor.display_name,
        backdated=backdated,
        reason=reason,
    )
    changed_on_commit()  # this process's copy of the register is renewed as soon as the event commits
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
            **({"backdated": True, "reason": reason} if backdated else {}),
        },
    )
    emit(
        REGISTER_KINDS[kind],
        subject=f"{participation.mpid}/{participation.role}",
        organisation_id=participation.organisation_id,
        payload={
            "seq": event.seq,
            "mpid": participation.mpid,
            "role": participation.role,
            "effective_date": effective_date,
            "recorded_at": recorded_at,
        },
    )
    return event, True
