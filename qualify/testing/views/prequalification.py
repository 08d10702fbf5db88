"""The pre-qualification form page: the lead fills it in and submits it with the case step; everyone else in scope
reads it. Thin adapters over services/prequalification.py."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from qualify.cases.choices import CaseState
from qualify.cases.models import QualificationCase
from qualify.core import guards
from qualify.core.requests import actor_of
from qualify.participants.choices import Route
from qualify.testing.choices import PrequalState
from qualify.testing.forms import ConfirmedReasonForm, PrequalificationForm
from qualify.testing.models import PreQualification
from qualify.testing.permissions import can_edit_prequalification
from qualify.testing.selectors.reliance import prequalification_of
from qualify.testing.services.prequalification import (
    annex3_dates,
    optional_functions_for,
    prequalification_missing,
    prequalification_save,
    prequalification_submit,
)
from qualify.testing.views.common import attempt, case_or_404

FIELDS = (
    "pit_approach",
    "pit_start",
    "pit_completion",
    "qt_ready",
    "target_migration_date",
    "intended_operation_date",
)


def _initial(prequal: PreQualification | None) -> dict[str, Any]:
    if prequal is None:
        return {}
    return {
        "preferred_wave": prequal.preferred_wave.code if prequal.preferred_wave else None,
        **{name: getattr(prequal, name) for name in FIELDS},
        "optional_functions_not_sought": prequal.optional_functions_not_sought,
    }


def _context(request: HttpRequest, case: QualificationCase, form: PrequalificationForm | None) -> dict[str, Any]:
    actor = actor_of(request)
    prequal = prequalification_of(actor=actor, case=case)
    functions = optional_functions_for(case.participation.role)
    editable = (
        can_edit_prequalification(actor, case).allowed
        and case.participation.route != Route.SIT
        and case.state == CaseState.DRAFT
        and (prequal is None or prequal.state == PrequalState.DRAFT)
    )
    names = {f["code"]: f["title"] for f in functions}
    m10, m14 = annex3_dates()
    return {
        "case": case,
        "prequal": prequal,
        "form": form
        or PrequalificationForm(initial=_initial(prequal), functions=[(f["code"], f["title"]) for f in functions]),
        "editable": editable,
        "missing": prequalification_missing(prequal, case.participation.role),
        "not_sought": [names.get(c, c) for c in (prequal.optional_functions_not_sought if prequal else [])],
        "new_entrant": case.participation.route == Route.NEW_ENTRANT,
        "sit": case.participation.route == Route.SIT,
        "m10": m10,
        "m14": m14,
        "submit_form": ConfirmedReasonForm(),
    }


@guards.signed_in
def prequalification_view(request: HttpRequest, key: str) -> HttpResponse:
    """The form: editable by the lead while the case is a draft, read-only for everyone else in scope."""
    case = case_or_404(request, key)
    if request.method != "POST":
        return render(request, "testing/prequalification.html", _context(request, case, None))
    functions = [(f["code"], f["title"]) for f in optional_functions_for(case.participation.role)]
    form = PrequalificationForm(request.POST, functions=functions)
    if not form.is_valid():
        return render(request, "testing/prequalification.html", _context(request, case, form), status=422)
    saved = attempt(request, lambda: prequalification_save(actor=actor_of(request), case=case, **form.cleaned_data))
    if saved is not None:
        messages.success(request, "Pre-qualification saved as a draft.")
    return redirect("testing:prequalification", key=case.reference)


@require_POST
@guards.signed_in
def prequalification_submit_view(request: HttpRequest, key: str) -> HttpResponse:
    """Submit the form with the case step; the form is frozen afterwards, so the page asks for a confirmation."""
    case = case_or_404(request, key)
    form = ConfirmedReasonForm(request.POST)
    if not form.is_valid() or not form.cleaned_data["confirm"]:
        attempt(request, lambda: can_edit_prequalification(actor_of(request), case).enforce())
        messages.error(request, "Tick the box to confirm: a submitted pre-qualification can no longer be changed.")
        return redirect("testing:prequalification", key=case.reference)
    done = attempt(
        request,
        lambda: prequalification_submit(actor=actor_of(request), case=case, comment=form.cleaned_data["reason"]),
    )
    if done is not None:
        messages.success(request, f"Pre-qualification submitted; {case.reference} is now with the Code Bodies.")
    return redirect("testing:prequalification", key=case.reference)
