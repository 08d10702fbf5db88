"""Reads of a person's own notices and preferences."""

from __future__ import annotations

from django.db.models import F, QuerySet

from qualify.core.actor import Actor
from qualify.core.errors import NotFound
from qualify.core.ids import parse_uuid
from qualify.notifications.choices import KINDS, kind_label
from qualify.notifications.models import Notification, NotificationPreference


def notification_list(
    *, actor: Actor, unread_only: bool = False, kind: str = "", subject: str = ""
) -> QuerySet[Notification]:
    """The actor's inbox: unread first, newest first within each; of one kind and about one subject when given."""
    qs = Notification.objects.visible_to(actor)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    if kind:
        qs = qs.filter(kind=kind)
    if subject:
        qs = qs.filter(subject=subject)
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


def inbox_facets(*, actor: Actor) -> tuple[list[tuple[str, str]], list[str]]:
    """What the person's inbox can be filtered by: the kinds of notice they have (with labels) and the subjects
    (case references) they have notices about, each once, in order (two queries on the inbox's own index)."""
    own = Notification.objects.visible_to(actor)
    kinds = sorted(own.order_by().values_list("kind", flat=True).distinct())
    subjects = sorted(own.exclude(subject="").order_by().values_list("subject", flat=True).distinct())
    return [(k, kind_label(k)) for k in kinds], subjects
