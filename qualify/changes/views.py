"""Pages for disclosed changes: the Code Bodies' queue, a case's disclosures with the lead's form (also loaded by
htmx into the case page), one disclosure with each body's assessment form. Thin adapters over the services."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from qualify.assessment.choices import APPROVER_NAMES
from qualify.assessment.permissions import body_of
from qualify.cases.models import QualificationCase
from qualify.cases.selectors import case_get
from qualify.changes import selectors as sel
from qualify.changes.choices import DISCLOSABLE_CASE_STATES, UNDECIDED, ChangeKind, DisclosureState
from qualify.changes.forms import AssessForm, DiscloseForm, WithdrawForm
from qualify.changes.models import ChangeDisclosure
from qualify.changes.permissions import can_assess, can_disclose
from qualify.changes.services import change_assess, change_disclose, change_withdraw
from qualify.changes.workflow import DISCLOSURE_WORKFLOW
from qualify.core import guards
from qualify.core.actor import Actor
from qualify.core.errors import DomainError, NotAllowed
from qualify.core.requests import actor_of
from qualify.core.web import confirmation_page, confirmed, paginate, render_page_or_partial, report_error
from qualify.qad.choices import Body

PER_PAGE = 50
WITHDRAW_CONFIRM = DISCLOSURE_WORKFLOW.get("withdraw").confirm
DISCLOSE_CONFIRM = (
    "I confirm this change is disclosed to the Code Bodies that approve the role; they assess whether it needs "
    "re-qualification."
)


@guards.staff()
def queue_view(request: HttpRequest) -> HttpResponse:
    """The Code Bodies' queue: every organisation's disclosed changes, the undecided ones by default."""
    data = request.GET.copy()
    if "state" not in data:
        data["state"] = sel.OPEN
    filters = sel.DisclosureFilters.from_mapping(data)
    page = paginate(request, sel.disclosure_queue(actor=actor_of(request), filters=filters), per_page=PER_PAGE)
    query = urlencode(
        {k: v for k, v in (("state", filters.state), ("kind", filters.kind), ("body", filters.body)) if v}
    )
    context = {
        "page": page,
        "filters": filters,
        "states": [(sel.OPEN, "Undecided"), *DisclosureState.choices],
        "kinds": ChangeKind.choices,
        "bodies": [(b, APPROVER_NAMES[b]) for b in Body.values],
        "query": query,
    }
    return render(request, "changes/queue.html", context)


def _case_context(actor: Actor, case: QualificationCase, form: DiscloseForm | None = None) -> dict[str, object]:
    may = can_disclose(actor, case).allowed and case.requalifies_id is None
    return {
        "case": case,
        "disclosures": list(sel.case_disclosures(actor=actor, case=case)[:PER_PAGE]),
        "may_disclose": may and case.state in DISCLOSABLE_CASE_STATES,
        "form": form or DiscloseForm(),
        "disclose_confirm": DISCLOSE_CONFIRM,
    }


@guards.signed_in
def case_view(request: HttpRequest, key: str) -> HttpResponse:
    """A case's disclosed changes and, for its lead once qualified, the form to disclose one (the case page loads
    the panel by htmx)."""
    actor = actor_of(request)
    case = case_get(actor=actor, key=key)
    return render_page_or_partial(request, "changes/case.html", "changes/_case_panel.html", _case_context(actor, case))


@require_POST
@guards.signed_in
def disclose_view(request: HttpRequest, key: str) -> HttpResponse:
    actor = actor_of(request)
    case = case_get(actor=actor, key=key)
    form = DiscloseForm(request.POST)
    if not form.is_valid():
        return render(request, "changes/case.html", _case_context(actor, case, form), status=400)
    if not confirmed(request):
        return confirmation_page(
            request,
            action="Disclose the change",
            consequence=DISCLOSE_CONFIRM,
            back_url=reverse("changes:case", args=[case.reference]),
        )
    try:
        disclosure = change_disclose(
            actor=actor,
            case=case,
            kind=form.cleaned_data["kind"],
            effective_on=form.cleaned_data["effective_on"],
            description=form.cleaned_data["description"],
        )
    except NotAllowed as error:
        raise PermissionDenied(error.message) from error
    except DomainError as error:
        report_error(request, error)
        return redirect("changes:case", key=case.reference)
    messages.success(request, f"{disclosure.reference} is disclosed to the Code Bodies. You stay qualified meanwhile.")
    return redirect("changes:detail", reference=disclosure.reference)


def _detail_context(actor: Actor, disclosure: ChangeDisclosure, form: AssessForm | None = None) -> dict[str, object]:
    done = {a.body for a in disclosure.assessments.all()}
    body = body_of(actor)
    may_assess = (
        body is not None
        and body not in done
        and disclosure.state in UNDECIDED
        and can_assess(actor, disclosure, body).allowed
    )
    withdraw = DISCLOSURE_WORKFLOW.get("withdraw")
    return {
        "d": disclosure,
        "assessments": list(disclosure.assessments.all()),
        "waiting": [APPROVER_NAMES[b] for b in disclosure.bodies if b not in done],
        "body_name": APPROVER_NAMES.get(body or "", ""),
        "assess_form": (form or AssessForm(initial={"body": body})) if may_assess else None,
        "may_withdraw": disclosure.state in withdraw.sources and withdraw.permission(actor, disclosure).allowed,
        "withdraw_form": WithdrawForm(),
        "withdraw_confirm": WITHDRAW_CONFIRM,
    }


@guards.signed_in
def detail_view(request: HttpRequest, reference: str) -> HttpResponse:
    actor = actor_of(request)
    disclosure = sel.disclosure_get(actor=actor, reference=reference)
    return render(request, "changes/detail.html", _detail_context(actor, disclosure))


@require_POST
@guards.signed_in
def assess_view(request: HttpRequest, reference: str) -> HttpResponse:
    actor = actor_of(request)
    disclosure = sel.disclosure_get(actor=actor, reference=reference)
    form = AssessForm(request.POST)
    if not form.is_valid():
        return render(request, "changes/detail.html", _detail_context(actor, disclosure, form), status=400)
    try:
        change_assess(
            actor=actor,
            disclosure=disclosure,
            body=form.cleaned_data["body"].upper(),
            requalification_needed=form.cleaned_data["requalification_needed"],
            reason=form.cleaned_data["reason"],
            sections=form.section_list(),
            test_cases=form.test_case_list(),
        )
    except NotAllowed as error:
        raise PermissionDenied(error.message) from error
    except DomainError as error:
        report_error(request, error)
    else:
        messages.success(request, "Your body's assessment is recorded.")
    return redirect("changes:detail", reference=disclosure.reference)


@require_POST
@guards.signed_in
def withdraw_view(request: HttpRequest, reference: str) -> HttpResponse:
    actor = actor_of(request)
    disclosure = sel.disclosure_get(actor=actor, reference=reference)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why you withdraw the disclosure.")
        return redirect("changes:detail", reference=disclosure.reference)
    if not confirmed(request):
        return confirmation_page(
            request,
            action="Withdraw the disclosure",
            consequence=WITHDRAW_CONFIRM,
            back_url=reverse("changes:detail", args=[disclosure.reference]),
            destructive=True,
        )
    try:
        change_withdraw(actor=actor, disclosure=disclosure, reason=form.cleaned_data["reason"])
    except NotAllowed as error:
        raise PermissionDenied(error.message) from error
    except DomainError as error:
        report_error(request, error)
    else:
        messages.success(request, f"{disclosure.reference} is withdrawn.")
    return redirect("changes:detail", reference=disclosure.reference)
