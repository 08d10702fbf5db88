"""Pages of the Programme's control room: non-completion records (the staff list, a record with its ladder, the
participant's response) and back-scheduling. Thin adapters over qualify/oversight/services and selectors."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from qualify.cases.choices import CaseState
from qualify.core import guards
from qualify.core.errors import DomainError, NotAllowed
from qualify.core.requests import actor_of
from qualify.core.web import ask_first, paginate, report_error
from qualify.oversight import selectors as sel
from qualify.oversight.choices import Acts, LeadsTo, RecordState, TriggerKind
from qualify.oversight.forms import DecideForm, RespondForm
from qualify.oversight.ladder import LadderSpec
from qualify.oversight.models import NonCompletionLadder, NonCompletionRecord
from qualify.oversight.services import PlanInput, record_decide
from qualify.oversight.workflow import RECORD_WORKFLOW

PER_PAGE = 50

STEP_CONFIRM = "The step's outcome is recorded and the non-completion process moves on; it cannot be changed."


def _record(request: HttpRequest, reference: str) -> NonCompletionRecord:
    return sel.record_get(actor=actor_of(request), reference=reference)


def _step_choices() -> list[tuple[str, str]]:
    """The newest ladder's steps, for the filter (none before a ladder is loaded)."""
    latest = NonCompletionLadder.objects.order_by("-created_at", "-pk").first()
    return [(s.code, s.label) for s in latest.spec.steps] if latest else []


@guards.signed_in
def record_list_view(request: HttpRequest) -> HttpResponse:
    """Non-completion records: every one for staff (open ones first by due date), a participant's own for it."""
    filters = sel.RecordFilters.of(request.GET.get("state"), request.GET.get("step"), request.GET.get("trigger"))
    page = paginate(request, sel.record_list(actor=actor_of(request), filters=filters), per_page=PER_PAGE)
    query = urlencode(
        {k: v for k, v in (("state", filters.state), ("step", filters.step), ("trigger", filters.trigger)) if v}
    )
    context = {
        "page": page,
        "filters": filters,
        "states": [("ALL", "All"), *RecordState.choices],
        "triggers": TriggerKind.choices,
        "steps": _step_choices(),
        "query": query,
    }
    return render(request, "oversight/record_list.html", context)


def _leads_label(spec: LadderSpec, leads_to: str, following: str) -> str:
    step = spec.step(following) if leads_to == LeadsTo.STEP else None
    return step.label if step is not None else str(LeadsTo(leads_to).label)


def _ladder_rows(record: NonCompletionRecord) -> list[dict[str, Any]]:
    spec = record.ladder.spec
    rows = []
    for step in spec.steps:
        rows.append(
            {
                "step": step,
                "acts": Acts(step.acts).label,
                "current": step.code == record.step,
                "outcomes": [
                    {
                        "label": o.label,
                        "leads": _leads_label(spec, o.leads_to, o.next),
                        "acts": Acts(o.acts).label if o.acts else "",
                    }
                    for o in step.outcomes
                ],
            }
        )
    return rows


@guards.signed_in
def record_detail_view(request: HttpRequest, reference: str) -> HttpResponse:
    """A record: what was missed, the ladder with the current step and its due date, the decisions and plans."""
    record = _record(request, reference)
    actor = actor_of(request)
    outcomes = sel.outcome_choices(record, actor)
    context = {
        "record": record,
        "ladder": _ladder_rows(record),
        "step": record.current_step,
        "step_acts": Acts(record.current_step.acts).label if record.current_step else "",
        "outcomes": [o for o in outcomes if not o["plan"]],
        "plan_outcomes": [o for o in outcomes if o["plan"]],
        "sanctions": record.ladder.spec.sanctions_for(record.case.participation.role),
        "sanction_confirm": RECORD_WORKFLOW.get("sanction").confirm,
        "step_confirm": STEP_CONFIRM,
        "decisions": list(record.decisions.all()),
        "plans": list(record.plans.all()),
        "triggers": list(record.triggers.all()),
        "state_before": CaseState(record.case_state_before).label
        if record.case_state_before in CaseState.values
        else record.case_state_before,
    }
    return render(request, "oversight/record_detail.html", context)


