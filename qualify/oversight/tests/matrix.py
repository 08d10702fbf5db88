"""The oversight pages and endpoints in the permission matrix (collected by tests/test_permission_matrix.py)."""

from __future__ import annotations

from django.urls import reverse

from tests.matrix import A_MEMBERS, SIGNED_IN, STAFF, endpoint, every, page

PARTICIPANTS = [*A_MEMBERS, "lead_b"]
NOT_ADMIN_STAFF = [s for s in STAFF if s != "admin"]
# Organisation A's own records: its members see them, organisation B's lead finds nothing, staff see everything.
A_RECORD = {**every(A_MEMBERS, 200), "lead_b": 404, **every(STAFF, 200)}


def prepare(cast):  # type: ignore[no-untyped-def]
    """Organisation A's Supplier case has a record at the notice step; its MEM case one awaiting its response."""
    from qualify.oversight.tests.helpers import decide, open_record

    cast.record = open_record(cast, cast.case_a)
    cast.responding = decide(cast, open_record(cast, cast.case_a_mem, "PIT"), "NOTICE_SENT")


def _notice(c):  # type: ignore[no-untyped-def]
    return {"step": "NOTICE", "outcome": "NOTICE_SENT", "comment": "matrix", "confirm": "on"}


ROWS = [
    page("oversight:records", lambda c: reverse("oversight:records"), every(SIGNED_IN, 200)),
    page("oversight:record_detail", lambda c: reverse("oversight:record_detail", args=[c.record.reference]), A_RECORD),
    # The notice is the Programme's step: anyone else who can see the record is refused.
    page(
        "oversight:record_decide",
        lambda c: reverse("oversight:record_decide", args=[c.record.reference]),
        {**every(A_MEMBERS, 403), "lead_b": 404, **every(NOT_ADMIN_STAFF, 403), "admin": 302},
        method="post",
        data=_notice,
    ),
    # The response is the participant lead's: only organisation A's lead may open the form.
    page(
        "oversight:record_respond",
        lambda c: reverse("oversight:record_respond", args=[c.responding.reference]),
        {"lead_a": 200, "contributor_a": 403, "viewer_a": 403, "lead_b": 404, **every(STAFF, 403)},
    ),
    page(
        "oversight:backschedule",
        lambda c: reverse("oversight:backschedule"),
        {**every(PARTICIPANTS, 403), **every(STAFF, 200)},
    ),
    page(
        "oversight:backschedule_case",
        lambda c: reverse("oversight:backschedule_case", args=[c.case_a.reference]),
        A_RECORD,
    ),
    endpoint(
        "GET /oversight/non-completion",
        lambda c: "/api/v1/oversight/non-completion",
        {**every(SIGNED_IN, 200), "machine": 403},
    ),
    endpoint(
        "GET /oversight/non-completion/{reference}",
        lambda c: f"/api/v1/oversight/non-completion/{c.record.reference}",
        {**A_RECORD, "machine": 403},
    ),
    endpoint(
        "POST /oversight/non-completion/{reference}/decisions",
        lambda c: f"/api/v1/oversight/non-completion/{c.record.reference}/decisions",
        {**every(A_MEMBERS, 403), "lead_b": 404, **every(NOT_ADMIN_STAFF, 403), "admin": 200, "machine": 403},
        method="post",
        data=_notice,
    ),
    endpoint(
        "GET /oversight/back-scheduling/flags",
        lambda c: "/api/v1/oversight/back-scheduling/flags",
        {**every(PARTICIPANTS, 403), **every(STAFF, 200), "machine": 403},
    ),
    endpoint(
        "GET /oversight/back-scheduling/cases/{reference}",
        lambda c: f"/api/v1/oversight/back-scheduling/cases/{c.case_a.reference}",
        {**A_RECORD, "machine": 403},
    ),
]
