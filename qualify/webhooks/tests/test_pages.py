"""The webhooks pages and API as people and machines use them: the secret is shown once, a participant manages only its
own organisation's webhooks, removal asks first, and a market system may choose only public events."""

from __future__ import annotations

import pytest
from django.urls import reverse

from qualify.webhooks.choices import DeliveryStatus, EventKind
from qualify.webhooks.models import Delivery, Subscription
from qualify.webhooks.services import emit, subscription_create

pytestmark = pytest.mark.django_db


def test_a_lead_adds_a_webhook_on_the_page_and_sees_its_secret_once(cast, client_for):
    client = client_for("lead_a")
    form = {
        "name": "Our CRM",
        "url": "https://crm.northwind.test/hooks",
        "events": ["register.qualified", "query.raised"],
    }
    response = client.post(reverse("webhooks:list"), form)
    subscription = Subscription.objects.get()
    assert (subscription.organisation_id, subscription.audience) == (cast.org_a.pk, "ORGANISATION")
    assert subscription.secret in response.content.decode()
    again = client.get(reverse("webhooks:list")).content.decode()
    assert "Our CRM" in again and "Register: qualified" in again and subscription.secret not in again
    detail = client.get(reverse("webhooks:detail", args=[subscription.uuid])).content.decode()
    assert subscription.secret not in detail


def test_a_contributor_sees_the_webhooks_but_gets_no_form_and_cannot_remove_one(cast, client_for):
    subscription, _ = subscription_create(
        actor=cast.actor("lead_a"), name="CRM", url="https://crm.test/h", events=[EventKind.QUERY_RAISED]
    )
    client = client_for("contributor_a")
    page = client.get(reverse("webhooks:list")).content.decode()
    assert "CRM" in page and "Add a webhook" not in page
    client.post(reverse("webhooks:remove", args=[subscription.uuid]), {"confirm": "on"})
    assert Subscription.objects.filter(pk=subscription.pk).exists()


def test_removing_a_webhook_asks_for_confirmation_first(cast, client_for):
    subscription, _ = subscription_create(
        actor=cast.actor("lead_a"), name="CRM", url="https://crm.test/h", events=[EventKind.QUERY_RAISED]
    )
    client = client_for("lead_a")
    asked = client.post(reverse("webhooks:remove", args=[subscription.uuid]))
    assert asked.status_code == 200 and "Remove webhook" in asked.content.decode()
    assert Subscription.objects.filter(pk=subscription.pk).exists()
    client.post(reverse("webhooks:remove", args=[subscription.uuid]), {"confirm": "on"})
    assert not Subscription.objects.filter(pk=subscription.pk).exists()


def test_the_delivery_log_shows_status_and_offers_a_re_send(cast, client_for, django_assert_max_num_queries):
    subscription, _ = subscription_create(
        actor=cast.actor("lead_a"), name="CRM", url="https://crm.test/h", events=[EventKind.QUERY_RAISED]
    )
    for n in range(3):
        emit(EventKind.QUERY_RAISED, subject=f"QRY-{n}", organisation_id=cast.org_a.pk, payload={})
    Delivery.objects.filter(subject="QRY-0").update(status=DeliveryStatus.FAILED, attempts=8, response_code=502)
    client = client_for("lead_a")
    with django_assert_max_num_queries(12):  # one page of the log costs the same however long it is
        page = client.get(reverse("webhooks:detail", args=[subscription.uuid])).content.decode()
    assert "QRY-2" in page and "502" in page and "Failed (gave up)" in page
    assert page.count("Re-send") == 1  # only the finished delivery can be re-sent


def test_a_market_system_manages_its_own_webhooks_for_public_events_only(cast, token_for, client_for):
    headers = token_for("machine")
    client = client_for(None)
    created = client.post(
        "/api/v1/webhooks",
        {"name": "Registration", "url": "https://reg.market.test/h", "events": ["register.revoked"]},
        content_type="application/json",
        **headers,
    )
    assert created.status_code == 201
    assert created.json()["secret"].startswith("whsec_")
    assert created.json()["audience"] == "MARKET_SYSTEM"
    refused = client.post(
        "/api/v1/webhooks",
        {"name": "Nosy", "url": "https://reg.market.test/h", "events": ["query.raised"]},
        content_type="application/json",
        **headers,
    )
    assert refused.status_code == 422
    listed = client.get("/api/v1/webhooks", **headers).json()
    assert [w["name"] for w in listed["items"]] == ["Registration"]
    assert "secret" not in listed["items"][0]
    # A participant's webhook is not the market system's to see.
    theirs, _ = subscription_create(
        actor=cast.actor("lead_a"), name="CRM", url="https://crm.test/h", events=[EventKind.QUERY_RAISED]
    )
    assert client.get(f"/api/v1/webhooks/{theirs.uuid}", **headers).status_code == 404


def test_the_programme_sees_every_organisations_webhooks_a_page_at_a_time(cast, client_for):
    for n in range(51):
        subscription_create(
            actor=cast.actor("lead_a"), name=f"Hook {n:02d}", url="https://crm.test/h", events=[EventKind.QUERY_RAISED]
        )
    client = client_for("admin")
    first = client.get(reverse("webhooks:list")).content.decode()
    assert "Hook 49" in first and "Hook 50" not in first and "Page 1 of 2" in first
    second = client.get(reverse("webhooks:list"), {"page": 2}).content.decode()
    assert "Hook 50" in second and "Hook 00" not in second
