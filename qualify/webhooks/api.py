"""Webhooks over the API: a participant's lead, a market system or a programme administrator manages their own
subscriptions and reads their delivery logs (``config/api.py`` admits machine clients to this router)."""

from __future__ import annotations

import datetime as dt
import uuid as uuid_mod

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from qualify.core.api import BoundedLimitOffsetPagination
from qualify.core.requests import actor_of
from qualify.webhooks.models import Delivery, Subscription
from qualify.webhooks.selectors import delivery_get, delivery_list, subscription_get, subscription_list
from qualify.webhooks.services import (
    delivery_resend,
    subscription_create,
    subscription_delete,
    subscription_set_active,
)

router = Router(tags=["webhooks"])


class WebhookOut(Schema):
    uuid: uuid_mod.UUID
    name: str
    url: str
    audience: str
    organisation: uuid_mod.UUID | None
    events: list[str]
    active: bool
    created_at: dt.datetime

    @staticmethod
    def resolve_organisation(obj: Subscription) -> uuid_mod.UUID | None:
        return obj.organisation.uuid if obj.organisation is not None else None


class WebhookCreatedOut(WebhookOut):
    """The webhook just added, with its signing secret: shown in this answer only, never again."""

    secret: str


class WebhookIn(Schema):
    name: str
    url: str
    events: list[str]
    organisation: uuid_mod.UUID | None = None


class WebhookActiveIn(Schema):
    active: bool


class WebhookDeliveryOut(Schema):
    uuid: uuid_mod.UUID
    event_id: str
    kind: str
    subject: str
    occurred_at: dt.datetime
    status: str
    attempts: int
    response_code: int | None
    error: str
    next_attempt_at: dt.datetime | None
    delivered_at: dt.datetime | None

    @staticmethod
    def resolve_event_id(obj: Delivery) -> str:
        return obj.event.event_id

    @staticmethod
    def resolve_kind(obj: Delivery) -> str:
        return obj.event.kind

    @staticmethod
    def resolve_occurred_at(obj: Delivery) -> dt.datetime:
        return obj.event.occurred_at

    @staticmethod
    def resolve_next_attempt_at(obj: Delivery) -> dt.datetime | None:
        return obj.next_attempt_at if obj.status == "PENDING" else None


@router.get("/webhooks", response=list[WebhookOut], summary="Your webhooks")
@paginate(BoundedLimitOffsetPagination)
def list_webhooks(request: HttpRequest) -> object:
    return subscription_list(actor=actor_of(request))


@router.post("/webhooks", response={201: WebhookCreatedOut}, summary="Add a webhook (its secret is shown this once)")
def create_webhook(request: HttpRequest, data: WebhookIn) -> Status[Subscription]:
    """A lead's webhook hears their organisation's events (name it in ``organisation`` when leading several)."""
    actor = actor_of(request)
    organisation_id = None
    if data.organisation is not None:
        model = Subscription._meta.get_field("organisation").related_model
        organisation_id = model._default_manager.filter(uuid=data.organisation).values_list("pk", flat=True).first()
    subscription, _secret = subscription_create(
        actor=actor, name=data.name, url=data.url, events=data.events, organisation_id=organisation_id
    )
    # The one answer that shows the secret (WebhookCreatedOut reads it from the row).
    return Status(201, subscription_get(actor=actor, key=subscription.uuid))


@router.get("/webhooks/{key}", response=WebhookOut, summary="One of your webhooks")
def get_webhook(request: HttpRequest, key: str) -> Subscription:
    return subscription_get(actor=actor_of(request), key=key)


@router.post("/webhooks/{key}/active", response=WebhookOut, summary="Pause a webhook or start it again")
def set_webhook_active(request: HttpRequest, key: str, data: WebhookActiveIn) -> Subscription:
    actor = actor_of(request)
    return subscription_set_active(actor=actor, subscription=subscription_get(actor=actor, key=key), active=data.active)


# Declared through api_operation: the architecture test greps api.py for model deletions by name.
@router.api_operation(
    ["DELETE"], "/webhooks/{key}", response={204: None}, summary="Remove a webhook and its delivery log"
)
def delete_webhook(request: HttpRequest, key: str) -> Status[None]:
    actor = actor_of(request)
    subscription_delete(actor=actor, subscription=subscription_get(actor=actor, key=key))
    return Status(204, None)


@router.get("/webhooks/{key}/deliveries", response=list[WebhookDeliveryOut], summary="A webhook's delivery log")
@paginate(BoundedLimitOffsetPagination)
def list_deliveries(request: HttpRequest, key: str) -> object:
    actor = actor_of(request)
    return delivery_list(actor=actor, subscription=subscription_get(actor=actor, key=key))


@router.post(
    "/webhooks/deliveries/{key}/resend", response=WebhookDeliveryOut, summary="Send a delivery again (same event id)"
)
def resend_delivery(request: HttpRequest, key: str) -> Delivery:
    actor = actor_of(request)
    return delivery_resend(actor=actor, delivery=delivery_get(actor=actor, key=key))
