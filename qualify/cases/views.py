"""Case pages: the participant home, the programme overview, a case with its history and next steps."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from qualify.accounts.reauth import second_factor_required
from qualify.cases.choices import BEFORE_QUALIFIED, CaseState
from qualify.cases.forms import TransitionForm, WaveAssignForm
from qualify.cases.help import PROCESS, ROLE_GUIDES, state_guide
from qualify.cases.permissions import can_assign_wave
from qualify.cases.selectors import (
    EXTRA_FILTERS,
    CaseFilters,
    case_counts,
    case_get,
    case_page,
    case_resumption,
    case_summaries,
    case_summary,
)
from qualify.cases.services import case_assign_wave, case_transition
from qualify.cases.workflow import CASE_WORKFLOW
from qualify.core import guards
from qualify.core.errors import DomainError
from qualify.core.keyset import BadCursor
from qualify.core.requests import actor_of
from qualify.core.roles import StaffRole
from qualify.core.svg_graph import workflow_diagram
from qualify.core.web import confirmation_page, render_page_or_partial, report_error
from qualify.core.workflow import ReturnTarget, who_may
from qualify.participants.choices import MarketRole, Route
from qualify.participants.selectors import organisation_names
from qualify.plan.models import Wave


@guards.signed_in
def home(request: HttpRequest) -> HttpResponse:
    """A participant's home: each case, its state, the next deadline and what to do next. Staff see the overview."""
    actor = actor_of(request)
    if actor.is_staff_member:
        return redirect("cases:list")
    today = timezone.localdate()
    context = {
        "summaries": case_summaries(actor=actor, today=today),
        "today": today,
        "organisations": organisation_names(actor=actor),
    }
    return render(request, "cases/home.html", context)


@guards.signed_in
def case_list_view(request: HttpRequest) -> HttpResponse:
    """The programme overview of cases with filters and counts (participants see only their own), 50 cases a page
    with next/previous links that keep the filters. A page link that was tampered with shows the first page, with
    a message, as a 400."""
    actor = actor_of(request)
    filters = CaseFilters.from_mapping(request.GET)
    status, cursor_error = 200, ""
    try:
        page = case_page(actor=actor, filters=filters, cursor=request.GET.get("cursor") or None)
    except BadCursor as error:
        page = case_page(actor=actor, filters=filters)
        status, cursor_error = error.status, error.message
    counts = case_counts(actor=actor, filters=filters)
    context = {
        "page": page,
        "previous_url": _page_url(request, page.previous_cursor),
        "next_url": _page_url(request, page.next_cursor),
        "cursor_error": cursor_error,
        "filters": filters,
        "counts": [(state, counts.get(state.value, 0)) for state in CaseState],
        "total": sum(counts.values()),
        "roles": MarketRole.choices,
        "routes": Route.choices,
        "states": CaseState.choices,
        "waves": Wave.objects.order_by("sequence").values_list("code", "name"),
        "extra_filters": [(name, extra, str(getattr(filters, name, ""))) for name, extra in EXTRA_FILTERS.items()],
    }
    return render_page_or_partial(request, "cases/case_list.html", "cases/_case_table.html", context, status=status)


def _page_url(request: HttpRequest, cursor: str | None) -> str | None:
    """The overview at ``cursor`` with the request's filters (None when there is no such page)."""
    if cursor is None:
        return None
    params = request.GET.copy()
    params.pop("page", None)  # the page number of the offset pager, from old bookmarks
    params["cursor"] = cursor
    return f"{reverse('cases:list')}?{params.urlencode()}"


@guards.signed_in
def lifecycle(request: HttpRequest) -> HttpResponse:
    """The case lifecycle as the transition table itself: every step, where it leaves from, and who may take it."""
    labels = dict(CaseState.choices)
    steps = [
        {
            "transition": t,
            "sources": [labels[s] for s in sorted(t.sources)],
            "target": labels[t.target] if isinstance(t.target, str) else _returning(t.target),
            "who": who_may(t),
        }
        for t in CASE_WORKFLOW.transitions
    ]
    diagram = workflow_diagram(
        CASE_WORKFLOW,
        CaseState.DRAFT,
        state_label=lambda state: labels.get(state, state),
        groups={"Any state before Qualified": BEFORE_QUALIFIED},
        states=CaseState.values,
        title="The states of a qualification case and the steps between them",
    )
    return render(request, "cases/lifecycle.html", {"steps": steps, "diagram": diagram})


