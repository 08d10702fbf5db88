"""The assessment pages in the permission matrix (collected through ``matrix.py``, which ``prepare``s case A).

After ``prepare``: case A's Initial QAD is under clarification with an open BSC query (``query_a``) and an open
BSC finding (``finding_a``); a BSC PAB meeting (``meeting_bsc``) has case A tabled. Posts that succeed redirect
(302); a refused post answers with the refusal's status (403 not allowed, 409 not possible now); another
organisation's case, query or finding is 404; the board calendar is for staff (403 for participant people).
"""

from __future__ import annotations

import json

from django.urls import reverse

from qualify.assessment.tests import journey
from tests.matrix import A_MEMBERS, SIGNED_IN, STAFF, every, page

PARTICIPANTS = [*A_MEMBERS, "lead_b"]
EDITORS = ["lead_a", "contributor_a"]

ref = lambda c: c.case_a.reference  # noqa: E731
qry = lambda c: c.query_a.reference  # noqa: E731
fnd = lambda c: c.finding_a.reference  # noqa: E731
mtg = lambda c: c.meeting_bsc.reference  # noqa: E731


def _bsc_question(cast) -> str:  # type: ignore[no-untyped-def]
    questions = json.loads(journey.latest_submission(cast.case_a).content)["questions"]
    return str(next(q["id"] for q in questions if q["owner"] == "BSC"))


def _case_scoped(ok: dict[str | None, int], refused: int = 403) -> dict[str | None, int]:
    """Everyone else who can see case A is refused; Southbank cannot see it at all."""
    return {**every([k for k in SIGNED_IN if k not in ok], refused), **ok, "lead_b": 404}


def _staff_only(ok: dict[str | None, int]) -> dict[str | None, int]:
    return {**every(PARTICIPANTS, 403), **every(STAFF, 403), **ok}


