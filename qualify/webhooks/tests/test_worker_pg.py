"""A real ``manage.py db_worker`` killed (``kill -9``) between the commit and the post (issue 16): after a restart
and the sweep, every event reaches the receiver, once per event id, in order.

Commits for real (the worker is another process), so PostgreSQL only, as ``gating/tests/test_worker_pg.py``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from qualify.core.actor import system_actor
from qualify.core.tests.postgres import _postgresql_only, database_url  # noqa: F401  (the fixture applies to this module)
from qualify.register.choices import RegisterEventKind, RegisterEventSource
from qualify.register.services import register_event_record
from qualify.webhooks.choices import DeliveryStatus, EventKind
from qualify.webhooks.dispatch import sweep
from qualify.webhooks.models import Delivery, Subscription, WebhookEvent
from qualify.webhooks.services import subscription_create
from qualify.webhooks.tests.receiver import receiving, verify

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def workers(settings: Any, tmp_path: Path) -> Iterator[Callable[..., subprocess.Popen[bytes]]]:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    started: list[subprocess.Popen[bytes]] = []

    def start(*, pause: float = 0) -> subprocess.Popen[bytes]:
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "DJANGO_SETTINGS_MODULE": "qualify.webhooks.tests.worker_settings",
            "QUALIFY_TEST_WEBHOOK_PAUSE": str(pause),
        }
        log = open(tmp_path / f"worker-{len(started)}.log", "wb")  # noqa: SIM115  (closed with the process)
        command = ["manage.py", "db_worker", "--interval", "0.1", "--no-startup-delay", "--no-reload"]
        process = subprocess.Popen(  # noqa: S603  (this interpreter running the project's own command)
            [sys.executable, *command, "--worker-id", "worker-1"], cwd=ROOT, env=env, stdout=log, stderr=log
        )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


def wait_for(what: str, check: Callable[[], object], worker: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        assert worker.poll() is None, f"the worker exited (code {worker.returncode}) while waiting for {what}"
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_worker_killed_between_commit_and_send_delivers_each_event_once_after_restart(cast, workers):
    with receiving() as receiver:
        _, secret = subscription_create(
            actor=cast.actor("lead_a"),
            name="A",
            url=receiver.url,
            events=[EventKind.REGISTER_QUALIFIED, EventKind.REGISTER_SUSPENDED],
        )
        first = workers(pause=60)  # holds the sender before its first post
        for kind in (RegisterEventKind.QUALIFIED, RegisterEventKind.SUSPENDED):
            register_event_record(  # each commits on its own (a transactional test), and wakes the sender
                actor=system_actor("test"),
                participation=cast.supplier_a,
                kind=kind,
                effective_date=timezone.localdate(),
                source=RegisterEventSource.IMPORT,
            )
        subscription = Subscription.objects.get()
        wait_for("the sender to take the webhook", lambda: Subscription.objects.get().lease_until, first)

        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        assert receiver.requests == []  # committed, never sent
        assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.PENDING}

        second = workers()

        def swept_and_delivered() -> bool:
            sweep()  # what the operator's schedule runs: starts a sender once the dead one's lease has lapsed
            return Delivery.objects.filter(status=DeliveryStatus.DELIVERED).count() == 2

        wait_for("both events to be delivered", swept_and_delivered, second)

    event_ids = list(WebhookEvent.objects.order_by("id").values_list("event_id", flat=True))
    assert receiver.unique_ids() == dict.fromkeys(event_ids, 1)  # each event once
    assert [r.headers["webhook-id"] for r in receiver.delivered] == event_ids  # in order
    assert all(verify(secret, r.headers, r.body) for r in receiver.delivered)
    subscription.refresh_from_db()
    assert subscription.lease_until is None and not subscription.wake_queued