def _returning(target: ReturnTarget) -> str:
    return f"{target.describe[0].upper()}{target.describe[1:]}"


def _case_or_404(request: HttpRequest, key: str):  # type: ignore[no-untyped-def]
    return case_get(actor=actor_of(request), key=key)


@guards.signed_in
def case_detail(request: HttpRequest, key: str) -> HttpResponse:
    actor = actor_of(request)
    case = _case_or_404(request, key)
    available = CASE_WORKFLOW.available(actor, case)
    context = {
        "case": case,
        "summary": case_summary(case=case),
        "today": timezone.localdate(),
        "transitions": available,
        "transition_history": list(case.transitions.all()),
        "resumption": case_resumption(case=case),
        "wave_form": WaveAssignForm(initial={"wave": case.wave.code if case.wave else None}),
        "can_assign_wave": can_assign_wave(actor).allowed,
        "is_staff": actor.is_staff_member,
    }
    return render(request, "cases/case_detail.html", context)


def _is_revocation(request: HttpRequest) -> bool:
    return request.POST.get("name") == "revoke"


@require_POST
@guards.signed_in
@second_factor_required(when=_is_revocation)  # revoking a qualification: a fresh second factor (issue 16)
def case_transition_view(request: HttpRequest, key: str) -> HttpResponse:
    case = _case_or_404(request, key)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            "Please check the step's details: "
            + "; ".join(f"{field}: {' '.join(str(e) for e in errs)}" for field, errs in form.errors.items()),
        )
        return redirect("cases:detail", key=case.reference)
    step = next((t for t in CASE_WORKFLOW.transitions if t.name == form.cleaned_data["name"]), None)
    if step is not None and step.confirm and not form.cleaned_data["confirm"]:
        return confirmation_page(
            request,
            action=step.label,
            consequence=step.confirm,
            back_url=reverse("cases:detail", args=[case.reference]),
            destructive=step.destructive,
        )
    try:
        case = case_transition(
            actor=actor_of(request),
            case=case,
            name=form.cleaned_data["name"],
            comment=form.cleaned_data["comment"] or "",
            effective_date=form.cleaned_data["effective_date"],
        )
    except DomainError as error:
        report_error(request, error)
    else:
        messages.success(request, f"{case.reference} is now {case.get_state_display().lower()}.")
    return redirect("cases:detail", key=case.reference)


@require_POST
@guards.staff(StaffRole.PROGRAMME_ADMIN)
def case_assign_wave_view(request: HttpRequest, key: str) -> HttpResponse:
    case = _case_or_404(request, key)
    form = WaveAssignForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a wave.")
        return redirect("cases:detail", key=case.reference)
    try:
        case_assign_wave(
            actor=actor_of(request),
            case=case,
            wave=form.cleaned_data["wave"],
            reason=form.cleaned_data["reason"],
        )
    except DomainError as error:
        report_error(request, error)
    else:
        messages.success(request, f"{case.reference} is now in {form.cleaned_data['wave'].name}.")
    return redirect("cases:detail", key=case.reference)


@guards.public
def help_index(request: HttpRequest) -> HttpResponse:
    """The process in short, and a help page for each kind of person (public: it holds no one's data)."""
    return render(request, "cases/help_index.html", {"guides": ROLE_GUIDES.values(), "process": PROCESS})


@guards.public
def help_role(request: HttpRequest, role: str) -> HttpResponse:
    """One kind of person's part in the process, what each state of a case means, and who to ask."""
    guide = ROLE_GUIDES.get(role)
    if guide is None:
        raise Http404("There is no help page for that role.")
    context = {"guide": guide, "guides": ROLE_GUIDES.values(), "process": PROCESS, "states": state_guide(guide)}
    return render(request, "cases/help_role.html", context)
