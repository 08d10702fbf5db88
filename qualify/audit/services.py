"""Writing and verifying the audit log."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from qualify.audit.models import AuditChainHead, AuditEvent
from qualify.core.actor import Actor

GENESIS = "0" * 64


def _canonical(value: Any) -> Any:
    """JSON-safe, with keys in a fixed order, so PostgreSQL's jsonb re-ordering cannot change a hash."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, sort_keys=True))


def event_hash(
    *,
    seq: int,
    at: str,
    actor_id: int | None,
    actor_name: str,
    request_id: str,
    action: str,
    object_type: str,
    object_id: str,
    organisation_id: int | None,
    changes: Any,
    prev_hash: str,
) -> str:
    payload = json.dumps(
        {
            "seq": seq,
            "at": at,
            "actor_id": actor_id,
            "actor_name": actor_name,
            "request_id": request_id,
            "action": action,
            "object_type": object_type,
            "object_id": object_id,
            "organisation_id": organisation_id,
            "changes": changes,
            "prev_hash": prev_hash,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _at_text(event: AuditEvent) -> str:
    return event.at.astimezone(dt.UTC).isoformat(timespec="microseconds")


@transaction.atomic
def audit_record(
    *,
    actor: Actor,
    action: str,
    target: models.Model,
    organisation_id: int | None,
    changes: dict[str, Any],
) -> AuditEvent:
    """Append one event. Call inside the transaction that makes the change it describes."""
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1)
    seq = head.last_seq + 1
    at = timezone.now()
    public_id = getattr(target, "uuid", None) or target.pk
    event = AuditEvent(
        seq=seq,
        at=at,
        actor_id=actor.user_id,
        actor_name=actor.display_name[:200],
        request_id=actor.request_id[:64],
        action=action,
        object_type=target._meta.label_lower,
        object_id=str(public_id),
        object_repr=str(target)[:200],
        organisation_id=organisation_id,
        changes=_canonical(changes),
        prev_hash=head.last_hash,
    )
    event.hash = event_hash(
        seq=seq,
        at=_at_text(event),
        actor_id=event.actor_id,
        actor_name=event.actor_name,
        request_id=event.request_id,
        action=action,
        object_type=event.object_type,
        object_id=event.object_id,
        organisation_id=organisation_id,
        changes=event.changes,
        prev_hash=event.prev_hash,
    )
    event.save()
    head.last_seq = seq
    head.last_hash = event.hash
    head.save(update_fields=["last_seq", "last_hash"])
    return event


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    problem: str


def verify_chain(batch_size: int = 5000) -> Iterator[ChainBreak]:
    """Yield every place where the chain does not hold; yields nothing for an intact log."""
    expected_prev = GENESIS
    expected_seq = 1
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=batch_size):
        if event.seq != expected_seq:
            yield ChainBreak(event.seq, f"expected event #{expected_seq} next; events are missing")
            expected_seq = event.seq
        if event.prev_hash != expected_prev:
            yield ChainBreak(event.seq, "prev_hash does not match the hash of the event before it")
        recomputed = event_hash(
            seq=event.seq,
            at=_at_text(event),
            actor_id=event.actor_id,
            actor_name=event.actor_name,
            request_id=event.request_id,
            action=event.action,
            object_type=event.object_type,
            object_id=event.object_id,
            organisation_id=event.organisation_id,
            changes=_canonical(event.changes),
            prev_hash=event.prev_hash,
        )
        if recomputed != event.hash:
            yield ChainBreak(event.seq, "the event's content does not match its hash (altered)")
        expected_prev = event.hash
        expected_seq += 1
    head = AuditChainHead.objects.filter(id=1).first()
    if head is not None and head.last_seq != expected_seq - 1:
        yield ChainBreak(head.last_seq, "the chain head records more events than the log holds (truncated)")
