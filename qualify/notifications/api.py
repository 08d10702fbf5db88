"""The inbox over the API: a person's own notices and marking them read."""

import datetime as dt
import uuid as uuid_mod

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from qualify.core.api import BoundedLimitOffsetPagination
from qualify.core.requests import actor_of
from qualify.core.text import one_line
from qualify.notifications.models import Notification
from qualify.notifications.selectors import notification_get, notification_list
from qualify.notifications.services import notification_mark_all_read, notification_mark_read

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    uuid: uuid_mod.UUID
    kind: str
    title: str
    body: str
    link: str
    subject: str
    created_at: dt.datetime
    read_at: dt.datetime | None


class MarkedOut(Schema):
    marked: int


@router.get("/notifications", response=list[NotificationOut], summary="Your notices, unread first")
@paginate(BoundedLimitOffsetPagination)
def list_notifications(request: HttpRequest, unread: bool = False, kind: str = "", subject: str = "") -> object:
    """Filtered by kind (e.g. ``assessment.query_raised``) and by subject (a case reference) when given."""
    return notification_list(
        actor=actor_of(request), unread_only=unread, kind=one_line(kind, limit=80), subject=one_line(subject, limit=80)
    )


@router.post("/notifications/read-all", response=MarkedOut, summary="Mark all your notices read")
def read_all(request: HttpRequest) -> dict[str, int]:
    return {"marked": notification_mark_all_read(actor=actor_of(request))}


@router.post("/notifications/{key}/read", response=NotificationOut, summary="Mark one of your notices read")
def read_one(request: HttpRequest, key: str) -> Notification:
    actor = actor_of(request)
    return notification_mark_read(actor=actor, notification=notification_get(actor=actor, key=key))
