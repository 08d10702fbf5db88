"""A case's scope over the API: the frozen set (or the would-be one, not yet confirmed) with every catalogue case's
verdict and the re-scope history; a Code Body assessor re-scopes. Same selectors and services as the page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from qualify.cases.selectors import case_get
from qualify.core.requests import actor_of
from qualify.testing.selectors.scope import scope_overview
from qualify.testing.services.scope_confirm import MAX_REASON, scope_rescope

router = Router()


class VerdictOut(Schema):
    case_id: str
    title: str
    included: bool
    reason: str
    explanation: str
    minimum_sets: list[str]
    runs_first: bool


class ScopeChangeOut(Schema):
    case_id: str
    why: str


class ScopeRecordOut(Schema):
    sequence: int
    catalogue: str
    sha256: str
    required: int
    reason: str
    confirmed_at: dt.datetime
    confirmed_by_name: str
    confirmed_by_body: str
    added: list[ScopeChangeOut]
    removed: list[ScopeChangeOut]


class ScopeOut(Schema):
    case: str
    confirmed: bool
    problem: str
    catalogue: str | None
    sha256: str
    required: int
    cases: list[VerdictOut]
    history: list[ScopeRecordOut]


class ScopeQuery(Schema):
    show: str = Field("", max_length=3, description="'in', 'out' or empty for every case.")


class RescopeIn(Schema):
    reason: str = Field(..., max_length=MAX_REASON)


class RescopeOut(ScopeOut):
    changed: bool


def _out(request: HttpRequest, key: str, show: str = "") -> dict[str, Any]:
    case = case_get(actor=actor_of(request), key=key)
    o = scope_overview(case=case, show=show)
    return {
        "case": case.reference,
        "confirmed": o.confirmed,
        "problem": o.problem,
        "catalogue": o.catalogue.version if o.catalogue else None,
        "sha256": o.sha256,
        "required": o.required,
        "cases": o.rows,
        "history": [
            {
                "sequence": r.sequence,
                "catalogue": r.catalogue.version,
                "sha256": r.sha256,
                "required": len(r.required),
                "reason": r.reason,
                "confirmed_at": r.confirmed_at,
                "confirmed_by_name": r.confirmed_by_name,
                "confirmed_by_body": r.confirmed_by_body,
                "added": [{"case_id": c["case_id"], "why": c.get("why", "")} for c in r.changes.get("added", [])],
                "removed": [{"case_id": c["case_id"], "why": c.get("why", "")} for c in r.changes.get("removed", [])],
            }
            for r in o.history
        ],
    }


@router.get(
    "/testing/cases/{key}/scope",
    response=ScopeOut,
    summary="A case's required test set: frozen (with its re-scopes) or, before scoping, the would-be set",
)
def get_scope(request: HttpRequest, key: str, query: Query[ScopeQuery]) -> dict[str, Any]:
    return _out(request, key, query.show)


@router.post(
    "/testing/cases/{key}/rescope",
    response=RescopeOut,
    summary="Re-scope a scoped case before its Final QAD (a Code Body assessor, with a reason); says what changed",
)
def post_rescope(request: HttpRequest, key: str, payload: RescopeIn) -> dict[str, Any]:
    actor = actor_of(request)
    result = scope_rescope(actor=actor, case=case_get(actor=actor, key=key), reason=payload.reason)
    return {**_out(request, key), "changed": result.changed}
