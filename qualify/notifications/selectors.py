"""Reads of a person's own notices and preferences."""

from __future__ import annotations

from django.db.models import F, QuerySet

from qualify.core.actor import Actor
from qualify.core.errors import NotFound
from qualify.core.ids import parse_uuid
from qualify.notifications.choices import KINDS
from qualify.notifications.models import Notification, NotificationPreference


def notification_list(*, actor: Actor, unread_only: bool = False) -> QuerySet[Notification]:
    """The actor's inbox: unread first, newest first within each."""
    qs = Notification.objects.visible_to(actor)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by(F("read_at").asc(nulls_first=True), "-created_at", "-pk")


def notification_get(*, actor: Actor, key: object) -> Notification:
    public_id = parse_uuid(key)
    notification = Notification.objects.visible_to(actor).filter(uuid=public_id).first() if public_id else None
    if notification is None:
        raise NotFound("No such notification.")
    return notification


def unread_count(*, actor: Actor) -> int:
    return Notification.objects.visible_to(actor).filter(read_at__isnull=True).count()


def preference_map(*, actor: Actor) -> list[tuple[str, str, bool]]:
    """Every registered kind with its label and whether the actor receives it by e-mail (on by default)."""
    chosen: dict[str, bool] = {}
    if actor.user_id is not None:
        chosen = dict(NotificationPreference.objects.filter(user_id=actor.user_id).values_list("kind", "email"))
    return [(kind, label, chosen.get(kind, True)) for kind, label in sorted(KINDS.items(), key=lambda kv: kv[1])]
