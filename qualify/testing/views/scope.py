"""A case's scope page: the frozen required set (or the would-be one before the Code Bodies confirm it), every
catalogue case in or out and why, and the re-scopes with what each added and removed. A Code Body assessor re-scopes
here. Thin adapters over selectors/scope.py and services/scope_confirm.py."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from qualify.core import guards
from qualify.core.requests import actor_of
from qualify.testing.forms import ConfirmedReasonForm
from qualify.testing.permissions import can_rescope
from qualify.testing.selectors.scope import scope_overview
from qualify.testing.services.scope_confirm import RESCOPE_STATES, scope_rescope
from qualify.testing.views.common import attempt, case_or_404
from qualify.testing.views.reliance import ASSESSORS


@guards.signed_in
def case_scope_view(request: HttpRequest, key: str) -> HttpResponse:
    case = case_or_404(request, key)
    show = request.GET.get("show", "")
    overview = scope_overview(case=case, show=show)
    context = {
        "case": case,
        "overview": overview,
        "show": show if show in ("in", "out") else "",
        "can_rescope": can_rescope(actor_of(request), case).allowed and case.state in RESCOPE_STATES,
        "form": ConfirmedReasonForm(),
    }
    return render(request, "testing/case_scope.html", context)


@require_POST
@guards.staff(*ASSESSORS)
def case_rescope_view(request: HttpRequest, key: str) -> HttpResponse:
    """Freeze the required set again, with a reason; the page then shows what moved."""
    case = case_or_404(request, key)
    form = ConfirmedReasonForm(request.POST)
    if not form.is_valid() or not form.cleaned_data["confirm"]:
        messages.error(request, "Tick the box to confirm the re-scope: the new set replaces the current one.")
        return redirect("testing:case_scope", key=case.reference)
    result = attempt(
        request, lambda: scope_rescope(actor=actor_of(request), case=case, reason=form.cleaned_data["reason"] or "")
    )
    if result is not None and not result.changed:
        messages.info(request, f"Nothing moved: the required set is still scope {result.record.sequence}.")
    elif result is not None:
        changes = result.record.changes
        added = ", ".join(c["case_id"] for c in changes.get("added", [])) or "none"
        removed = ", ".join(c["case_id"] for c in changes.get("removed", [])) or "none"
        messages.success(request, f"Re-scoped (scope {result.record.sequence}): added {added}; removed {removed}.")
    return redirect("testing:case_scope", key=case.reference)
