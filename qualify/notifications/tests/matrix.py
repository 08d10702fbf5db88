"""Permission matrix rows for the inbox, preferences and the notifications API (collected by
tests/test_permission_matrix.py). ``prepare`` sends Northwind's lead one notice."""

from __future__ import annotations

from django.urls import reverse

from qualify.notifications.services import notify
from tests.matrix import SIGNED_IN, endpoint, every, page

OTHERS = [k for k in SIGNED_IN if k != "lead_a"]


def prepare(cast) -> None:
    (cast.notice_a,) = notify(
        recipients=[cast.user("lead_a")], kind="matrix.notice", title="For Ada only", body="", link="/"
    )


ROWS = [
    page("notifications:inbox", lambda c: reverse("notifications:inbox"), every(SIGNED_IN, 200)),
    page("notifications:preferences", lambda c: reverse("notifications:preferences"), every(SIGNED_IN, 200)),
    page(
        "notifications:mark_all_read",
        lambda c: reverse("notifications:mark_all_read"),
        every(SIGNED_IN, 302),
        method="post",
    ),
    page(
        "notifications:mark_read",
        lambda c: reverse("notifications:mark_read", args=[str(c.notice_a.uuid)]),
        {**every(OTHERS, 404), "lead_a": 302},
        method="post",
    ),
    endpoint("GET /notifications", lambda c: "/api/v1/notifications", {**every(SIGNED_IN, 200), "machine": 403}),
    endpoint(
        "POST /notifications/read-all",
        lambda c: "/api/v1/notifications/read-all",
        {**every(SIGNED_IN, 200), "machine": 403},
        method="post",
    ),
    endpoint(
        "POST /notifications/{key}/read",
        lambda c: f"/api/v1/notifications/{c.notice_a.uuid}/read",
        {**every(OTHERS, 404), "lead_a": 200, "machine": 403},
        method="post",
    ),
]
