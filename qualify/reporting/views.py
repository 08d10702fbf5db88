"""The Programme's dashboard, the findings list, list downloads and the regulator's reports: thin adapters over the
selectors, exports and services of this app."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from qualify.assessment.choices import FindingState
from qualify.cases.choices import CaseState
from qualify.core import clock, guards
from qualify.core.actor import Actor
from qualify.core.errors import DomainError
from qualify.core.ids import parse_uuid
from qualify.core.requests import actor_of
from qualify.core.web import paginate, report_error
from qualify.participants.choices import MarketRole, Route
from qualify.plan.models import Wave
from qualify.qad.choices import Body
from qualify.reporting import charts
from qualify.reporting.exports import (
    FINDING_LISTING,
    FindingFilters,
    findings,
    findings_table,
    non_completion_table,
    overview_table,
    queries_table,
    table_bytes,
)
from qualify.reporting.forms import ReportForm
from qualify.reporting.models import RegulatorReport
from qualify.reporting.permissions import can_generate_report, can_see_dashboard
from qualify.reporting.selectors import STAGES, dashboard, dashboard_filters, stage_states
from qualify.reporting.services import report_generate


def _may_see(actor: Actor) -> None:
    decision = can_see_dashboard(actor)
    if not decision.allowed:
        raise PermissionDenied(decision.reason)


def _overview_url(**params: str) -> str:
    query = urlencode({k: v for k, v in params.items() if v})
    return reverse("cases:list") + (f"?{query}" if query else "")


@guards.staff()
def dashboard_view(request: HttpRequest) -> HttpResponse:
    """Cases by stage per role and per wave, the burn-up against the plan, what is overdue, the next board meetings
    and the waves on a timeline; every number links to the list behind it."""
    actor = actor_of(request)
    _may_see(actor)
    filters = dashboard_filters(request.GET)
    today = clock.today()
    data = dashboard(actor=actor, filters=filters, today=today)
    base = {"role": filters.role, "route": filters.route, "wave": filters.wave}
    stages = [(key, label) for key, label, _ in STAGES]

    def role_link(role: str, stage: str) -> str:
        return _overview_url(**{**base, "role": role})

    def wave_link(wave: str, stage: str) -> str:
        return _overview_url(**{**base, "wave": wave})

    state_columns = [(key, label, stage_states(key)) for key, label, _ in STAGES]
    burn = data.burn_up
    context: dict[str, Any] = {
        "data": data,
        "filters": filters,
        "roles": MarketRole.choices,
        "routes": Route.choices,
        "waves": Wave.objects.order_by("sequence").values_list("code", "name"),
        "stages": stages,
        "state_columns": state_columns,
        "role_chart": charts.to_svg(
            charts.stacked_bars(
                "Cases by role and stage", data.by_role.categories, data.by_role.counts, stages, role_link
            )
        ),
        "wave_chart": charts.to_svg(
            charts.stacked_bars(
                "Cases by wave and stage", data.by_wave.categories, data.by_wave.counts, stages, wave_link
            )
        ),
        "legend": [(charts.PALETTE[i % len(charts.PALETTE)], label) for i, (_, label) in enumerate(stages)],
        "burn_chart": charts.to_svg(
            charts.burn_up(
                "Qualified and active participations against the plan",
                burn.months,
                {"qualified": burn.qualified, "active": burn.active, "planned": burn.planned},
                deadline=burn.deadline,
                deadline_label=burn.deadline_label,
                today=today,
            )
        ),
        "burn_last": {
            "qualified": burn.qualified[-1] if burn.qualified else 0,
            "active": burn.active[-1] if burn.active else 0,
            "planned": burn.planned[-1] if burn.planned else 0,
        },
        "gantt_chart": charts.to_svg(
            charts.gantt(
                "Waves and their deadlines",
                [
                    (row.wave.name, row.start, row.end, [(d.date, d.display_label) for d in row.deadlines])
                    for row in data.timeline
                ],
                today=today,
            )
        ),
        "role_rows": _stage_rows(data.by_role, base, "role"),
        "wave_rows": _stage_rows(data.by_wave, base, "wave"),
        "overdue_rows": [
            {
                "row": row,
                "queries_url": reverse("assessment:queries") + "?" + urlencode({"body": row.body, "overdue": "1"}),
                "reviews_url": reverse("assessment:queue") + "?" + urlencode({"body": row.body, "overdue": "1"}),
                "findings_url": reverse("reporting:findings") + "?" + urlencode({"body": row.body, "overdue": "1"}),
            }
            for row in data.overdue
        ],
        "export_query": urlencode({k: v for k, v in base.items() if v}),
    }
    return render(request, "reporting/dashboard.html", context)


def _stage_rows(bars: Any, base: dict[str, str], field: str) -> list[dict[str, Any]]:
    """One table row per category: each stage's number links to the overview filtered to it (one state) or, when a
    stage holds several states, to each state's list."""
    rows = []
    for key, label in bars.categories:
        cells = []
        for stage, _, states in STAGES:
            parts = [
                (
                    bars.states.get(key, {}).get(state, 0),
                    _overview_url(**{**base, field: key, "state": state}),
                    str(CaseState(state).label),
                )
                for state in sorted(states)
            ]
            cells.append({"n": bars.counts.get(key, {}).get(stage, 0), "parts": [p for p in parts if p[0]]})
        rows.append(
            {"label": label, "cells": cells, "total": bars.total(key), "url": _overview_url(**{**base, field: key})}
        )
    return rows


