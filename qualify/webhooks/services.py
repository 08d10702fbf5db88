"""Emitting events into the outbox, and managing subscriptions (issue 16).

``emit`` is how a domain app announces a change to subscribers: called inside the service that makes the change, it
writes the event and one delivery per matching subscription in that same transaction, and asks for them to be sent
once it commits. So no event is lost if the process dies after the commit (the rows are there; the sweep sends
them), and none is sent for a change that rolled back (the rows roll back with it).
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from qualify.audit.services import audit_record
from qualify.core.actor import Actor
from qualify.core.errors import ValidationFailed
from qualify.core.text import one_line
from qualify.webhooks import permissions as perm
from qualify.webhooks.choices import PUBLIC_KINDS, Audience, DeliveryStatus, EventKind
from qualify.webhooks.models import Delivery, Subscription, WebhookEvent
from qualify.webhooks.sender import EndpointRefused, check_url
from qualify.webhooks.signing import new_secret

# --- emitting ----------------------------------------------------------------------------------------------------

_woken = threading.local()


def _wanted(subscription: Mapping[str, Any], kind: str, organisation_id: int | None) -> bool:
    if kind not in subscription["events"]:
        return False
    audience = subscription["audience"]
    if audience == Audience.PROGRAMME:
        return True
    if audience == Audience.MARKET_SYSTEM:
        return kind in PUBLIC_KINDS
    # A participant hears its own organisation's events, and the public ones that belong to no organisation.
    if organisation_id is None:
        return kind in PUBLIC_KINDS
    return bool(subscription["organisation_id"] == organisation_id)


@transaction.atomic
def emit(kind: str, *, subject: str, organisation_id: int | None, payload: dict[str, Any]) -> WebhookEvent | None:
    """Announce ``kind`` about ``subject`` (a reference) of ``organisation_id`` (None: public, no organisation).

    Call it inside the transaction of the change. Writes nothing when no active subscription wants the event.
    """
    written = emit_many([Emitted(kind, subject, organisation_id, payload)])
    return written[0] if written else None


@dataclass(frozen=True)
class Emitted:
    kind: str
    subject: str
    organisation_id: int | None
    payload: dict[str, Any]


BATCH = 2000


@transaction.atomic
def emit_many(events: Iterable[Emitted], *, kinds: Iterable[str] = ()) -> list[WebhookEvent]:
    """``emit`` for many changes made at once (a register import): one read of the subscriptions, then the events
    and their deliveries in batches. ``kinds`` (when given) are the kinds ``events`` may hold, so that nothing is
    built when no one listens for any of them."""
    candidates = list(Subscription.objects.filter(active=True).values("id", "audience", "organisation_id", "events"))
    listened = {k for c in candidates for k in c["events"]}
    if not candidates or (kinds and not listened.intersection(kinds)):
        return []
    now = timezone.now()
    written: list[WebhookEvent] = []
    woken: set[int] = set()
    batch: list[tuple[WebhookEvent, list[int]]] = []

    def flush() -> None:
        rows = WebhookEvent.objects.bulk_create([e for e, _ in batch])
        Delivery.objects.bulk_create(
            [
                Delivery(subscription_id=s, event=row, subject=row.subject, next_attempt_at=now)
                for row, (_, wanted) in zip(rows, batch, strict=True)
                for s in wanted
            ]
        )
        written.extend(rows)
        batch.clear()

    for e in events:
        if e.kind not in EventKind.values:
            raise ValueError(f"Unknown webhook event kind {e.kind!r}.")
        wanted = [c["id"] for c in candidates if _wanted(c, e.kind, e.organisation_id)]
        if not wanted:
            continue
        event = WebhookEvent(
            event_id=f"msg_{uuid.uuid4().hex}",
            kind=e.kind,
            subject=e.subject[:80],
            organisation_id=e.organisation_id,
            payload=e.payload,
            occurred_at=now,
        )
        batch.append((event, wanted))
        woken.update(wanted)
        if len(batch) >= BATCH:
            flush()
    if batch:
        flush()
    if woken:
        pending: set[int] = getattr(_woken, "ids", set())
        pending.update(woken)
        _woken.ids = pending
        transaction.on_commit(_wake_pending)
    return written


def _wake_pending() -> None:
    """After a commit: start a sender for each subscription that got deliveries (one callback does them all)."""
    ids: set[int] = getattr(_woken, "ids", set())
    _woken.ids = set()
    if ids:
        from qualify.webhooks.dispatch import wake

        wake(sorted(ids))


# --- subscriptions -----------------------------------------------------------------------------------------------


def _clean_events(events: Iterable[str], audience: str) -> list[str]:
    chosen = sorted({str(e) for e in events})
    unknown = [e for e in chosen if e not in EventKind.values]
    if unknown:
        raise ValidationFailed(f"Unknown events: {', '.join(unknown)[:200]}.", details={"events": "unknown"})
    if not chosen:
        raise ValidationFailed("Choose at least one event.", details={"events": "required"})
    if audience == Audience.MARKET_SYSTEM:
        private = [e for e in chosen if e not in PUBLIC_KINDS]
        if private:
            raise ValidationFailed(
                "A market system hears the register and consultations only.", details={"events": "not_public"}
            )
    return chosen


@transaction.atomic
def subscription_create(
    *, actor: Actor, name: str, url: str, events: Iterable[str], organisation_id: int | None = None
) -> tuple[Subscription, str]:
    """Add a webhook; returns it and its signing secret, which is shown this once.

    Whose it is follows from who asks: a lead's is their organisation's (``organisation_id``, which they must lead),
    a market system's its own, a programme administrator's the Programme's.
    """
    audience = perm.audience_of(actor)
    if audience != Audience.ORGANISATION:
        organisation_id = None
    elif organisation_id is None:
        led = sorted(o for o in actor.organisation_ids if actor.is_lead_of(o))
        organisation_id = led[0] if len(led) == 1 else None
    perm.can_create_for(actor, audience or "", organisation_id).enforce()
    assert audience is not None  # the permission refused otherwise
    url = one_line(url, limit=500).strip()
    try:
        check_url(url)
    except EndpointRefused as refused:
        raise ValidationFailed(str(refused), details={"url": "refused"}) from None
    name = one_line(name, limit=120).strip() or url[:120]
    chosen = _clean_events(events, audience)
    secret = new_secret()
    subscription = Subscription.objects.create(
        audience=audience,
        organisation_id=organisation_id,
        owner_id=actor.user_id,
        name=name,
        url=url,
        events=chosen,
        secret=secret,
        created_by_name=actor.display_name[:200],
    )
    audit_record(
        actor=actor,
        action="webhooks.subscription.create",
        target=subscription,
        organisation_id=organisation_id,
        changes={"name": name, "url": url, "events": chosen, "audience": audience},
    )
    return subscription, secret


@transaction.atomic
def subscription_set_active(*, actor: Actor, subscription: Subscription, active: bool) -> Subscription:
    """Pause a webhook (no new deliveries are made for it; those made stay in its log) or start it again."""
    perm.can_manage(actor, subscription).enforce()
    if subscription.active != active:
        Subscription.objects.filter(pk=subscription.pk).update(active=active)
        subscription.active = active
        audit_record(
            actor=actor,
            action="webhooks.subscription.enable" if active else "webhooks.subscription.disable",
            target=subscription,
            organisation_id=subscription.organisation_id,
            changes={"active": {"before": not active, "after": active}},
        )
        if active:  # what waited while it was paused goes now
            ids = {subscription.pk}
            transaction.on_commit(lambda: _wake(ids))
    return subscription


@transaction.atomic
def subscription_delete(*, actor: Actor, subscription: Subscription) -> None:
    """Remove a webhook and its delivery log (the audit log keeps that it existed and who removed it)."""
    perm.can_manage(actor, subscription).enforce()
    audit_record(
        actor=actor,
        action="webhooks.subscription.delete",
        target=subscription,
        organisation_id=subscription.organisation_id,
        changes={"name": subscription.name, "url": subscription.url},
    )
    subscription.delete()


@transaction.atomic
def delivery_resend(*, actor: Actor, delivery: Delivery) -> Delivery:
    """Send a delivery again, as a new attempt of the same event (same ``webhook-id``), with a fresh set of tries."""
    subscription = delivery.subscription
    perm.can_manage(actor, subscription).enforce()
    locked = Delivery.objects.select_for_update().get(pk=delivery.pk)
    if not subscription.active:
        raise ValidationFailed("Enable the webhook before re-sending its deliveries.", details={"active": False})
    now = timezone.now()
    Delivery.objects.filter(pk=locked.pk).update(
        status=DeliveryStatus.PENDING, next_attempt_at=now, resent_at_attempts=locked.attempts
    )
    audit_record(
        actor=actor,
        action="webhooks.delivery.resend",
        target=locked,
        organisation_id=subscription.organisation_id,
        changes={"event": locked.event.event_id, "status": {"before": locked.status, "after": "PENDING"}},
    )
    ids = {subscription.pk}
    transaction.on_commit(lambda: _wake(ids))
    locked.refresh_from_db()
    return locked


def _wake(ids: set[int]) -> None:
    from qualify.webhooks.dispatch import wake

    wake(sorted(ids))