@require_POST
@guards.signed_in
def record_decide_view(request: HttpRequest, reference: str) -> HttpResponse:
    record = _record(request, reference)
    form = DecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose an outcome for the step.")
        return redirect("oversight:record_detail", reference=record.reference)
    data = form.cleaned_data
    step = record.current_step
    chosen = step.outcome(data["outcome"]) if step else None
    # Every outcome of an Annex 4 step is part of the record; a sanction says what it does in its own words.
    sanction = chosen is not None and chosen.leads_to == LeadsTo.SANCTION
    asking = ask_first(
        request,
        action=f"Record “{chosen.label}”" if chosen is not None else "Record the outcome",
        consequence=RECORD_WORKFLOW.get("sanction").confirm if sanction else STEP_CONFIRM,
        back_url=reverse("oversight:record_detail", args=[record.reference]),
        destructive=sanction,
    )
    if asking is not None:
        return asking
    try:
        record_decide(
            actor=actor_of(request),
            record=record,
            outcome=data["outcome"],
            step=data["step"],
            comment=data["comment"],
            sanction=data["sanction"],
            effective_date=data["effective_date"],
        )
    except DomainError as error:
        if isinstance(error, NotAllowed):
            raise PermissionDenied(error.message) from error
        report_error(request, error)
    else:
        messages.success(request, f"{record.reference}: “{chosen.label if chosen else data['outcome']}” recorded.")
    return redirect("oversight:record_detail", reference=record.reference)


@guards.signed_in
def record_respond_view(request: HttpRequest, reference: str) -> HttpResponse:
    """The participant's response: a remediation plan with its milestones, owner and dates (Annex 4)."""
    record = _record(request, reference)
    actor = actor_of(request)
    plan_outcomes = [o for o in sel.outcome_choices(record, actor) if o["plan"]]
    if not plan_outcomes or record.current_step is None:
        raise PermissionDenied("There is no response for you to make on this record now.")
    initial = {"step": record.current_step.code, "outcome": plan_outcomes[0]["code"]}
    form = RespondForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                record_decide(
                    actor=actor,
                    record=record,
                    outcome=data["outcome"],
                    step=data["step"],
                    comment=data["comment"],
                    plan=PlanInput(summary=data["summary"], owner=data["owner"], milestones=form.milestones()),
                )
            except DomainError as error:
                if isinstance(error, NotAllowed):
                    raise PermissionDenied(error.message) from error
                report_error(request, error)
                status = 422
            else:
                messages.success(request, f"{record.reference}: your remediation plan was submitted.")
                return redirect("oversight:record_detail", reference=record.reference)
        else:
            status = 422
    context = {"record": record, "step": record.current_step, "form": form}
    return render(request, "oversight/record_respond.html", context, status=status)


@guards.staff()
def backschedule_list_view(request: HttpRequest) -> HttpResponse:
    """Cases whose wave boards after the date their role must be qualified by (M14 for Suppliers)."""
    page = paginate(request, sel.flagged_cases(actor=actor_of(request)), per_page=PER_PAGE)  # type: ignore[arg-type]
    return render(request, "oversight/backschedule_list.html", {"page": page})


@guards.signed_in
def backschedule_case_view(request: HttpRequest, reference: str) -> HttpResponse:
    """One case's back-schedule: the latest date for each deadline and the latest wave that still makes it."""
    found = sel.case_proposal(actor=actor_of(request), reference=reference)
    latest = [(kind, label, found.proposal.latest.get(kind)) for kind, label in _deadline_labels()]
    return render(request, "oversight/backschedule_case.html", {"found": found, "latest": latest})


def _deadline_labels() -> list[tuple[str, str]]:
    from qualify.plan.choices import DeadlineKind

    return [(k, str(v)) for k, v in DeadlineKind.choices]
