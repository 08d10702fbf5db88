"""Test Completion Report pages: the case's reports (with their Word and PDF files, downloaded through the QAD's
protected evidence download), generating the next one, and submitting one with a confirmation."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from qualify.core import guards
from qualify.core.errors import DomainError
from qualify.core.requests import actor_of
from qualify.testing.models import CompletionReport
from qualify.testing.permissions import (
    can_generate_completion_report,
    can_submit_completion_report,
    can_submit_completion_reports,
)
from qualify.testing.report_workflow import REPORT_WORKFLOW
from qualify.testing.selectors.rttm import report_get, report_list
from qualify.testing.services.completion import completion_report_generate, completion_report_submit
from qualify.testing.views.rttm import case_of, refused


@guards.signed_in
def report_list_view(request: HttpRequest, key: str) -> HttpResponse:
    """The case's Test Completion Reports, newest first; the lead (or a contributor) generates the next."""
    case = case_of(request, key)
    actor = actor_of(request)
    reports = list(report_list(actor=actor, case=case))
    context = {
        "case": case,
        "reports": reports,
        "can_generate": can_generate_completion_report(actor, int(case.participation.organisation_id)).allowed,
        "can_submit": can_submit_completion_reports(actor, int(case.participation.organisation_id)).allowed,
        "confirm": REPORT_WORKFLOW.get("submit").confirm,
    }
    return render(request, "testing/completion_reports.html", context)


@require_POST
@guards.signed_in
def report_generate_view(request: HttpRequest, key: str) -> HttpResponse:
    case = case_of(request, key)
    try:
        report = completion_report_generate(actor=actor_of(request), case=case)
    except DomainError as error:
        refused(request, error)
    else:
        messages.success(request, f"Test Completion Report {report.sequence} generated (Word and PDF).")
    return redirect("testing:completion_reports", key=case.reference)


@require_POST
@guards.signed_in
def report_submit_view(request: HttpRequest, key: str, report: str) -> HttpResponse:
    case = case_of(request, key)
    actor = actor_of(request)
    found: CompletionReport = report_get(actor=actor, case=case, key=report)
    if not request.POST.get("confirm"):
        decision = can_submit_completion_report(actor, found)
        if not decision.allowed:
            raise PermissionDenied(decision.reason)
        messages.error(request, "Tick the box to confirm the report you submit.")
        return redirect("testing:completion_reports", key=case.reference)
    try:
        completion_report_submit(actor=actor, report=found)
    except DomainError as error:
        refused(request, error)
    else:
        messages.success(request, f"Test Completion Report {found.sequence} submitted; its files are now QAD evidence.")
    return redirect("testing:completion_reports", key=case.reference)
