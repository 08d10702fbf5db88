"""Reading subscriptions and their delivery logs, as far as the asker may see (``SubscriptionQuerySet.visible_to``)."""

from __future__ import annotations

from django.db.models import QuerySet

from qualify.core.actor import Actor
from qualify.core.errors import NotFound
from qualify.core.ids import parse_uuid
from qualify.webhooks.models import Delivery, Subscription


def subscription_list(*, actor: Actor) -> QuerySet[Subscription]:
    return Subscription.objects.visible_to(actor).select_related("organisation").order_by("name", "id")


def subscription_get(*, actor: Actor, key: object) -> Subscription:
    uuid = parse_uuid(key)
    found = None if uuid is None else subscription_list(actor=actor).filter(uuid=uuid).first()
    if found is None:
        raise NotFound("No such webhook.")
    return found


def delivery_list(*, actor: Actor, subscription: Subscription) -> QuerySet[Delivery]:
    """The subscription's deliveries, newest first (the subscription was read through ``subscription_get``)."""
    visible = Subscription.objects.visible_to(actor).filter(pk=subscription.pk)
    return Delivery.objects.filter(subscription__in=visible).select_related("event", "subscription").order_by("-id")


def delivery_get(*, actor: Actor, key: object) -> Delivery:
    uuid = parse_uuid(key)
    visible = Subscription.objects.visible_to(actor)
    found = (
        None
        if uuid is None
        else Delivery.objects.filter(uuid=uuid, subscription__in=visible)
        .select_related("event", "subscription")
        .first()
    )
    if found is None:
        raise NotFound("No such delivery.")
    return found
