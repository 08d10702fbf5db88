"""Permission matrix rows for the webhooks pages and API (collected by tests/test_permission_matrix.py).

``prepare`` gives Northwind (organisation A) a webhook, made by its lead, with one delivery waiting in its log.
"""

from __future__ import annotations

from django.urls import reverse

from qualify.webhooks.choices import EventKind
from qualify.webhooks.models import Delivery
from qualify.webhooks.services import emit, subscription_create
from tests.matrix import A_MEMBERS, MACHINE, SIGNED_IN, STAFF, endpoint, every, page

OTHER_STAFF = [k for k in STAFF if k != "admin"]
MANAGERS = ["lead_a", "admin"]


def prepare(cast) -> None:
    cast.webhook_a, _ = subscription_create(
        actor=cast.actor("lead_a"), name="Northwind CRM", url="https://example.com/hook", events=["register.qualified"]
    )
    emit(EventKind.REGISTER_QUALIFIED, subject="NWEN/SUPPLIER", organisation_id=cast.org_a.pk, payload={})
    cast.delivery_a = Delivery.objects.get(subscription=cast.webhook_a)


key = lambda c: str(c.webhook_a.uuid)  # noqa: E731
seen_by_a = {**every(A_MEMBERS, 200), "lead_b": 404, **every(STAFF, 200)}
# A person who may see the webhook but not change it is sent back to it with the reason (the service refuses).
changed_by_a = {**every(A_MEMBERS, 302), "lead_b": 404, **every(STAFF, 302)}
managed_by_a = {
    **every(MANAGERS, 200),
    **every(["contributor_a", "viewer_a", *OTHER_STAFF], 403),
    "lead_b": 404,
    MACHINE: 404,
}
new_webhook = {"name": "Matrix", "url": "https://example.com/new", "events": ["register.qualified"]}

ROWS = [
    page("webhooks:list", lambda c: reverse("webhooks:list"), every(SIGNED_IN, 200)),
    page("webhooks:detail", lambda c: reverse("webhooks:detail", args=[key(c)]), seen_by_a),
    page("webhooks:active", lambda c: reverse("webhooks:active", args=[key(c)]), changed_by_a, method="post"),
    page(
        "webhooks:remove",
        lambda c: reverse("webhooks:remove", args=[key(c)]),
        changed_by_a,
        method="post",
        data=lambda c: {"confirm": "on"},
    ),
    page(
        "webhooks:resend",
        lambda c: reverse("webhooks:resend", args=[str(c.delivery_a.uuid)]),
        changed_by_a,
        method="post",
    ),
    endpoint("GET /webhooks", lambda c: "/api/v1/webhooks", {**every(SIGNED_IN, 200), MACHINE: 200}),
    endpoint(
        "POST /webhooks",
        lambda c: "/api/v1/webhooks",
        {
            **every(["lead_a", "lead_b", "admin", MACHINE], 201),
            **every(["contributor_a", "viewer_a", *OTHER_STAFF], 403),
        },
        method="post",
        data=lambda c: new_webhook,
    ),
    endpoint("GET /webhooks/{key}", lambda c: f"/api/v1/webhooks/{key(c)}", {**seen_by_a, MACHINE: 404}),
    endpoint(
        "POST /webhooks/{key}/active",
        lambda c: f"/api/v1/webhooks/{key(c)}/active",
        managed_by_a,
        method="post",
        data=lambda c: {"active": False},
    ),
    endpoint(
        "DELETE /webhooks/{key}",
        lambda c: f"/api/v1/webhooks/{key(c)}",
        {**managed_by_a, **every(MANAGERS, 204)},
        method="delete",
    ),
    endpoint(
        "GET /webhooks/{key}/deliveries",
        lambda c: f"/api/v1/webhooks/{key(c)}/deliveries",
        {**seen_by_a, MACHINE: 404},
    ),
    endpoint(
        "POST /webhooks/deliveries/{key}/resend",
        lambda c: f"/api/v1/webhooks/deliveries/{c.delivery_a.uuid}/resend",
        managed_by_a,
        method="post",
    ),
]
