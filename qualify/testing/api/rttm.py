"""The RTTM, its gate snapshots and the Test Completion Report over the API: the same selectors and services as the
pages, so the same rules (another organisation's case is 404, a refused step 403, a bad gate 422, submitting twice
409)."""

from __future__ import annotations

import datetime as dt
import uuid as uuid_mod
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status

from qualify.core import clock
from qualify.core.api import MAX_OFFSET
from qualify.core.requests import actor_of
from qualify.testing.models import CompletionReport, RttmSnapshot
from qualify.testing.rttm import compare_rows, filter_rows
from qualify.testing.rttm_export import live_workbook, snapshot_workbook
from qualify.testing.selectors.rttm import (
    report_get,
    report_list,
    rttm_live,
    snapshot_get,
    snapshot_list,
    testing_case_get,
)
from qualify.testing.services.completion import completion_report_generate, completion_report_submit
from qualify.testing.services.rttm import rttm_snapshot_take

router = Router()
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class EvidenceRef(Schema):
    name: str
    sha256: str


class RowOut(Schema):
    requirement: str
    test_case: str
    title: str
    batch: str
    included: bool
    reason: str
    explanation: str
    covered: bool
    qad_questions: list[str]
    status: str
    run_date: str | None
    evidence: list[EvidenceRef]
    open_defects: list[str]


class MatrixQuery(Schema):
    status: str = Field("", max_length=20)
    requirement: str = Field("", max_length=40)
    limit: int = Field(100, ge=1, le=200)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class MatrixOut(Schema):
    case: str
    scope: int | None
    summary: dict[str, Any]
    count: int
    rows: list[RowOut]


class RttmSnapshotOut(Schema):
    uuid: uuid_mod.UUID
    gate: str
    sequence: int
    sha256: str
    taken_at: dt.datetime
    taken_by: str
    summary: dict[str, Any]


class SnapshotDetailOut(RttmSnapshotOut):
    count: int
    rows: list[RowOut]


class SnapshotIn(Schema):
    gate: str = Field(..., max_length=20)


class CompareQuery(Schema):
    before: str = Field(..., max_length=40)
    after: str = Field(..., max_length=40)


class RttmChangeOut(Schema):
    requirement: str
    test_case: str
    title: str
    before: str | None
    after: str | None
    change: str


class MoveCount(Schema):
    change: str
    count: int


class CompareOut(Schema):
    before: uuid_mod.UUID
    after: uuid_mod.UUID
    moved: list[RttmChangeOut]
    new: list[RttmChangeOut]
    left: list[RttmChangeOut]
    moves: list[MoveCount]
    unchanged: int


class RttmFileOut(Schema):
    uuid: uuid_mod.UUID
    name: str
    sha256: str
    size: int


class CompletionReportOut(Schema):
    uuid: uuid_mod.UUID
    sequence: int
    state: str
    facts_sha256: str
    generated_at: dt.datetime
    generated_by: str
    submitted_at: dt.datetime | None
    word: RttmFileOut | None
    pdf: RttmFileOut | None


def _page(rows: list[Any], query: MatrixQuery) -> tuple[int, list[Any]]:
    chosen = filter_rows(rows, status=query.status.strip().upper(), requirement=query.requirement)
    return len(chosen), chosen[query.offset : query.offset + query.limit]


def _snapshot(s: RttmSnapshot) -> dict[str, Any]:
    return {
        "uuid": s.uuid,
        "gate": s.gate,
        "sequence": s.sequence,
        "sha256": s.sha256,
        "taken_at": s.created_at,
        "taken_by": s.taken_by_name,
        "summary": s.summary,
    }


def _file(f: Any) -> dict[str, Any] | None:
    if f is None:
        return None
    return {"uuid": f.uuid, "name": f.original_name, "sha256": f.sha256, "size": f.size}


def _report(r: CompletionReport) -> dict[str, Any]:
    return {
        "uuid": r.uuid,
        "sequence": r.sequence,
        "state": r.state,
        "facts_sha256": r.facts_sha256,
        "generated_at": r.created_at,
        "generated_by": r.generated_by_name,
        "submitted_at": r.submitted_at,
        "word": _file(r.word),
        "pdf": _file(r.pdf),
    }


def _xlsx(name: str, data: bytes) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@router.get("/testing/cases/{key}/rttm", response=MatrixOut, summary="A case's live RTTM (filtered, paged)")
def get_rttm(request: HttpRequest, key: str, query: Query[MatrixQuery]) -> dict[str, Any]:
    case = testing_case_get(actor=actor_of(request), key=key)
    live = rttm_live(case)
    count, rows = _page(live.rows, query)
    scope = live.scope.sequence if live.scope is not None else None
    return {"case": case.reference, "scope": scope, "summary": live.summary, "count": count, "rows": rows}


