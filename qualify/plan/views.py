from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from qualify.core import guards
from qualify.core.errors import NotFound
from qualify.core.requests import actor_of
from qualify.plan.selectors import milestone_get, milestone_list, wave_list


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


@guards.signed_in
def milestone_detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        milestone = milestone_get(actor=actor_of(request), code=code)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return render(request, "plan/milestone_detail.html", {"milestone": milestone})