ROWS = [
    page("assessment:queue", lambda c: reverse("assessment:queue"), every(SIGNED_IN, 200)),
    page(
        "assessment:case",
        lambda c: reverse("assessment:case", args=[ref(c)]),
        {**every(A_MEMBERS, 200), "lead_b": 404, **every(STAFF, 200)},
    ),
    page(
        "assessment:outcome",
        lambda c: reverse("assessment:outcome", args=[ref(c)]),
        _case_scoped({"bsc": 302, "admin": 302}),
        method="post",
        data=lambda c: {"question_id": _bsc_question(c), "outcome": "SATISFACTORY"},
    ),
    page(
        "assessment:query_raise",
        lambda c: reverse("assessment:query_raise", args=[ref(c)]),
        _case_scoped({"bsc": 302, "admin": 302}),
        method="post",
        data=lambda c: {"question_id": _bsc_question(c), "text": "Matrix query", "internal_note": "between us"},
    ),
    page(
        "assessment:finding_record",
        lambda c: reverse("assessment:finding_record", args=[ref(c)]),
        _case_scoped({"bsc": 302, "admin": 302}),
        method="post",
        data=lambda c: {
            "body": "BSC",
            "title": "Matrix finding",
            "description": "A gap.",
            "severity": "LOW",
            "owner": "Northwind",
            "due_date": "2027-01-31",
        },
    ),
    page(
        "assessment:assign",
        lambda c: reverse("assessment:assign", args=[ref(c)]),
        _case_scoped({"bsc": 302, "admin": 302}),
        method="post",
        data=lambda c: {"body": "BSC", "reviewer": str(c.user("bsc").uuid)},
    ),
    # Case A has no Final QAD yet: the BSC's own assessors are told it is too early (409), everyone else 403.
    page(
        "assessment:recommend",
        lambda c: reverse("assessment:recommend", args=[ref(c)]),
        _case_scoped({"bsc": 409, "admin": 409}),
        method="post",
        data=lambda c: {"body": "BSC", "recommendation": "APPROVE", "rationale": "Fine."},
    ),
    # Only the Programme records this step, and case A is not qualified yet (409).
    page(
        "assessment:activation",
        lambda c: reverse("assessment:activation", args=[ref(c)]),
        _case_scoped({"admin": 409}),
        method="post",
        data=lambda c: {"item": "REFERENCE_DATA_PUBLISHED", "evidence_reference": "MDD 1"},
    ),
    # Case A has no checklist step yet: 404 for everyone who may see the case; machines are refused outright.
    page(
        "assessment:activation_evidence",
        lambda c: reverse("assessment:activation_evidence", args=[ref(c), "DIP_PRODUCTION"]),
        every(SIGNED_IN, 404),
    ),
    page("assessment:queries", lambda c: reverse("assessment:queries"), every(SIGNED_IN, 200)),
    page(
        "assessment:queries_export", lambda c: reverse("assessment:queries_export", args=["csv"]), every(SIGNED_IN, 200)
    ),
    page(
        "assessment:query",
        lambda c: reverse("assessment:query", args=[qry(c)]),
        {**every(A_MEMBERS, 200), "lead_b": 404, **every(STAFF, 200)},
    ),
    page(
        "assessment:query_answer",
        lambda c: reverse("assessment:query_answer", args=[qry(c)]),
        _case_scoped(every(EDITORS, 302)),
        method="post",
        data=lambda c: {"text": "Answered in the matrix."},
    ),
    # The query is with the participant, so the raising body cannot follow it up now (409); anyone else is refused
    # for who they are (403), before the query's state is named; Southbank cannot see it.
    page(
        "assessment:query_follow_up",
        lambda c: reverse("assessment:query_follow_up", args=[qry(c)]),
        _case_scoped({"bsc": 409}),
        method="post",
        data=lambda c: {"text": "And also?"},
    ),
    page(
        "assessment:query_close",
        lambda c: reverse("assessment:query_close", args=[qry(c)]),
        _case_scoped({"bsc": 302}),
        method="post",
        data=lambda c: {"confirm": "on", "text": "Closed in the matrix."},
    ),
    page(
        "assessment:finding",
        lambda c: reverse("assessment:finding", args=[fnd(c)]),
        {**every(A_MEMBERS, 200), "lead_b": 404, **every(STAFF, 200)},
    ),
    page(
        "assessment:finding_transition",
        lambda c: reverse("assessment:finding_transition", args=[fnd(c)]),
        _case_scoped(every(EDITORS, 302)),
        method="post",
        data=lambda c: {"name": "propose_plan", "work_off_plan": "Test retries in the next cycle."},
    ),
    page(
        "assessment:board",
        lambda c: reverse("assessment:board"),
        {**every(PARTICIPANTS, 403), **every(STAFF, 200)},
    ),
    page(
        "assessment:meeting_schedule",
        lambda c: reverse("assessment:meeting_schedule"),
        # The Programme schedules any body's meetings; a body's decision-makers only their own.
        _staff_only({"admin": 302, "rec_decider": 302}),
        method="post",
        data=lambda c: {"body": "REC", "meets_on": "2027-03-04"},
    ),
    page(
        "assessment:meeting",
        lambda c: reverse("assessment:meeting", args=[mtg(c)]),
        {**every(PARTICIPANTS, 403), **every(STAFF, 200)},
    ),
    # Case B is in draft: the calendar's managers are told it cannot be tabled yet (409).
    page(
        "assessment:agenda_add",
        lambda c: reverse("assessment:agenda_add", args=[mtg(c)]),
        _staff_only({"admin": 409, "board": 409}),
        method="post",
        data=lambda c: {"case": c.case_b.reference},
    ),
    page(
        "assessment:agenda_remove",
        lambda c: reverse("assessment:agenda_remove", args=[mtg(c)]),
        _staff_only({"admin": 302, "board": 302}),
        method="post",
        data=lambda c: {"case": ref(c)},
    ),
    # Case A is not awaiting approval: the BSC PAB's member is told so (409); nobody else records its decision.
    page(
        "assessment:decide",
        lambda c: reverse("assessment:decide", args=[mtg(c)]),
        _staff_only({"board": 409}),
        method="post",
        data=lambda c: {"confirm": "on", "case": ref(c), "outcome": "DEFER", "minutes": "Deferred in the matrix."},
    ),
    # A DIP Manager decision on the case page: only its decision-makers; case A is not awaiting approval (409).
    page(
        "assessment:decide_case",
        lambda c: reverse("assessment:decide_case", args=[ref(c)]),
        _case_scoped({"dip_decider": 409}),
        method="post",
        data=lambda c: {"confirm": "on", "body": "DIP", "outcome": "DEFER", "minutes": "Deferred in the matrix."},
    ),
    # Only the BSC's own assessors mark its review complete; case A has no Final QAD yet (409).
    page(
        "assessment:review_complete",
        lambda c: reverse("assessment:review_complete", args=[ref(c)]),
        _case_scoped({"bsc": 409}),
        method="post",
        data=lambda c: {"confirm": "on", "body": "BSC"},
    ),
    page(
        "assessment:pack",
        lambda c: reverse("assessment:pack", args=[mtg(c), "docx"]),
        {**every(PARTICIPANTS, 403), **every(STAFF, 200)},
    ),
]
