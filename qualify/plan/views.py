from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from qualify.core import guards
from qualify.core.errors import DomainError
from qualify.core.requests import actor_of
from qualify.core.roles import StaffRole
from qualify.core.web import report_error
from qualify.plan.forms import MilestoneMoveForm
from qualify.plan.models import Milestone
from qualify.plan.permissions import can_manage_plan
from qualify.plan.selectors import milestone_get, milestone_list, wave_list
from qualify.plan.services import milestone_move


@guards.signed_in
def plan_view(request: HttpRequest) -> HttpResponse:
    """The milestone plan and the waves with their deadlines."""
    actor = actor_of(request)
    return render(
        request,
        "plan/plan.html",
        {
            "milestones": milestone_list(actor=actor),
            "waves": wave_list(actor=actor),
            "today": timezone.localdate(),
        },
    )


def _milestone_or_404(request: HttpRequest, code: str) -> Milestone:
    return milestone_get(actor=actor_of(request), code=code)


@guards.signed_in
def milestone_detail(request: HttpRequest, code: str, form: MilestoneMoveForm | None = None) -> HttpResponse:
    milestone = _milestone_or_404(request, code)
    can_move = can_manage_plan(actor_of(request)).allowed
    context = {"milestone": milestone, "can_move": can_move, "form": form or MilestoneMoveForm()}
    return render(request, "plan/milestone_detail.html", context, status=400 if form is not None else 200)


@require_POST
@guards.staff(StaffRole.PROGRAMME_ADMIN)
def milestone_move_view(request: HttpRequest, code: str) -> HttpResponse:
    """Record an approved change request moving a milestone; the old date stays in the history."""
    milestone = _milestone_or_404(request, code)
    form = MilestoneMoveForm(request.POST)
    if not form.is_valid():
        return milestone_detail(request, code, form=form)
    try:
        milestone_move(
            actor=actor_of(request),
            milestone=milestone,
            new_date=form.cleaned_data["new_date"],
            change_request=form.cleaned_data["change_request"],
            approved_on=form.cleaned_data["approved_on"],
            reason=form.cleaned_data["reason"],
        )
    except DomainError as error:
        report_error(request, error)
    else:
        messages.success(request, f"{milestone.code} moved to {form.cleaned_data['new_date']:%d %b %Y}.")
    return redirect("plan:milestone", code=milestone.code)
