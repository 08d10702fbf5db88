"""The dashboard's figures and the regulator's reports over the API: the same selectors and services as the pages,
so the same rules (Programme and Code Body staff read; a programme administrator generates)."""

from __future__ import annotations

import datetime as dt
import uuid as uuid_mod
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from qualify.cases.selectors import CaseFilters
from qualify.core import clock
from qualify.core.api import BoundedLimitOffsetPagination
from qualify.core.errors import NotFound
from qualify.core.ids import parse_uuid
from qualify.core.requests import actor_of
from qualify.reporting.models import RegulatorReport
from qualify.reporting.permissions import can_see_dashboard
from qualify.reporting.selectors import STAGES, dashboard
from qualify.reporting.services import report_generate

router = Router(tags=["programme"])


class DashboardQuery(Schema):
    role: str = ""
    route: str = ""
    wave: str = ""


class CategoryOut(Schema):
    key: str
    label: str
    total: int
    by_stage: dict[str, int]
    by_state: dict[str, int]


class OverdueOut(Schema):
    body: str
    queries: int
    reviews: int
    findings: int


class DashboardOut(Schema):
    as_of: dt.date
    stages: list[dict[str, str]]
    by_role: list[CategoryOut]
    by_wave: list[CategoryOut]
    burn_up: dict[str, Any]
    overdue: list[OverdueOut]
    board_pipeline: list[dict[str, Any]]
    waves: list[dict[str, Any]]


def _categories(bars: Any) -> list[dict[str, Any]]:
    return [
        {
            "key": key,
            "label": label,
            "total": bars.total(key),
            "by_stage": dict(bars.counts.get(key, {})),
            "by_state": dict(bars.states.get(key, {})),
        }
        for key, label in bars.categories
    ]


@router.get("/programme/dashboard", response=DashboardOut, summary="The programme dashboard's figures")
def get_dashboard(request: HttpRequest, query: Query[DashboardQuery]) -> dict[str, Any]:
    actor = actor_of(request)
    filters = CaseFilters(role=query.role[:16], route=query.route[:16], wave=query.wave[:16])
    data = dashboard(actor=actor, filters=filters, today=clock.today())
    burn = data.burn_up
    return {
        "as_of": data.today,
        "stages": [{"key": key, "label": label} for key, label, _ in STAGES],
        "by_role": _categories(data.by_role),
        "by_wave": _categories(data.by_wave),
        "burn_up": {
            "months": [m.isoformat() for m in burn.months],
            "qualified": burn.qualified,
            "active": burn.active,
            "planned": burn.planned,
            "deadline": burn.deadline.isoformat() if burn.deadline else None,
        },
        "overdue": [
            {"body": o.body, "queries": o.queries, "reviews": o.reviews, "findings": o.findings} for o in data.overdue
        ],
        "board_pipeline": [
            {
                "meeting": p.meeting.reference,
                "meets_on": p.meeting.meets_on.isoformat(),
                "items": p.items,
                "decided": p.decided,
            }
            for p in data.pipeline
        ],
        "waves": [
            {
                "code": row.wave.code,
                "name": row.wave.name,
                "deadlines": [
                    {"kind": d.kind, "label": d.display_label, "date": d.date.isoformat()} for d in row.deadlines
                ],
            }
            for row in data.timeline
        ],
    }


class ReportOut(Schema):
    uuid: uuid_mod.UUID
    reference: str
    period_start: dt.date
    period_end: dt.date
    sha256: str
    generated_by_name: str
    created_at: dt.datetime


class ReportDetailOut(ReportOut):
    facts: dict[str, Any]


class ReportIn(Schema):
    start: dt.date
    end: dt.date


def _report(request: HttpRequest, key: str) -> RegulatorReport:
    can_see_dashboard(actor_of(request)).enforce()
    public_id = parse_uuid(key)
    found = RegulatorReport.objects.filter(uuid=public_id).first() if public_id else None
    if found is None:
        raise NotFound("No such report.")
    return found


@router.get("/programme/reports", response=list[ReportOut], summary="Regulator's reports, newest first")
@paginate(BoundedLimitOffsetPagination)
def list_reports(request: HttpRequest) -> Any:
    can_see_dashboard(actor_of(request)).enforce()
    return RegulatorReport.objects.defer("pdf", "xlsx", "facts").order_by("-created_at", "-pk")


@router.post(
    "/programme/reports", response={201: ReportDetailOut}, summary="Generate a report for a period (administrators)"
)
def post_report(request: HttpRequest, payload: ReportIn) -> Status[RegulatorReport]:
    return Status(201, report_generate(actor=actor_of(request), start=payload.start, end=payload.end))


@router.get("/programme/reports/{key}", response=ReportDetailOut, summary="One report with its facts")
def get_report(request: HttpRequest, key: str) -> RegulatorReport:
    return _report(request, key)


@router.get("/programme/reports/{key}/pdf", summary="A report's PDF")
def get_report_pdf(request: HttpRequest, key: str) -> HttpResponse:
    report = _report(request, key)
    response = HttpResponse(bytes(report.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{report.reference}.pdf"'
    return response


@router.get("/programme/reports/{key}/xlsx", summary="A report's workbook")
def get_report_xlsx(request: HttpRequest, key: str) -> HttpResponse:
    report = _report(request, key)
    response = HttpResponse(
        bytes(report.xlsx), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{report.reference}.xlsx"'
    return response
