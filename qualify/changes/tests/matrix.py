"""The disclosed-change pages and endpoints in the permission matrix (collected by tests/test_permission_matrix.py)."""

from __future__ import annotations

from django.urls import reverse

from tests.matrix import A_MEMBERS, STAFF, endpoint, every, page

PARTICIPANTS = [*A_MEMBERS, "lead_b"]
# Organisation A's own disclosure: its members see it, organisation B's lead finds nothing, staff see everything.
A_OWN = {**every(A_MEMBERS, 200), "lead_b": 404, **every(STAFF, 200)}
# Only organisation A's lead acts for the participant; organisation B's lead finds nothing; nobody else may.
LEAD_ONLY = {**every(A_MEMBERS, 403), "lead_b": 404, **every(STAFF, 403)}
# Only a BSC assessor records the BSC's assessment (the row posts body=BSC).
BSC_ONLY = {**every(A_MEMBERS, 403), "lead_b": 404, **every(STAFF, 403)}


def prepare(cast):  # type: ignore[no-untyped-def]
    """Organisation A's Supplier case is active (set up directly) and its lead has disclosed a change."""
    from qualify.changes.tests.helpers import disclose, make_active

    cast.case_a = make_active(cast.case_a)
    cast.disclosure = disclose(cast)


def _disclose(c):  # type: ignore[no-untyped-def]
    return {"kind": "SYSTEMS", "effective_on": "2026-12-01", "description": "New billing system", "confirm": "on"}


def _assess(c):  # type: ignore[no-untyped-def]
    return {"body": "BSC", "requalification_needed": "no", "reason": "Settlement is untouched."}


def _withdraw(c):  # type: ignore[no-untyped-def]
    return {"reason": "Disclosed in error", "confirm": "on"}


def _assess_api(c):  # type: ignore[no-untyped-def]
    return {"body": "BSC", "requalification_needed": False, "reason": "Settlement is untouched."}


ROWS = [
    page("changes:queue", lambda c: reverse("changes:queue"), {**every(PARTICIPANTS, 403), **every(STAFF, 200)}),
    page("changes:case", lambda c: reverse("changes:case", args=[c.case_a.reference]), A_OWN),
    page(
        "changes:disclose",
        lambda c: reverse("changes:disclose", args=[c.case_a.reference]),
        {**LEAD_ONLY, "lead_a": 302},
        method="post",
        data=_disclose,
    ),
    page("changes:detail", lambda c: reverse("changes:detail", args=[c.disclosure.reference]), A_OWN),
    page(
        "changes:assess",
        lambda c: reverse("changes:assess", args=[c.disclosure.reference]),
        {**BSC_ONLY, "bsc": 302},
        method="post",
        data=_assess,
    ),
    page(
        "changes:withdraw",
        lambda c: reverse("changes:withdraw", args=[c.disclosure.reference]),
        {**LEAD_ONLY, "lead_a": 302},
        method="post",
        data=_withdraw,
    ),
    endpoint(
        "GET /changes", lambda c: "/api/v1/changes", {**every(PARTICIPANTS, 403), **every(STAFF, 200), "machine": 403}
    ),
    endpoint(
        "GET /changes/cases/{key}",
        lambda c: f"/api/v1/changes/cases/{c.case_a.reference}",
        {**A_OWN, "machine": 403},
    ),
    endpoint(
        "POST /changes/cases/{key}",
        lambda c: f"/api/v1/changes/cases/{c.case_a.reference}",
        {**LEAD_ONLY, "lead_a": 201, "machine": 403},
        method="post",
        data=lambda c: {"kind": "PROVIDER", "effective_on": "2026-12-01", "description": "New data provider"},
    ),
    endpoint(
        "GET /changes/{reference}",
        lambda c: f"/api/v1/changes/{c.disclosure.reference}",
        {**A_OWN, "machine": 403},
    ),
    endpoint(
        "POST /changes/{reference}/assessments",
        lambda c: f"/api/v1/changes/{c.disclosure.reference}/assessments",
        {**BSC_ONLY, "bsc": 200, "machine": 403},
        method="post",
        data=_assess_api,
    ),
    endpoint(
        "POST /changes/{reference}/withdraw",
        lambda c: f"/api/v1/changes/{c.disclosure.reference}/withdraw",
        {**LEAD_ONLY, "lead_a": 200, "machine": 403},
        method="post",
        data=lambda c: {"reason": "Disclosed in error"},
    ),
]
