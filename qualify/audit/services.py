"""Writing and verifying the audit log.

Every event is hashed with HMAC-SHA256 under ``settings.QUALIFY_AUDIT_KEY`` (scheme 2); events written before the
key existed keep their plain SHA-256 hash (scheme 1) and still verify. Along the chain a scheme never goes back, so
nobody can rewrite keyed events as unkeyed ones to re-hash them without the key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from qualify.audit.models import AuditChainHead, AuditEvent, HashScheme
from qualify.core.actor import Actor

GENESIS = "0" * 64
CURRENT_SCHEME = HashScheme.HMAC_SHA256


def audit_key() -> bytes:
    """The key events and checkpoints are signed with (``QUALIFY_AUDIT_KEY``, read by ``config/env.py``)."""
    key = settings.QUALIFY_AUDIT_KEY
    if not key:
        raise ImproperlyConfigured("QUALIFY_AUDIT_KEY is not set; the audit log cannot be written or verified.")
    return str(key).encode("utf-8")


def sign(payload: bytes) -> str:
    return hmac.new(audit_key(), payload, hashlib.sha256).hexdigest()


def _canonical(value: Any) -> Any:
    """JSON-safe, with keys in a fixed order, so PostgreSQL's jsonb re-ordering cannot change a hash."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, sort_keys=True))


def event_hash(
    *,
    scheme: int = CURRENT_SCHEME,
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
    ).encode("utf-8")
    if scheme == HashScheme.SHA256:
        return hashlib.sha256(payload).hexdigest()
    if scheme == HashScheme.HMAC_SHA256:
        return sign(payload)
    raise ValueError(f"unknown audit hash scheme {scheme}")


def _at_text(event: AuditEvent) -> str:
    return event.at.astimezone(dt.UTC).isoformat(timespec="microseconds")


def _hash_of(event: AuditEvent, scheme: int) -> str:
    return event_hash(
        scheme=scheme,
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


# Events recorded inside ``audit_batch()``, waiting to be appended when the batch ends (None: no batch open).
_pending: ContextVar[list[AuditEvent] | None] = ContextVar("audit_pending", default=None)


def _append(events: list[AuditEvent]) -> None:
    """Chain ``events`` after the head, under the head's lock (held from here until the transaction commits)."""
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1)
    for event in events:
        head.last_seq += 1
        event.seq = head.last_seq
        event.prev_hash = head.last_hash
        event.scheme = CURRENT_SCHEME
        event.hash = _hash_of(event, CURRENT_SCHEME)
        head.last_hash = event.hash
    AuditEvent.objects.bulk_create(events, batch_size=1000)
    head.save(update_fields=["last_seq", "last_hash"])


@transaction.atomic
def audit_record(
    *,
    actor: Actor,
    action: str,
    target: models.Model | None = None,
    organisation_id: int | None,
    changes: dict[str, Any],
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
) -> AuditEvent:
    """Append one event. Call inside the transaction that makes the change it describes.

    The event names ``target``; an operation on no one row (e.g. a whole import) names itself with ``object_type``,
    ``object_id`` and ``object_repr`` instead. Inside ``audit_batch()`` the event is chained when the batch ends
    (its ``seq`` and ``hash`` are set then), so that a long operation does not hold the chain's head meanwhile.
    """
    if target is not None:
        object_type = target._meta.label_lower
        object_id = str(getattr(target, "uuid", None) or target.pk)
        object_repr = str(target)
    event = AuditEvent(
        at=timezone.now(),
        actor_id=actor.user_id,
        actor_name=actor.display_name[:200],
        request_id=actor.request_id[:64],
        action=action,
        object_type=object_type[:100],
        object_id=object_id[:64],
        object_repr=object_repr[:200],
        organisation_id=organisation_id,
        changes=_canonical(changes),
    )
    pending = _pending.get()
    if pending is not None:
        pending.append(event)
    else:
        _append([event])
    return event


@contextmanager
def audit_batch() -> Iterator[None]:
    """Hold back the audit events recorded in the block and chain them all when it ends, still in its transaction.

    For bulk operations (an import): the chain's head is locked only for the last moment before the commit instead
    of from the first event on, so other audited writes are not held up while the operation runs. Use it inside the
    operation's ``transaction.atomic``. A batch inside a batch joins the outer one. An event recorded inside a
    savepoint that is rolled back while the batch goes on is still appended: use a batch only where any failure ends
    the whole operation (as an all-or-nothing import does).
    """
    if _pending.get() is not None:
        yield
        return
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_batch() must run inside the transaction whose changes it audits.")
    token = _pending.set([])
    try:
        yield
        events = _pending.get() or []
    finally:
        _pending.reset(token)
    if events:
        _append(events)


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    problem: str


def verify_chain(batch_size: int = 5000) -> Iterator[ChainBreak]:
    """Yield every place where the chain does not hold; yields nothing for an intact log."""
    expected_prev = GENESIS
    expected_seq = 1
    scheme_so_far: int = HashScheme.SHA256
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=batch_size):
        if event.seq != expected_seq:
            yield ChainBreak(event.seq, f"expected event #{expected_seq} next; events are missing")
            expected_seq = event.seq
        if event.prev_hash != expected_prev:
            yield ChainBreak(event.seq, "prev_hash does not match the hash of the event before it")
        if event.scheme < scheme_so_far:
            yield ChainBreak(event.seq, "hashed without the key after keyed events (rewritten without the key)")
        scheme_so_far = max(scheme_so_far, event.scheme)
        try:
            recomputed = _hash_of(event, event.scheme)
        except ValueError:
            yield ChainBreak(event.seq, f"unknown hash scheme {event.scheme}")
        else:
            if not hmac.compare_digest(recomputed, event.hash):
                yield ChainBreak(event.seq, "the event's content does not match its hash (altered)")
        expected_prev = event.hash
        expected_seq += 1
    head = AuditChainHead.objects.filter(id=1).first()
    if head is not None and head.last_seq != expected_seq - 1:
        yield ChainBreak(
            head.last_seq, f"the chain head says the log ends at #{head.last_seq}, but it ends at #{expected_seq - 1}"
        )
    elif head is not None and head.last_hash != expected_prev:
        yield ChainBreak(head.last_seq, "the chain head's hash is not the last event's")