@router.get("/testing/cases/{key}/rttm/export", summary="A case's live RTTM as an Excel workbook")
def get_rttm_export(request: HttpRequest, key: str) -> HttpResponse:
    case = testing_case_get(actor=actor_of(request), key=key)
    return _xlsx(*live_workbook(case=case, live=rttm_live(case), now=clock.now()))


@router.get(
    "/testing/cases/{key}/rttm/snapshots",
    response=list[RttmSnapshotOut],
    summary="A case's RTTM snapshots, newest first",
)
def list_snapshots(request: HttpRequest, key: str) -> list[dict[str, Any]]:
    actor = actor_of(request)
    case = testing_case_get(actor=actor, key=key)
    return [_snapshot(s) for s in snapshot_list(actor=actor, case=case)]


@router.post(
    "/testing/cases/{key}/rttm/snapshots",
    response={201: RttmSnapshotOut},
    summary="Freeze the RTTM at a gate (PIT_ENTRY, PIT_EXIT, QT_ENTRY, QT_EXIT): the organisation's lead",
)
def post_snapshot(request: HttpRequest, key: str, payload: SnapshotIn) -> Status[dict[str, Any]]:
    actor = actor_of(request)
    case = testing_case_get(actor=actor, key=key)
    return Status(201, _snapshot(rttm_snapshot_take(actor=actor, case=case, gate=payload.gate)))


@router.get(
    "/testing/cases/{key}/rttm/snapshots/{snapshot}",
    response=SnapshotDetailOut,
    summary="One RTTM snapshot with its rows (filtered, paged)",
)
def get_snapshot(request: HttpRequest, key: str, snapshot: str, query: Query[MatrixQuery]) -> dict[str, Any]:
    actor = actor_of(request)
    found = snapshot_get(actor=actor, case=testing_case_get(actor=actor, key=key), key=snapshot)
    count, rows = _page(found.rows, query)
    return {**_snapshot(found), "count": count, "rows": rows}


@router.get("/testing/cases/{key}/rttm/snapshots/{snapshot}/export", summary="One RTTM snapshot as Excel")
def get_snapshot_export(request: HttpRequest, key: str, snapshot: str) -> HttpResponse:
    actor = actor_of(request)
    case = testing_case_get(actor=actor, key=key)
    return _xlsx(*snapshot_workbook(case=case, snapshot=snapshot_get(actor=actor, case=case, key=snapshot)))


@router.get("/testing/cases/{key}/rttm/compare", response=CompareOut, summary="What changed between two snapshots")
def get_compare(request: HttpRequest, key: str, query: Query[CompareQuery]) -> dict[str, Any]:
    actor = actor_of(request)
    case = testing_case_get(actor=actor, key=key)
    before = snapshot_get(actor=actor, case=case, key=query.before)
    after = snapshot_get(actor=actor, case=case, key=query.after)
    return {"before": before.uuid, "after": after.uuid, **compare_rows(before.rows, after.rows)}


@router.get(
    "/testing/cases/{key}/completion-reports",
    response=list[CompletionReportOut],
    summary="A case's Test Completion Reports, newest first",
)
def list_reports(request: HttpRequest, key: str) -> list[dict[str, Any]]:
    actor = actor_of(request)
    case = testing_case_get(actor=actor, key=key)
    return [_report(r) for r in report_list(actor=actor, case=case)]


@router.post(
    "/testing/cases/{key}/completion-reports",
    response={201: CompletionReportOut},
    summary="Generate the next Test Completion Report (Word and PDF, kept as QAD evidence): the lead or a contributor",
)
def post_report(request: HttpRequest, key: str) -> Status[dict[str, Any]]:
    actor = actor_of(request)
    case = testing_case_get(actor=actor, key=key)
    return Status(201, _report(completion_report_generate(actor=actor, case=case)))


@router.post(
    "/testing/cases/{key}/completion-reports/{report}/submit",
    response=CompletionReportOut,
    summary="Submit a report: its files become the QAD's Test Completion Report evidence (the lead)",
)
def post_submit(request: HttpRequest, key: str, report: str) -> dict[str, Any]:
    actor = actor_of(request)
    found = report_get(actor=actor, case=testing_case_get(actor=actor, key=key), key=report)
    submitted = completion_report_submit(actor=actor, report=found)
    return _report(report_get(actor=actor, case=submitted.case, key=str(submitted.uuid)))
