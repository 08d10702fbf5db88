"""Assessment endpoints in the permission matrix (set up by ``prepare`` in ``matrix.py``).

Case A is under Initial clarification with one open BSC query (``query_a``) and one open BSC finding (``finding_a``),
and is tabled at a BSC PAB meeting (``meeting_bsc``). Steps the case's state does not allow answer 409 to whoever may
take them in principle, so each row shows who is refused (403), who is outside the case (404) and who got through.
"""

from __future__ import annotations

import datetime as dt
import json

from django.utils import timezone

from tests.matrix import A_MEMBERS, SIGNED_IN, STAFF, endpoint, every

API = "/api/v1/assessment"
PARTICIPANTS = [*A_MEMBERS, "lead_b"]
EDITORS = ["lead_a", "contributor_a"]

case_a = lambda c: c.case_a.reference  # noqa: E731
query_a = lambda c: c.query_a.reference  # noqa: E731
finding_a = lambda c: str(c.finding_a.uuid)  # noqa: E731
meeting = lambda c: c.meeting_bsc.reference  # noqa: E731


def _bsc_question(cast):  # type: ignore[no-untyped-def]
    content = json.loads(cast.submission_a.content)
    return next(q["id"] for q in content["questions"] if q["owner"] == "BSC")


def _case_scoped(allowed: dict[str | None, int], default: int = 403) -> dict[str | None, int]:
    """Org A's case: its people and staff get ``default`` unless named; org B's lead is outside it (404)."""
    return {**every(SIGNED_IN, default), "lead_b": 404, **allowed}


def _staff_only(allowed: dict[str | None, int]) -> dict[str | None, int]:
    """Code Body business: participant people are refused before anything is looked up."""
    return {**every(SIGNED_IN, 403), **allowed}


READ_A = {**every(A_MEMBERS, 200), "lead_b": 404, **every(STAFF, 200)}


def _soon() -> str:
    return (timezone.localdate() + dt.timedelta(days=60)).isoformat()


