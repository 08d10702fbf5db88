"""Permission matrix rows for every library page and endpoint (collected by tests/test_permission_matrix.py).

``prepare`` builds: MHHS-DEL1234 with a baselined v1.0 (files) and a draft v2.0 (files); a consultation open now on
v3.0; Northwind's draft comment and submitted comment; v4.0 approved for governance (never consulted on); and a
consultation on v5.0 that has closed with no comments, ready to be reported to QWG.
"""

from __future__ import annotations

import datetime as dt

import time_machine
from django.urls import reverse
from django.utils import timezone

from qualify.core.actor import system_actor
from qualify.library.choices import CommentCategory
from qualify.library.services import approval_record, comment_create, consultation_open, version_approve
from qualify.library.tests.helpers import MEMBER_OF, make_artefact, make_version
from tests.matrix import A_MEMBERS, SIGNED_IN, STAFF, Row, endpoint, every, page

PARTICIPANTS = [*A_MEMBERS, "lead_b"]
NOT_ADMIN = [k for k in SIGNED_IN if k != "admin"]
ANSWERERS = ["admin", "bsc", "rec", "dip"]  # the Programme and the Code Bodies answer comments
NOT_ANSWERERS = [k for k in SIGNED_IN if k not in ANSWERERS]


def prepare(cast) -> None:
    admin = system_actor("matrix")
    artefact = make_artefact()
    baselined = make_version(artefact, "1.0")
    version_approve(actor=admin, version=baselined)
    for body in artefact.required_bodies:
        approval_record(
            actor=cast.actor(MEMBER_OF[body]),
            version=baselined,
            body=body,
            decision="APPROVE",
            decided_on=timezone.localdate(),
            minutes_reference="M-1",
        )
    cast.lib_baselined = baselined
    cast.lib_draft = make_version(artefact, "2.0")
    consulted = make_version(artefact, "3.0")
    now = timezone.now()
    cast.lib_consultation = consultation_open(
        actor=admin,
        title="v3.0",
        versions=[consulted],
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=10),
    )

    def _comment(clause: str, submit: bool):
        return comment_create(
            actor=cast.actor("lead_a"),
            consultation=cast.lib_consultation,
            version=consulted,
            organisation=cast.org_a,
            clause_reference=clause,
            text="Matrix comment",
            category=CommentCategory.QUESTION,
            submit=submit,
        )

    cast.lib_comment_draft = _comment("1.1", False)
    cast.lib_comment_sent = _comment("1.2", True)
    cast.lib_consulted = consulted
    cast.lib_approved = version_approve(actor=admin, version=make_version(artefact, "4.0"))
    closed = make_version(artefact, "5.0")
    with time_machine.travel(now - dt.timedelta(days=30), tick=False):
        cast.lib_closed = consultation_open(
            actor=admin,
            title="v5.0",
            versions=[closed],
            opens_at=now - dt.timedelta(days=29),
            closes_at=now - dt.timedelta(days=1),
        )


def _public() -> dict[str | None, int]:
    return {None: 200, **every(SIGNED_IN, 200)}


def _staff_only(ok: int) -> dict[str | None, int]:
    return {**every(PARTICIPANTS, 404), **every(STAFF, ok)}


v1 = lambda c: str(c.lib_baselined.uuid)  # noqa: E731
draft = lambda c: str(c.lib_draft.uuid)  # noqa: E731
con = lambda c: str(c.lib_consultation.uuid)  # noqa: E731
closed_con = lambda c: str(c.lib_closed.uuid)  # noqa: E731
approved = lambda c: str(c.lib_approved.uuid)  # noqa: E731
own_draft = lambda c: str(c.lib_comment_draft.uuid)  # noqa: E731
own_sent = lambda c: str(c.lib_comment_sent.uuid)  # noqa: E731

