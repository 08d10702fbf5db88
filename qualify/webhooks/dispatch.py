"""Sending deliveries: one sender per subscription at a time, in order per subject, retried with backoff.

How a delivery leaves:

1. ``emit`` (``services.py``) wrote it in the change's transaction; after the commit ``wake`` queues a
   ``deliver_subscription`` task for each subscription concerned, unless one is already queued or running for it
   (``Subscription.wake_queued``), so a burst of changes costs one task per subscription, not one per delivery.
2. The task (``subscription_drain``) takes the subscription's lease (one sender at a time: ordering), walks its
   pending deliveries oldest first and posts each that is due. A delivery whose subject has an earlier delivery still
   pending (waiting for a retry) is held back, so a subscriber sees a subject's events in the order they happened.
   A delivery that fails (no answer, or not 2xx) is tried again after an exponential backoff with jitter
   (``QUALIFY_WEBHOOK_BACKOFF_SECONDS`` times 2^(n-1), at most six hours, times 0.5 to 1), and marked failed after
   ``QUALIFY_WEBHOOK_MAX_ATTEMPTS`` tries; a failed delivery no longer holds its subject back.
   After ``SLICE_SECONDS`` it queues itself again and lets the worker serve other subscriptions.
3. When it finds nothing more to send, the sender gives the lease back, looks once more (a commit may have come in
   meanwhile) and, if retries are waiting, queues itself to run when the first is due.

A sender killed mid-way (``kill -9`` between the commit and the post) leaves its deliveries pending and its lease to
lapse (``QUALIFY_WEBHOOK_LEASE_SECONDS``); ``manage.py webhooks_sweep`` (scheduled like ``recover_jobs``) queues a
sender for every subscription with due deliveries and no live sender, which posts them. A delivery may therefore
reach a subscriber more than once (the post succeeded but the record of it did not): every attempt carries the
event's ``webhook-id``, by which a receiver drops duplicates, as the Standard Webhooks convention asks.

A delivery's status (pending, delivered, failed) is the sender's bookkeeping, not a step someone takes: it has no
transition table and no audit event per attempt (that would be an audit entry per post; the delivery log shows the
attempts). What people do to webhooks (add, pause, start, remove, re-send) is audited by the services.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import random
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Case, DateTimeField, F, Min, Q, Value, When
from django.utils import timezone

from qualify.core.text import error_text, one_line
from qualify.webhooks.choices import DeliveryStatus
from qualify.webhooks.models import Delivery, Subscription, WebhookEvent
from qualify.webhooks.sender import Answer, Sender
from qualify.webhooks.signing import headers

logger = logging.getLogger(__name__)

PAGE = 500
# How long one task sends for one subscription before it queues itself again behind the other subscriptions' senders
# (so a busy subscriber does not keep a worker from the others).
SLICE_SECONDS = 2.0
MAX_BACKOFF = dt.timedelta(hours=6)


def body_of(event: WebhookEvent) -> bytes:
    """The delivered body, in the Standard Webhooks shape: ``type``, ``timestamp`` and ``data``."""
    document = {
        "type": event.kind,
        "timestamp": event.occurred_at.isoformat(),
        "data": {"id": event.event_id, "subject": event.subject, **event.payload},
    }
    return json.dumps(document, cls=DjangoJSONEncoder, separators=(",", ":"), sort_keys=True).encode()


def backoff(attempt: int) -> dt.timedelta:
    """How long to wait after the ``attempt``-th failed try: exponential, capped, with jitter (0.5 to 1 times)."""
    base = dt.timedelta(seconds=float(settings.QUALIFY_WEBHOOK_BACKOFF_SECONDS)) * (2 ** max(0, attempt - 1))
    jitter = random.uniform(0.5, 1.0)  # noqa: S311  (jitter, not a secret)
    wait: dt.timedelta = min(base, MAX_BACKOFF) * jitter
    return wait


def _lease_length() -> dt.timedelta:
    return dt.timedelta(seconds=float(settings.QUALIFY_WEBHOOK_LEASE_SECONDS))


def wake(subscription_ids: Iterable[int]) -> None:
    """Queue a sender for each subscription that has none queued or running (called after a commit)."""
    from qualify.webhooks.tasks import deliver_subscription

    # One read in the usual case of a busy webhook (its sender is already queued or running), then one conditional
    # write per subscription that needs waking, so two commits never queue two senders for it.
    idle = Subscription.objects.filter(pk__in=list(subscription_ids), wake_queued=False).values_list("pk", flat=True)
    for sid in list(idle):
        if Subscription.objects.filter(pk=sid, wake_queued=False).update(wake_queued=True):
            deliver_subscription.enqueue(sid)


def _take_lease(sid: int) -> bool:
    now = timezone.now()
    free = Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    return bool(Subscription.objects.filter(free, pk=sid, active=True).update(lease_until=now + _lease_length()))


def _give_back_lease(sid: int) -> None:
    Subscription.objects.filter(pk=sid).update(lease_until=None, wake_queued=False)


@dataclass
class _Run:
    subscription: Subscription
    sender: Sender
    lease_until: dt.datetime
    sent: int = 0
    blocked: set[str] = field(default_factory=set)
    delivered: list[tuple[int, dt.datetime, int | None, str]] = field(default_factory=list)

    def renew_lease(self) -> None:
        now = timezone.now()
        if self.lease_until - now < _lease_length() / 2:
            self.lease_until = now + _lease_length()
            Subscription.objects.filter(pk=self.subscription.pk).update(lease_until=self.lease_until)


def _sendable(rows: list[Delivery], blocked: set[str], now: dt.datetime) -> list[Delivery]:
    """The rows that may go now, oldest first; a subject with an earlier row not yet due stays held back."""
    chosen = []
    for row in rows:
        if row.subject in blocked:
            continue
        if row.next_attempt_at > now:
            blocked.add(row.subject)
            continue
        chosen.append(row)
    return chosen


def _pending_pages(sid: int) -> Iterable[list[Delivery]]:
    after = 0
    while True:
        rows = list(
            Delivery.objects.filter(subscription_id=sid, status=DeliveryStatus.PENDING, id__gt=after)
            .select_related("event")
            .order_by("id")[:PAGE]
        )
        if not rows:
            return
        yield rows
        after = rows[-1].id


def _record(run: _Run, delivery: Delivery, answer: Answer, at: dt.datetime) -> bool:
    """Note the attempt's outcome on the row. A success is written with the page's others (``_flush``: a statement
    for up to a page of deliveries); a failure at once, since it holds its subject back. Only a row still pending is
    moved on (a re-send meanwhile wins)."""
    if answer.ok:
        run.delivered.append((delivery.pk, at, answer.code, answer.snippet))
        return True
    tries = delivery.attempts + 1 - delivery.resent_at_attempts
    fields: dict[str, object] = {
        "attempts": F("attempts") + 1,
        "last_attempt_at": at,
        "response_code": answer.code,
        "response_snippet": answer.snippet,
        "error": one_line(answer.error or f"The endpoint answered {answer.code}.", limit=300),
    }
    if tries >= int(settings.QUALIFY_WEBHOOK_MAX_ATTEMPTS):
        fields["status"] = DeliveryStatus.FAILED
    else:
        fields["next_attempt_at"] = at + backoff(tries)
    Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.PENDING).update(**fields)
    return False


def _flush(run: _Run) -> None:
    """Write the deliveries posted since the last flush as delivered, one statement per distinct answer (usually
    one). A sender killed before this posts them again (the receiver sees the same ``webhook-id`` again), which is
    the at-least-once promise."""
    groups: dict[tuple[int | None, str], list[tuple[int, dt.datetime]]] = {}
    for pk, at, code, snippet in run.delivered:
        groups.setdefault((code, snippet), []).append((pk, at))
    for (code, snippet), rows in groups.items():
        when = Case(*[When(pk=pk, then=Value(at)) for pk, at in rows], output_field=DateTimeField())
        Delivery.objects.filter(pk__in=[pk for pk, _ in rows], status=DeliveryStatus.PENDING).update(
            status=DeliveryStatus.DELIVERED,
            attempts=F("attempts") + 1,
            last_attempt_at=when,
            delivered_at=when,
            response_code=code,
            response_snippet=snippet,
            error="",
        )
    run.delivered = []


def _send(run: _Run, delivery: Delivery) -> bool:
    pause = float(settings.QUALIFY_WEBHOOK_TEST_PAUSE_SECONDS)
    if pause:
        time.sleep(pause)  # a test hook: the worker tests kill the process here, after the commit, before the post
    body = body_of(delivery.event)
    stamp = int(time.time())
    answer = run.sender.post(
        run.subscription.url,
        body,
        headers(run.subscription.secret, event_id=delivery.event.event_id, timestamp=stamp, body=body),
    )
    return _record(run, delivery, answer, timezone.now())


def _pass(run: _Run) -> int:
    """Walk the pending deliveries once, oldest first, posting each that may go; returns how many were posted."""
    run.blocked = set()
    posted = 0
    for rows in _pending_pages(run.subscription.pk):
        for delivery in _sendable(rows, run.blocked, timezone.now()):
            if delivery.subject in run.blocked:
                continue  # an earlier delivery of its subject failed in this pass: it waits for that one's retry
            run.renew_lease()
            posted += 1
            if _send(run, delivery):
                run.sent += 1
            else:
                run.blocked.add(delivery.subject)
        _flush(run)
    return posted


def _anything_sendable(sid: int) -> bool:
    blocked: set[str] = set()
    now = timezone.now()
    return any(_sendable(rows, blocked, now) for rows in _pending_pages(sid))


def subscription_drain(subscription_id: int) -> int:
    """Post what is due for one subscription (the task's work); returns how many deliveries were delivered."""
    sent = 0
    while _take_lease(subscription_id):
        subscription = Subscription.objects.get(pk=subscription_id)
        run = _Run(subscription=subscription, sender=Sender(), lease_until=subscription.lease_until or timezone.now())
        try:
            deadline = time.monotonic() + SLICE_SECONDS
            while _pass(run):
                if time.monotonic() > deadline:
                    # Its turn is over: let the senders of other subscriptions run, and queue itself behind them.
                    run.sender.close()
                    Subscription.objects.filter(pk=subscription_id).update(lease_until=None, wake_queued=True)
                    _requeue(subscription_id)
                    return sent + run.sent
        except Exception as error:  # a broken sender must not take the worker down; the sweep starts another
            logger.error("webhook sender for subscription %s stopped: %s", subscription_id, error_text(error))
            run.sender.close()
            _give_back_lease(subscription_id)
            raise
        run.sender.close()
        sent += run.sent
        _give_back_lease(subscription_id)
        if not _anything_sendable(subscription_id):
            _schedule_retry(subscription_id)
            break
    return sent


def _requeue(sid: int) -> None:
    from qualify.webhooks.tasks import deliver_subscription

    deliver_subscription.enqueue(sid)


def _schedule_retry(sid: int) -> None:
    """Queue a sender for when the first waiting retry is due (where the task backend can run tasks later)."""
    from qualify.webhooks.tasks import deliver_subscription

    due = Delivery.objects.filter(subscription_id=sid, status=DeliveryStatus.PENDING).aggregate(
        at=Min("next_attempt_at")
    )
    if due["at"] is None or not deliver_subscription.get_backend().supports_defer:
        return
    deliver_subscription.using(run_after=max(due["at"], timezone.now())).enqueue(sid)


def sweep() -> list[int]:
    """Queue a sender for every active subscription with a due delivery and no live sender (``webhooks_sweep``).

    Catches what a dead process left: a sender killed mid-way (its lease lapses), a commit whose wake-up was never
    queued, a retry whose deferred task was lost.
    """
    from qualify.webhooks.tasks import deliver_subscription

    now = timezone.now()
    due = (
        Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now, subscription__active=True)
        .filter(Q(subscription__lease_until__isnull=True) | Q(subscription__lease_until__lt=now))
        .values_list("subscription_id", flat=True)
        .distinct()
    )
    woken = sorted(set(due))
    for sid in woken:
        Subscription.objects.filter(pk=sid).update(wake_queued=True)
        deliver_subscription.enqueue(sid)
    return woken
