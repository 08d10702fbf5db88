"""RTTM pages: the live matrix, the snapshots taken at the gates (list, take, detail), comparing two snapshots, and
the Excel downloads. Thin adapters over selectors/rttm.py and services/rttm.py; another organisation's case or
snapshot is a 404, a refused step a 403."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from qualify.cases.models import QualificationCase
from qualify.core import clock, guards
from qualify.core.errors import DomainError, NotAllowed, NotFound
from qualify.core.requests import actor_of
from qualify.core.web import report_error
from qualify.testing.choices import Gate
from qualify.testing.models import RttmSnapshot
from qualify.testing.permissions import can_take_rttm_snapshot
from qualify.testing.rttm import FILTER_CHOICES, RttmStatus, compare_rows, filter_rows
from qualify.testing.rttm_export import live_workbook, snapshot_workbook
from qualify.testing.selectors.rttm import rttm_live, snapshot_get, snapshot_list, testing_case_get
from qualify.testing.services.rttm import rttm_snapshot_take

ROWS_PER_PAGE = 100
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STATUS_NAMES = dict(RttmStatus.choices)


def refused(request: HttpRequest, error: DomainError) -> None:
    """A service's refusal: 404 and 403 as such, anything else shown to the person as a message."""
    if isinstance(error, NotFound):
        raise error  # the 404 page (ErrorPagesMiddleware)
    if isinstance(error, NotAllowed):
        raise PermissionDenied(error.message)
    report_error(request, error)


def case_of(request: HttpRequest, key: str) -> QualificationCase:
    found: QualificationCase = testing_case_get(actor=actor_of(request), key=key)
    return found


def _batch_titles(case: QualificationCase, batches: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    return {str(b["code"]): str(b["title"]) for b in batches}


def _matrix_context(
    request: HttpRequest, rows: Sequence[Mapping[str, Any]], batch_titles: Mapping[str, str]
) -> dict[str, Any]:
    status = (request.GET.get("status") or "").strip().upper()[:20]
    requirement = (request.GET.get("requirement") or "").strip()[:40]
    chosen = filter_rows(rows, status=status, requirement=requirement)
    page = Paginator(chosen, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    query = urlencode({k: v for k, v in (("status", status), ("requirement", requirement)) if v})
    return {
        "page": page,
        "rows": [
            {
                **r,
                "status_label": STATUS_NAMES.get(r["status"], r["status"]),
                "batch_title": batch_titles.get(r["batch"], r["batch"]),
            }
            for r in page.object_list
        ],
        "status": status,
        "requirement": requirement,
        "statuses": FILTER_CHOICES,
        "query": query,
    }


def _summary_lines(summary: Mapping[str, Any]) -> list[tuple[str, int]]:
    return [(STATUS_NAMES.get(k, k), int(v)) for k, v in summary.get("test_cases", {}).items()]


@guards.signed_in
def rttm_view(request: HttpRequest, key: str) -> HttpResponse:
    """The case's RTTM as the records stand now: filter by status or requirement, a hundred rows to a page."""
    case = case_of(request, key)
    live = rttm_live(case)
    titles = _batch_titles(case, live.scope.catalogue.batches if live.scope else [])
    context = {
        "case": case,
        "live": live,
        "summary": live.summary,
        "summary_lines": _summary_lines(live.summary),
        **_matrix_context(request, live.rows, titles),
    }
    return render(request, "testing/rttm.html", context)


def _xlsx(name: str, data: bytes) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@guards.signed_in
def rttm_export_view(request: HttpRequest, key: str) -> HttpResponse:
    """The live RTTM as an Excel workbook."""
    case = case_of(request, key)
    return _xlsx(*live_workbook(case=case, live=rttm_live(case), now=clock.now()))


@guards.signed_in
def snapshot_list_view(request: HttpRequest, key: str) -> HttpResponse:
    """The snapshots taken at the gates, newest first, and (for the lead) the form to take one."""
    case = case_of(request, key)
    actor = actor_of(request)
    snapshots = list(snapshot_list(actor=actor, case=case))
    context = {
        "case": case,
        "snapshots": snapshots,
        "gates": Gate.choices,
        "can_take": can_take_rttm_snapshot(actor, int(case.participation.organisation_id)).allowed,
    }
    return render(request, "testing/rttm_snapshots.html", context)


@require_POST
@guards.signed_in
def snapshot_take_view(request: HttpRequest, key: str) -> HttpResponse:
    case = case_of(request, key)
    if not request.POST.get("confirm"):
        decision = can_take_rttm_snapshot(actor_of(request), int(case.participation.organisation_id))
        if not decision.allowed:
            raise PermissionDenied(decision.reason)
        messages.error(request, "Tick the box to confirm: a snapshot is frozen and can never be changed.")
        return redirect("testing:rttm_snapshots", key=case.reference)
    try:
        snapshot = rttm_snapshot_take(actor=actor_of(request), case=case, gate=request.POST.get("gate", "")[:20])
    except DomainError as error:
        refused(request, error)
        return redirect("testing:rttm_snapshots", key=case.reference)
    messages.success(request, f"RTTM frozen at {snapshot.get_gate_display()} (snapshot {snapshot.sequence}).")
    return redirect("testing:rttm_snapshot", key=case.reference, snapshot=snapshot.uuid)


@guards.signed_in
def snapshot_detail_view(request: HttpRequest, key: str, snapshot: str) -> HttpResponse:
    """One frozen snapshot: its gate, time, hash, summary and rows (filtered and paged like the live matrix)."""
    case = case_of(request, key)
    found: RttmSnapshot = snapshot_get(actor=actor_of(request), case=case, key=snapshot)
    titles = _batch_titles(case, found.scope.catalogue.batches if found.scope is not None else [])
    context = {
        "case": case,
        "snapshot": found,
        "summary": found.summary,
        "summary_lines": _summary_lines(found.summary),
        **_matrix_context(request, found.rows, titles),
    }
    return render(request, "testing/rttm.html", context)


@guards.signed_in
def snapshot_export_view(request: HttpRequest, key: str, snapshot: str) -> HttpResponse:
    """A snapshot as an Excel workbook, headed with its gate, time and hash."""
    case = case_of(request, key)
    found: RttmSnapshot = snapshot_get(actor=actor_of(request), case=case, key=snapshot)
    return _xlsx(*snapshot_workbook(case=case, snapshot=found))


@guards.signed_in
def compare_view(request: HttpRequest, key: str) -> HttpResponse:
    """Two snapshots of the case side by side: what moved, what is new, what left. ``before`` and ``after`` name
    the snapshots (UUIDs); without them the two most recent are compared."""
    case = case_of(request, key)
    actor = actor_of(request)
    choices = list(snapshot_list(actor=actor, case=case))
    before_key, after_key = request.GET.get("before", ""), request.GET.get("after", "")
    if not before_key and not after_key and len(choices) >= 2:
        before_key, after_key = str(choices[1].uuid), str(choices[0].uuid)
    before = snapshot_get(actor=actor, case=case, key=before_key) if before_key else None
    after = snapshot_get(actor=actor, case=case, key=after_key) if after_key else None
    result = compare_rows(before.rows, after.rows) if before is not None and after is not None else None
    context = {"case": case, "choices": choices, "before": before, "after": after, "result": result}
    return render(request, "testing/rttm_compare.html", context)
