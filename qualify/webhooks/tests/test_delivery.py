"""Webhook deliveries against a real receiver on loopback (issue 16): signed, scoped to the subscriber's organisation,
in order per subject behind a retry, never for a rolled-back change, re-sent on request."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from qualify.core.actor import system_actor
from qualify.register.choices import RegisterEventKind, RegisterEventSource
from qualify.register.services import register_event_record
from qualify.testing.tests.helpers import prequalify
from qualify.webhooks.choices import DeliveryStatus, EventKind
from qualify.webhooks.dispatch import subscription_drain, sweep
from qualify.webhooks.models import Delivery, WebhookEvent
from qualify.webhooks.services import delivery_resend, emit, subscription_create, subscription_set_active
from qualify.webhooks.tests.receiver import Receiver, receiving, verify

pytestmark = pytest.mark.django_db

REGISTER = [EventKind.REGISTER_QUALIFIED, EventKind.REGISTER_SUSPENDED]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with receiving() as r:
        yield r


def record(participation, kind=RegisterEventKind.QUALIFIED, day=None):  # type: ignore[no-untyped-def]
    return register_event_record(
        actor=system_actor("test"),
        participation=participation,
        kind=kind,
        effective_date=day or timezone.localdate(),
        source=RegisterEventSource.IMPORT,
    )


def test_a_delivery_is_signed_so_the_subscriber_can_verify_it(cast, receiver, django_capture_on_commit_callbacks):
    _, secret = subscription_create(actor=cast.actor("lead_a"), name="Our CRM", url=receiver.url, events=REGISTER)
    assert secret.startswith("whsec_")
    with django_capture_on_commit_callbacks(execute=True):
        record(cast.supplier_a)

    (got,) = receiver.requests
    assert verify(secret, got.headers, got.body)
    assert not verify("whsec_" + "A" * 32, got.headers, got.body)  # another secret does not pass
    assert not verify(secret, got.headers, got.body.replace(b"NWEN", b"NWEX"))  # nor a changed body
    event = WebhookEvent.objects.get()
    assert got.headers["webhook-id"] == event.event_id
    assert abs(int(got.headers["webhook-timestamp"]) - timezone.now().timestamp()) < 60
    assert got.document["type"] == "register.qualified"
    assert got.document["data"]["subject"] == "NWEN/SUPPLIER"
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_code) == (DeliveryStatus.DELIVERED, 1, 200)


def test_a_participants_webhook_hears_only_its_own_organisations_events(
    cast, receiver, django_capture_on_commit_callbacks
):
    with receiving() as other:
        subscription_create(actor=cast.actor("lead_a"), name="A", url=receiver.url, events=REGISTER)
        subscription_create(actor=cast.actor("lead_b"), name="B", url=other.url, events=REGISTER)
        subscription_create(actor=cast.actor("admin"), name="Programme", url=other.url + "/all", events=REGISTER)
        with django_capture_on_commit_callbacks(execute=True):
            record(cast.supplier_a)
            record(cast.supplier_b)
        assert [r.subject for r in receiver.requests] == ["NWEN/SUPPLIER"]
        assert sorted(r.subject for r in other.requests) == ["NWEN/SUPPLIER", "SBPW/SUPPLIER", "SBPW/SUPPLIER"]


def test_a_case_step_is_announced_to_the_cases_organisation(cast, receiver, django_capture_on_commit_callbacks):
    subscription_create(actor=cast.actor("lead_a"), name="A", url=receiver.url, events=[EventKind.CASE_STATE_CHANGED])
    with django_capture_on_commit_callbacks(execute=True):
        prequalify(cast.case_a)  # fills the form in and takes the case step "submit pre-qualification"
    (got,) = receiver.requests
    assert got.document["type"] == "case.state_changed"
    assert got.document["data"]["case"] == cast.case_a.reference
    assert got.document["data"]["step"] == "submit_prequalification"


def test_no_event_is_kept_or_sent_for_a_change_that_rolled_back(cast, receiver, django_capture_on_commit_callbacks):
    subscription_create(actor=cast.actor("lead_a"), name="A", url=receiver.url, events=REGISTER)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():  # noqa: PT012
        record(cast.supplier_a)
        assert WebhookEvent.objects.count() == 1  # written in the change's own transaction...
        raise RuntimeError("the change fails after the event was written")
    assert WebhookEvent.objects.count() == 0  # ...and gone with it
    assert Delivery.objects.count() == 0
    assert sweep() == []
    assert receiver.requests == []


def test_a_subject_waits_behind_its_retry_while_other_subjects_go_on(
    cast, receiver, django_capture_on_commit_callbacks
):
    subscription, _ = subscription_create(actor=cast.actor("lead_a"), name="A", url=receiver.url, events=REGISTER)
    receiver.script = [500]  # the first post fails
    with django_capture_on_commit_callbacks(execute=True):
        record(cast.supplier_a)
        record(cast.supplier_a, kind=RegisterEventKind.SUSPENDED)
        record(cast.mem_a)
    # NWEN's first event failed; its second waits behind it; NWMS is not held up.
    assert [(r.subject, r.status) for r in receiver.requests] == [("NWEN/SUPPLIER", 500), ("NWMS/MEM", 200)]
    first = Delivery.objects.filter(subject="NWEN/SUPPLIER").order_by("id").first()
    assert first is not None
    assert (first.status, first.attempts, first.response_code) == (DeliveryStatus.PENDING, 1, 500)
    assert first.next_attempt_at > timezone.now()
    assert "\x00" not in first.response_snippet and first.response_snippet.startswith("broken")

    assert subscription_drain(subscription.pk) == 0  # not yet due: nothing goes, in either order
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=5), tick=True):
        assert sweep() == [subscription.pk]
    assert [(r.subject, r.document["type"], r.status) for r in receiver.requests[2:]] == [
        ("NWEN/SUPPLIER", "register.qualified", 200),
        ("NWEN/SUPPLIER", "register.suspended", 200),
    ]
    assert receiver.requests[0].headers["webhook-id"] == receiver.requests[2].headers["webhook-id"]
    first.refresh_from_db()
    assert (first.status, first.attempts) == (DeliveryStatus.DELIVERED, 2)


def test_a_delivery_that_keeps_failing_is_given_up_and_can_be_re_sent(
    cast, receiver, settings, django_capture_on_commit_callbacks
):
    settings.QUALIFY_WEBHOOK_MAX_ATTEMPTS = 2
    _, secret = subscription_create(actor=cast.actor("lead_a"), name="A", url=receiver.url, events=REGISTER)
    receiver.script = [503, 503]
    with django_capture_on_commit_callbacks(execute=True):
        record(cast.supplier_a)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=5), tick=True):
        sweep()
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_code) == (DeliveryStatus.FAILED, 2, 503)
    assert sweep() == []  # given up: nothing more goes

    with django_capture_on_commit_callbacks(execute=True):
        delivery_resend(actor=cast.actor("lead_a"), delivery=delivery)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == (DeliveryStatus.DELIVERED, 3, 200)
    assert len({r.headers["webhook-id"] for r in receiver.requests}) == 1  # the same event each time
    assert verify(secret, receiver.requests[-1].headers, receiver.requests[-1].body)


def test_an_endpoint_that_is_not_https_or_not_public_is_refused_in_production(cast, settings):
    from qualify.core.errors import ValidationFailed
    from qualify.webhooks.sender import EndpointRefused, resolve

    settings.QUALIFY_WEBHOOK_ALLOW_PRIVATE = False
    for url in ["http://example.com/hook", "ftp://example.com/", "https://user:pw@example.com/"]:
        with pytest.raises(ValidationFailed):
            subscription_create(actor=cast.actor("lead_a"), name="A", url=url, events=REGISTER)
    for host in ["127.0.0.1", "10.1.2.3", "169.254.169.254", "::1", "localhost"]:
        with pytest.raises(EndpointRefused):
            resolve(host, 443)


def test_events_without_a_listener_write_nothing(cast):
    assert emit(EventKind.QUERY_RAISED, subject="QRY-1", organisation_id=cast.org_a.pk, payload={}) is None
    assert WebhookEvent.objects.count() == 0


def test_a_paused_webhook_gets_no_new_events_and_sends_what_waited_when_started_again(
    cast, receiver, django_capture_on_commit_callbacks
):
    lead = cast.actor("lead_a")
    subscription, _ = subscription_create(actor=lead, name="A", url=receiver.url, events=REGISTER)
    receiver.script = [500]
    with django_capture_on_commit_callbacks(execute=True):
        record(cast.supplier_a)  # fails once: waits for its retry
    subscription_set_active(actor=lead, subscription=subscription, active=False)
    record(cast.mem_a)  # not made at all while paused
    assert Delivery.objects.count() == 1
    Delivery.objects.update(next_attempt_at=timezone.now())  # its retry is due
    assert sweep() == []  # a paused webhook is not sent to
    with django_capture_on_commit_callbacks(execute=True):
        subscription_set_active(actor=lead, subscription=subscription, active=True)
    assert [(r.subject, r.status) for r in receiver.requests] == [("NWEN/SUPPLIER", 500), ("NWEN/SUPPLIER", 200)]


def test_a_register_import_announces_each_new_event_to_the_organisations_webhook(
    cast, receiver, django_capture_on_commit_callbacks
):
    from qualify.register.imports import register_import

    subscription_create(actor=cast.actor("lead_a"), name="A", url=receiver.url, events=REGISTER)
    today = timezone.localdate().isoformat()
    rows = [
        "organisation,mpid,role,event,date,distributor_ids",
        f"Northwind Energy Ltd,NWEN,SUPPLIER,QUALIFIED,{today},",
        f"Northwind Energy Ltd,NWEN,SUPPLIER,SUSPENDED,{today},",
        f"Southbank Power plc,SBPW,SUPPLIER,QUALIFIED,{today},",  # another organisation's: not A's to hear
    ]
    with django_capture_on_commit_callbacks(execute=True):
        register_import(actor=system_actor("test"), text="\n".join(rows), source_name="register.csv")
    assert [(r.subject, r.document["type"]) for r in receiver.requests] == [
        ("NWEN/SUPPLIER", "register.qualified"),
        ("NWEN/SUPPLIER", "register.suspended"),
    ]


def test_a_consultation_opening_is_public_news_for_every_participant_that_listens(
    cast, receiver, django_capture_on_commit_callbacks
):
    from qualify.library.tests.helpers import BEFORE_OPENING, make_artefact, make_version, open_consultation

    with receiving() as other:
        events = [EventKind.CONSULTATION_OPENED]
        subscription_create(actor=cast.actor("lead_a"), name="A", url=receiver.url, events=events)
        subscription_create(actor=cast.actor("lead_b"), name="B", url=other.url, events=events)
        with time_machine.travel(BEFORE_OPENING, tick=True), django_capture_on_commit_callbacks(execute=True):
            consultation = open_consultation(make_version(make_artefact(), with_files=False))
        for got in (receiver.requests, other.requests):
            assert [(r.document["type"], r.subject) for r in got] == [("consultation.opened", consultation.reference)]