ROWS = [
    Row("library:index", lambda c: reverse("library:index"), _public()),
    Row("library:export", lambda c: reverse("library:export", args=["csv"]), _public()),
    Row("library:artefact", lambda c: reverse("library:artefact", args=["MHHS-DEL1234"]), _public()),
    Row("library:version", lambda c: reverse("library:version", args=[v1(c)]), _public()),
    Row(
        "library:version (draft)",
        lambda c: reverse("library:version", args=[draft(c)]),
        {None: 404, **_staff_only(200)},
    ),
    Row("library:download", lambda c: reverse("library:download", args=[v1(c), "clean"]), _public()),
    Row(
        "library:download (draft)",
        lambda c: reverse("library:download", args=[draft(c), "redline"]),
        {None: 404, **_staff_only(200)},
    ),
    page("library:manage", lambda c: reverse("library:manage"), {**every(NOT_ADMIN, 403), "admin": 200}),
    page(
        "library:version_add",
        lambda c: reverse("library:version_add", args=["MHHS-DEL1234"]),
        {**every(NOT_ADMIN, 403), "admin": 302},
        method="post",
        data=lambda c: {"version": "9.9"},
    ),
    page(
        "library:approve",
        lambda c: reverse("library:approve", args=[draft(c)]),
        {**every(NOT_ADMIN, 403), "admin": 302},
        method="post",
        data=lambda c: {"confirm": "on"},
    ),
    page(
        "library:decision",
        lambda c: reverse("library:decision", args=[draft(c)]),
        # Only the governance bodies' members reach the form's service (a refusal there comes back as a message on
        # the version page); the Programme and everyone else are refused outright.
        {**every(SIGNED_IN, 403), "qag": 302, "board": 302, "rec_decider": 302},
        method="post",
        data=lambda c: {
            "confirm": "on",
            "body": "QAG",
            "decision": "DEFER",
            "decided_on": "2026-01-05",
            "minutes_reference": "M",
        },
    ),
    page("library:consultations", lambda c: reverse("library:consultations"), every(SIGNED_IN, 200)),
    page(
        "library:consultation_create",
        lambda c: reverse("library:consultation_create"),
        {**every(NOT_ADMIN, 403), "admin": 200},
    ),
    page("library:consultation", lambda c: reverse("library:consultation", args=[con(c)]), every(SIGNED_IN, 200)),
    # Form posts answer with a redirect and a message; whether anything was saved is tested in the app's tests.
    page(
        "library:comment_add",
        lambda c: reverse("library:comment_add", args=[con(c)]),
        every(SIGNED_IN, 302),
        method="post",
        data=lambda c: {
            "version": str(c.lib_consulted.uuid),
            "clause_reference": "2",
            "text": "matrix",
            "category": "QUESTION",
            "action": "draft",
        },
    ),
    page(
        "library:no_comments",
        lambda c: reverse("library:no_comments", args=[con(c)]),
        every(SIGNED_IN, 302),
        method="post",
        data=lambda c: {"confirm": "on"},
    ),
    page(
        "library:log",
        lambda c: reverse("library:log", args=[con(c)]),
        {**every(PARTICIPANTS, 403), **every(STAFF, 200)},
    ),
    page(
        "library:log_export",
        lambda c: reverse("library:log_export", args=[con(c)]),
        {**every(PARTICIPANTS, 403), **every(STAFF, 200)},
    ),
    page(
        "library:qwg_report",
        lambda c: reverse("library:qwg_report", args=[closed_con(c)]),
        {**every(NOT_ADMIN, 403), "admin": 302},
        method="post",
        data=lambda c: {
            "confirm": "on",
            "reported_on": timezone.localdate().isoformat(),
            "minutes_reference": "QWG-1",
            "log_document_number": "MHHS-DEL9001",
        },
    ),
    page(
        "library:comment",
        lambda c: reverse("library:comment", args=[own_draft(c)]),
        {**every(A_MEMBERS, 200), "lead_b": 404, **every(STAFF, 404)},
    ),
    page(
        "library:comment (submitted)",
        lambda c: reverse("library:comment", args=[own_sent(c)]),
        {**every(A_MEMBERS, 200), "lead_b": 404, **every(STAFF, 200)},
    ),
    page(
        "library:comment_submit",
        lambda c: reverse("library:comment_submit", args=[own_draft(c)]),
        {**every(A_MEMBERS, 302), "lead_b": 404, **every(STAFF, 404)},
        method="post",
        data=lambda c: {"confirm": "on"},
    ),
    page(
        "library:answer",
        lambda c: reverse("library:answer", args=[own_sent(c)]),
        {**every(NOT_ANSWERERS, 403), **every(ANSWERERS, 302)},
        method="post",
        data=lambda c: {"response": "ok", "outcome": "NOTED"},
    ),
    endpoint(
        "GET /library/artefacts", lambda c: "/api/v1/library/artefacts", {**every(SIGNED_IN, 200), "machine": 200}
    ),
    endpoint(
        "GET /library/artefacts/{document_number}",
        lambda c: "/api/v1/library/artefacts/MHHS-DEL1234",
        {**every(SIGNED_IN, 200), "machine": 200},
    ),
    endpoint(
        "GET /library/versions/{key}",
        lambda c: f"/api/v1/library/versions/{v1(c)}",
        {**every(SIGNED_IN, 200), "machine": 200},
    ),
    endpoint(
        "POST /library/versions/{key}/decisions",
        lambda c: f"/api/v1/library/versions/{approved(c)}/decisions",
        {**every(SIGNED_IN, 403), "qag": 201, "machine": 403},  # QAG's decision: QAG's members only
        method="post",
        data=lambda c: {
            "body": "QAG",
            "decision": "DEFER",
            "decided_on": timezone.localdate().isoformat(),
            "minutes_reference": "QAG-1",
        },
    ),
    endpoint(
        "GET /library/versions/{key} (draft)",
        lambda c: f"/api/v1/library/versions/{draft(c)}",
        {**_staff_only(200), "machine": 404},
    ),
    endpoint(
        "GET /library/consultations",
        lambda c: "/api/v1/library/consultations",
        {**every(SIGNED_IN, 200), "machine": 403},
    ),
    endpoint(
        "GET /library/consultations/{key}",
        lambda c: f"/api/v1/library/consultations/{con(c)}",
        {**every(SIGNED_IN, 200), "machine": 403},
    ),
    endpoint(
        "POST /library/consultations/{key}/qwg-report",
        lambda c: f"/api/v1/library/consultations/{closed_con(c)}/qwg-report",
        {**every(SIGNED_IN, 403), "admin": 201, "machine": 403},
        method="post",
        data=lambda c: {
            "reported_on": timezone.localdate().isoformat(),
            "minutes_reference": "QWG-1",
            "log_document_number": "MHHS-DEL9001",
        },
    ),
    endpoint(
        "GET /library/consultations/{key}/comments",
        lambda c: f"/api/v1/library/consultations/{con(c)}/comments",
        {**every(SIGNED_IN, 200), "machine": 403},
    ),
    endpoint(
        "POST /library/consultations/{key}/comments",
        lambda c: f"/api/v1/library/consultations/{con(c)}/comments",
        {"lead_a": 201, "contributor_a": 201, "viewer_a": 403, "lead_b": 201, **every(STAFF, 403), "machine": 403},
        method="post",
        data=lambda c: {
            "version": str(c.lib_consulted.uuid),
            "clause_reference": "2",
            "text": "matrix",
            "category": "QUESTION",
        },
    ),
    endpoint(
        "GET /library/comments/{key}",
        lambda c: f"/api/v1/library/comments/{own_draft(c)}",
        {**every(A_MEMBERS, 200), "lead_b": 404, **every(STAFF, 404), "machine": 403},
    ),
    endpoint(
        "POST /library/comments/{key}/submit",
        lambda c: f"/api/v1/library/comments/{own_draft(c)}/submit",
        {"lead_a": 200, "contributor_a": 200, "viewer_a": 403, "lead_b": 404, **every(STAFF, 404), "machine": 403},
        method="post",
    ),
    endpoint(
        "POST /library/comments/{key}/answer",
        lambda c: f"/api/v1/library/comments/{own_sent(c)}/answer",
        {**every(A_MEMBERS, 403), "lead_b": 404, **every(STAFF, 403), **every(ANSWERERS, 200), "machine": 403},
        method="post",
        data=lambda c: {"response": "ok", "outcome": "NOTED"},
    ),
]
