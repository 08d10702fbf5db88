"""The gates page of a case: what entering and leaving testing need, met or not, and its prerequisites with the
forms to record, accept or send them back. Thin adapters over testing/gates.py and services/prerequisites.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from qualify.cases.models import QualificationCase
from qualify.core import clock, guards
from qualify.core.errors import DomainError
from qualify.core.requests import actor_of
from qualify.core.web import report_error
from qualify.qad.evidence import install_upload_handlers
from qualify.testing.gates import entry_conditions, exit_conditions
from qualify.testing.permissions import can_record_prerequisite, can_review_prerequisite
from qualify.testing.selectors.gates import prerequisite_get, prerequisite_rows, testing_case_get
from qualify.testing.services.prerequisites import (
    MAX_EVIDENCE,
    prerequisite_accept,
    prerequisite_evidence_upload,
    prerequisite_record,
    prerequisite_send_back,
)


def _case(request: HttpRequest, key: str) -> QualificationCase:
    return testing_case_get(actor=actor_of(request), key=key)


@guards.signed_in
def case_gates_view(request: HttpRequest, key: str) -> HttpResponse:
    """Entering and leaving testing as a checklist, with the prerequisites behind it."""
    actor = actor_of(request)
    case = _case(request, key)
    context: dict[str, Any] = {
        "case": case,
        "entry": entry_conditions(case),
        "exit": exit_conditions(case),
        "prerequisites": prerequisite_rows(actor=actor, case=case),
        "can_record": can_record_prerequisite(actor, case).allowed,
        "can_review": can_review_prerequisite(actor, case).allowed,
        "today": clock.today().isoformat(),
    }
    return render(request, "testing/case_gates.html", context)


@require_POST
@guards.signed_in
def prerequisite_record_view(request: HttpRequest, key: str, kind: str) -> HttpResponse:
    """Record (or record again) a prerequisite: completion date, note and evidence files uploaded with it."""
    install_upload_handlers(request)
    actor = actor_of(request)
    case = _case(request, key)
    if not can_record_prerequisite(actor, case).allowed:
        raise PermissionDenied(can_record_prerequisite(actor, case).reason)
    try:
        completed_on = dt.date.fromisoformat(str(request.POST.get("completed_on", ""))[:10])
    except ValueError:
        messages.error(request, "Give the date the prerequisite was completed.")
        return redirect("testing:case_gates", key=case.reference)
    uploads = request.FILES.getlist("evidence")[:MAX_EVIDENCE]
    try:
        files = [
            prerequisite_evidence_upload(actor=actor, case=case, upload=f, name=f.name or "", size=f.size or 0)
            for f in uploads
        ]
        record = prerequisite_record(
            actor=actor,
            case=case,
            kind=kind[:40],
            completed_on=completed_on,
            note=str(request.POST.get("note", "")),
            evidence=files,
        )
    except DomainError as error:
        report_error(request, error)
    else:
        messages.success(request, f"{record.get_kind_display()} recorded; it now awaits acceptance.")
    return redirect("testing:case_gates", key=case.reference)


@require_POST
@guards.signed_in
def prerequisite_review_view(request: HttpRequest, key: str, kind: str, decision: str) -> HttpResponse:
    """Accept a recorded prerequisite, or send it back with a comment."""
    actor = actor_of(request)
    case = _case(request, key)
    if not can_review_prerequisite(actor, case).allowed:
        raise PermissionDenied(can_review_prerequisite(actor, case).reason)
    record = prerequisite_get(actor=actor, case=case, kind=kind[:40])
    comment = str(request.POST.get("comment", ""))
    try:
        if decision == "accept":
            record = prerequisite_accept(actor=actor, record=record, comment=comment)
        else:
            record = prerequisite_send_back(actor=actor, record=record, comment=comment)
    except DomainError as error:
        report_error(request, error)
    else:
        messages.success(request, f"{record.get_kind_display()}: {record.get_state_display().lower()}.")
    return redirect("testing:case_gates", key=case.reference)