ROWS = [
    endpoint(
        "GET /assessment/queue",
        lambda c: f"{API}/queue?body=BSC",
        {**every(PARTICIPANTS, 403), **every(STAFF, 200), "machine": 403},
    ),
    endpoint("GET /assessment/cases/{key}", lambda c: f"{API}/cases/{case_a(c)}", {**READ_A, "machine": 403}),
    endpoint(
        "POST /assessment/cases/{key}/outcomes",
        lambda c: f"{API}/cases/{case_a(c)}/outcomes",
        {**_case_scoped({"bsc": 201, "admin": 201}), "machine": 403},
        method="post",
        data=lambda c: {
            "submission": c.submission_a.reference,
            "question_id": _bsc_question(c),
            "outcome": "SATISFACTORY",
        },
    ),
    endpoint(
        "POST /assessment/cases/{key}/assignments",
        lambda c: f"{API}/cases/{case_a(c)}/assignments",
        {**_case_scoped({"bsc": 201, "admin": 201}), "machine": 403},
        method="post",
        data=lambda c: {"body": "BSC", "reviewer": "bsc@elexon.test"},
    ),
    endpoint("GET /assessment/queries", lambda c: f"{API}/queries", {**every(SIGNED_IN, 200), "machine": 403}),
    endpoint("GET /assessment/queries/{key}", lambda c: f"{API}/queries/{query_a(c)}", {**READ_A, "machine": 403}),
    endpoint(
        "POST /assessment/cases/{key}/queries",
        lambda c: f"{API}/cases/{case_a(c)}/queries",
        {**_case_scoped({"bsc": 201, "admin": 201}), "machine": 403},
        method="post",
        data=lambda c: {"question_id": _bsc_question(c), "text": "Which runbook?", "internal_note": "matrix"},
    ),
    endpoint(
        "POST /assessment/queries/{key}/answer",
        lambda c: f"{API}/queries/{query_a(c)}/answer",
        {**_case_scoped(every(EDITORS, 200)), "machine": 403},
        method="post",
        data=lambda c: {"text": "The runbook is in section 4."},
    ),
    # The query is with the participant, so a follow-up is not possible yet: the raising body gets 409.
    endpoint(
        "POST /assessment/queries/{key}/follow-up",
        lambda c: f"{API}/queries/{query_a(c)}/follow-up",
        {**_case_scoped({"bsc": 409}), "machine": 403},
        method="post",
        data=lambda c: {"text": "Which section?"},
    ),
    endpoint(
        "POST /assessment/queries/{key}/close",
        lambda c: f"{API}/queries/{query_a(c)}/close",
        {**_case_scoped({"bsc": 200}), "machine": 403},
        method="post",
        data=lambda c: {"text": "Withdrawn."},
    ),
    endpoint(
        "GET /assessment/cases/{key}/findings",
        lambda c: f"{API}/cases/{case_a(c)}/findings",
        {**READ_A, "machine": 403},
    ),
    endpoint(
        "POST /assessment/cases/{key}/findings",
        lambda c: f"{API}/cases/{case_a(c)}/findings",
        {**_case_scoped({"bsc": 201, "admin": 201}), "machine": 403},
        method="post",
        data=lambda c: {
            "body": "BSC",
            "title": "Alerting untested",
            "description": "No alert was raised in PIT.",
            "owner": "Northwind ops",
            "due_date": _soon(),
        },
    ),
    endpoint("GET /assessment/findings/{key}", lambda c: f"{API}/findings/{finding_a(c)}", {**READ_A, "machine": 403}),
    endpoint(
        "POST /assessment/findings/{key}/transitions",
        lambda c: f"{API}/findings/{finding_a(c)}/transitions",
        {**_case_scoped(every(EDITORS, 200)), "machine": 403},
        method="post",
        data=lambda c: {"name": "propose_plan", "work_off_plan": "Test alerting in QT."},
    ),
    # Recommendations follow the Final QAD; case A is in Initial clarification, so its assessors get 409.
    endpoint(
        "POST /assessment/cases/{key}/recommendations",
        lambda c: f"{API}/cases/{case_a(c)}/recommendations",
        {**_case_scoped({"bsc": 409, "admin": 409}), "machine": 403},
        method="post",
        data=lambda c: {"body": "BSC", "recommendation": "APPROVE", "rationale": "Satisfactory."},
    ),
    endpoint(
        "GET /assessment/meetings",
        lambda c: f"{API}/meetings",
        {**every(PARTICIPANTS, 403), **every(STAFF, 200), "machine": 403},
    ),
    endpoint(
        "POST /assessment/meetings",
        lambda c: f"{API}/meetings",
        # The Programme schedules any body's meetings; a body's decision-makers only their own.
        {**_staff_only({"rec_decider": 201, "admin": 201}), "machine": 403},
        method="post",
        data=lambda c: {"body": "REC", "meets_on": _soon()},
    ),
    endpoint(
        "GET /assessment/meetings/{key}",
        lambda c: f"{API}/meetings/{meeting(c)}",
        {**every(PARTICIPANTS, 403), **every(STAFF, 200), "machine": 403},
    ),
    # Case A is already tabled and not yet agreed: the secretariat gets 409.
    endpoint(
        "POST /assessment/meetings/{key}/agenda",
        lambda c: f"{API}/meetings/{meeting(c)}/agenda",
        {**_staff_only({"board": 409, "admin": 409}), "machine": 403},
        method="post",
        data=lambda c: {"case": case_a(c)},
    ),
    endpoint(
        "DELETE /assessment/meetings/{key}/agenda/{case}",
        lambda c: f"{API}/meetings/{meeting(c)}/agenda/{case_a(c)}",
        {**_staff_only({"board": 204, "admin": 204}), "machine": 403},
        method="delete",
    ),
    # A decision needs the case awaiting approval; case A is in clarification, so the BSC PAB's member gets 409.
    # Nobody else records the BSC PAB's decision, the Programme included.
    endpoint(
        "POST /assessment/meetings/{key}/agenda/{case}/decision",
        lambda c: f"{API}/meetings/{meeting(c)}/agenda/{case_a(c)}/decision",
        {**_staff_only({"board": 409}), "machine": 403},
        method="post",
        data=lambda c: {"outcome": "DEFER", "minutes": "Deferred to the next meeting."},
    ),
    endpoint(
        "POST /assessment/cases/{key}/decisions",
        lambda c: f"{API}/cases/{case_a(c)}/decisions",
        {**_case_scoped({"dip_decider": 409}), "machine": 403},
        method="post",
        data=lambda c: {"body": "DIP", "outcome": "DEFER", "minutes": "Deferred in the matrix."},
    ),
    endpoint(
        "POST /assessment/cases/{key}/reviews/{body}/complete",
        lambda c: f"{API}/cases/{case_a(c)}/reviews/BSC/complete",
        {**_case_scoped({"bsc": 409}), "machine": 403},
        method="post",
    ),
    endpoint(
        "GET /assessment/meetings/{key}/pack.docx",
        lambda c: f"{API}/meetings/{meeting(c)}/pack.docx",
        {**every(PARTICIPANTS, 403), **every(STAFF, 200), "machine": 403},
    ),
    endpoint(
        "GET /assessment/meetings/{key}/pack.pdf",
        lambda c: f"{API}/meetings/{meeting(c)}/pack.pdf",
        {**every(PARTICIPANTS, 403), **every(STAFF, 200), "machine": 403},
    ),
    # Service activation follows qualification; case A is far from it, so those who record steps get 409.
    endpoint(
        "POST /assessment/cases/{key}/activation",
        lambda c: f"{API}/cases/{case_a(c)}/activation",
        {**_case_scoped({"dip": 409, "admin": 409}), "machine": 403},
        method="post",
        data=lambda c: {"item": "DIP_PRODUCTION", "evidence_reference": "DIP-CHG-1"},
    ),
]