@guards.staff()
def findings_view(request: HttpRequest) -> HttpResponse:
    """Every finding the person may see, by the body that raised it, its state and whether it is overdue; each column
    sorts, 50 a page, and the downloads hold every finding of the filter in the same order."""
    actor = actor_of(request)
    filters = FindingFilters.from_mapping(request.GET)
    sort = FINDING_LISTING.sort_from(request.GET)
    qs = FINDING_LISTING.order(findings(actor=actor, filters=filters, today=clock.today()), sort)
    page = paginate(request, qs, FINDING_LISTING.per_page)
    return render(
        request,
        "reporting/findings.html",
        {
            "page": page,
            "list": FINDING_LISTING.nav(
                request.GET,
                sort,
                list_url=reverse("reporting:findings"),
                export_view="reporting:findings_export",
                page=page,
            ),
            "filters": filters,
            "bodies": Body.choices,
            "states": FindingState.choices,
            "today": clock.today(),
        },
    )


@guards.staff()
def findings_export_view(request: HttpRequest, fmt: str) -> HttpResponseBase:
    """The findings list as CSV or Excel: every finding of its filters in its order."""
    actor = actor_of(request)
    filters = FindingFilters.from_mapping(request.GET)
    sort = FINDING_LISTING.sort_from(request.GET)
    return FINDING_LISTING.export(findings(actor=actor, filters=filters, today=clock.today()), sort, fmt)


@guards.signed_in
def export_view(request: HttpRequest, kind: str, fmt: str) -> HttpResponse:
    """A list as CSV or Excel, with the filters in the query string; what is in it is what the person may see."""
    actor = actor_of(request)
    today = clock.today()
    makers = {
        "overview": lambda: overview_table(actor, request.GET),
        "queries": lambda: queries_table(actor, request.GET, today),
        "findings": lambda: findings_table(actor, request.GET, today),
        "non-completion": lambda: non_completion_table(actor, request.GET),
    }
    if kind not in makers or fmt not in ("csv", "xlsx"):
        raise Http404
    try:
        content, content_type, name = table_bytes(makers[kind](), fmt)
    except DomainError as error:
        return HttpResponse(error.message, status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@guards.staff()
def report_list_view(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    _may_see(actor)
    reports = RegulatorReport.objects.defer("pdf", "xlsx", "facts").order_by("-created_at", "-pk")
    return render(
        request,
        "reporting/reports.html",
        {
            "page": paginate(request, reports, per_page=25),
            "form": ReportForm.for_today(clock.today()),
            "can_generate": can_generate_report(actor).allowed,
        },
    )


@guards.staff()
@require_POST
def report_generate_view(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    form = ReportForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the period as two dates.")
        return redirect("reporting:reports")
    try:
        report = report_generate(actor=actor, start=form.cleaned_data["start"], end=form.cleaned_data["end"])
    except DomainError as error:
        report_error(request, error)
        return redirect("reporting:reports")
    messages.success(request, f"{report.reference} generated.")
    return redirect("reporting:report", key=str(report.uuid))


def _report_or_404(request: HttpRequest, key: str) -> RegulatorReport:
    _may_see(actor_of(request))
    public_id = parse_uuid(key)
    found = RegulatorReport.objects.filter(uuid=public_id).first() if public_id else None
    if found is None:
        raise Http404
    return found


@guards.staff()
def report_view(request: HttpRequest, key: str) -> HttpResponse:
    report = _report_or_404(request, key)
    facts = report.facts
    return render(request, "reporting/report.html", {"report": report, "facts": facts})


@guards.staff()
def report_download_view(request: HttpRequest, key: str, fmt: str) -> HttpResponse:
    report = _report_or_404(request, key)
    if fmt == "pdf":
        content, content_type = bytes(report.pdf), "application/pdf"
    elif fmt == "xlsx":
        content, content_type = bytes(report.xlsx), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        raise Http404
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{report.reference}.{fmt}"'
    return response
