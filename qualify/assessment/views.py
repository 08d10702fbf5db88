"""Assessment pages: the review queue, a case's assessment, queries, findings, the board calendar and its meetings.

Thin adapters over ``qualify.assessment.services`` and ``selectors``. Something outside the actor's scope is a 404;
a refused step re-renders the page with the refusal in words and the error's status (403, 409, 422); a completed
step redirects back with a message. What a participant never sees (internal notes, outcomes, recommendations,
assignments) is left out of the context, not just hidden by the templates.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from qualify.accounts.reauth import second_factor_required
from qualify.assessment import choices as ch
from qualify.assessment import permissions as perm
from qualify.assessment import selectors, services
from qualify.assessment.forms import (
    ActivationForm,
    AgendaForm,
    AssignForm,
    CaseDecisionForm,
    CloseForm,
    DecisionForm,
    FindingForm,
    FindingTransitionForm,
    FollowUpForm,
    MeetingForm,
    OutcomeForm,
    QueryAnswerForm,
    QueryRaiseForm,
    RecommendationForm,
    ReviewCompleteForm,
    form_problems,
    rejection_reasons,
)
from qualify.assessment.models import ActivationStep, AgendaItem, BoardMeeting, Finding, Query
from qualify.assessment.rules import quote
from qualify.assessment.workflow import FINDING_WORKFLOW
from qualify.cases.choices import CaseState
from qualify.cases.models import QualificationCase
from qualify.cases.selectors import case_get
from qualify.core import clock, guards, storedfiles
from qualify.core.actor import Actor
from qualify.core.errors import DomainError, NotAllowed, NotFound, ValidationFailed
from qualify.core.requests import actor_of
from qualify.core.uploads import SizeLimitHandler
from qualify.core.web import render_page_or_partial, report_error
from qualify.plan.models import Wave
from qualify.qad import evidence as ev
from qualify.qad.choices import Body
from qualify.qad.selectors import evidence_get, qad_view, response_find

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
QUERIES_PER_PAGE = 100


# Signed-in people: a machine client never has a session (``accounts.backends.PeopleBackend``), so the pages need
# no check of their own for it.
people = guards.signed_in


def _read(call: Callable[..., Any], **kwargs: Any) -> Any:
    """A selector's answer; a refused read is a 403 (NotFound is the 404 page, by ErrorPagesMiddleware)."""
    try:
        return call(**kwargs)
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from exc


def _refused(request: HttpRequest, error: DomainError, page: Callable[[int], HttpResponse]) -> HttpResponse:
    """The page again, with the service's refusal in words and its status."""
    if isinstance(error, NotFound):
        raise error  # the 404 page (ErrorPagesMiddleware)
    report_error(request, error)
    return page(error.status)


def _invalid(request: HttpRequest, form: Any, page: Callable[[int], HttpResponse]) -> HttpResponse:
    messages.error(request, form_problems(form))
    return page(422)


def _case(request: HttpRequest, key: str) -> QualificationCase:
    found: QualificationCase = _read(selectors.assessment_case, actor=actor_of(request), key=key)
    return found


# --- the review queue, or a participant's own assessment work -------------------------------------------------------


def _queue_body(actor: Actor, requested: str) -> str:
    own = perm.body_of(actor)
    if own is not None:
        return own
    return requested if requested in Body.values else Body.BSC


def _queue_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The body's review queue, a page at a time, under the filters the API takes too."""
    filters = selectors.QueueFilters.from_mapping(request.GET)
    filters = filters.model_copy(update={"body": _queue_body(actor, filters.body)})
    today = timezone.localdate()
    status = 200
    try:
        queue = selectors.review_queue(actor=actor, filters=filters, today=today)
    except ValidationFailed as error:  # a reviewer the filter cannot name: the whole queue, with the reason
        report_error(request, error)
        status = error.status
        filters = selectors.QueueFilters(body=filters.body)
        queue = selectors.review_queue(actor=actor, filters=filters, today=today)
    page = Paginator(queue, selectors.QUEUE_PER_PAGE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    context: dict[str, Any] = {
        "staff": True,
        "body": filters.body,
        "body_name": Body(filters.body).label,
        "can_pick_body": perm.body_of(actor) is None,
        "bodies": Body.choices,
        "filters": filters,
        "page": page,
        "page_links": [n if isinstance(n, int) else None for n in page.paginator.get_elided_page_range(page.number)],
        "rows": page.object_list,
        "assessors": [(str(u.uuid), u.display_name) for u in _reviewers().get(filters.body, [])],
        "waves": Wave.objects.order_by("sequence").values_list("code", "name"),
        "query": params.urlencode(),
        "today": today,
    }
    return render(request, "assessment/queue.html", context, status=status)


@people
def queue_view(request: HttpRequest) -> HttpResponse:
    """Code Body staff: the body's review queue with its clocks. Participants: what they owe, findings, decisions."""
    actor = actor_of(request)
    if perm.sees_internal(actor):
        return _queue_page(request, actor)
    today = timezone.localdate()
    queries = list(selectors.query_list(actor=actor).exclude(state=ch.QueryState.CLOSED).order_by("response_due", "pk"))
    owed = [q for q in queries if q.state == ch.QueryState.OPEN]
    owed.sort(key=lambda q: (not selectors.is_overdue(q, today), q.response_due))
    context = {
        "staff": False,
        "owed": [(q, selectors.is_overdue(q, today)) for q in owed],
        "waiting": [(q, selectors.is_overdue(q, today)) for q in queries if q.state == ch.QueryState.ANSWERED],
        "findings": list(selectors.finding_list(actor=actor).exclude(state=ch.FindingState.CLOSED)),
        "decisions": list(selectors.decision_list(actor=actor)[:50]),
        "today": today,
    }
    return render(request, "assessment/queue.html", context)


# --- one case's assessment ------------------------------------------------------------------------------------------


def _sections(assessment: selectors.CaseAssessment, actor: Actor) -> list[dict[str, Any]]:
    if assessment.submission is None:
        return []
    sections: dict[str, dict[str, Any]] = {}
    reviews: dict[str, bool] = {}  # whether the actor reviews for an owning body, asked once per body
    changes = selectors.submission_changes(assessment.submission)
    for question in selectors.submitted_rows(assessment.submission):
        if question.owner not in reviews:
            reviews[question.owner] = assessment.internal and perm.assesses_for(actor, question.owner).allowed
        entry = sections.setdefault(
            question.section_number,
            {
                "number": question.section_number,
                "title": question.section_title,
                "owner": question.section_owner,
                "rows": [],
            },
        )
        entry["rows"].append(
            {
                "question": question,
                "answer": question.answer,
                "change": changes.by_question.get(question.qid) if changes else None,
                "evidence": question.evidence,
                "outcome": assessment.outcomes.get(question.qid) if assessment.internal else None,
                "advisory": question.advisory,
                "can_review": reviews[question.owner] and not question.advisory,
            }
        )
    return list(sections.values())


def _reviewers() -> dict[str, list[Any]]:
    """The active assessors of each body, to choose a reviewer from."""
    users = get_user_model()._default_manager.filter(is_active=True, staff_role__in=list(ch.BODY_OF_ROLE))
    found: dict[str, list[Any]] = {}
    for user in users.order_by("full_name"):
        found.setdefault(ch.BODY_OF_ROLE[user.staff_role], []).append(user)
    return found


def _case_page(request: HttpRequest, case: QualificationCase, status: int = 200) -> HttpResponse:
    actor = actor_of(request)
    assessment = _read(selectors.case_assessment, actor=actor, case=case)
    today = timezone.localdate()
    internal = assessment.internal
    own_body = perm.body_of(actor)
    approving = ch.approvals_needed(case.participation.role)
    record_bodies = [b for b in approving if perm.assesses_for(actor, b).allowed] if internal else []
    reviewers = _reviewers() if internal else {}
    bodies = [
        {
            "status": status_,
            "assignment": assessment.assignments.get(status_.body) if internal else None,
            "clock": next((c.clock for c in assessment.clocks if c.body == status_.body), None),
            "can_act": internal and perm.assesses_for(actor, status_.body).allowed,
            "reviewers": reviewers.get(status_.body, []),
        }
        for status_ in assessment.bodies
    ]
    activation = [
        {
            "item": item,
            "label": label,
            "step": assessment.activation.get(item),
            "can_record": case.state in services.ACTIVATABLE
            and item not in assessment.activation
            and perm.can_record_activation(actor, item).allowed,
        }
        for item, label in ch.ActivationItem.choices
    ]
    reviews = [
        {
            "status": r,
            "can_complete": internal
            and r.completion is None
            and case.state in services.COMPLETABLE
            and perm.completes_review(actor, r.body).allowed,
        }
        for r in assessment.reviews
    ]
    context = {
        "case": case,
        "a": assessment,
        "reviews": reviews,
        "decide": _decide_context(actor, case, assessment, today),
        "internal": internal,
        "sections": _sections(assessment, actor),
        "changes": selectors.submission_changes(assessment.submission) if assessment.submission else None,
        # Every question's review forms post to these two: reversed once, not once per question.
        "outcome_url": reverse("assessment:outcome", args=[case.reference]),
        "raise_url": reverse("assessment:query_raise", args=[case.reference]),
        "queries": [(q, selectors.is_overdue(q, today)) for q in assessment.queries],
        "bodies": bodies,
        "activation": activation,
        "record_bodies": record_bodies,
        "own_body": own_body,
        "can_raise": internal and case.state in services.QUERYABLE,
        "outcomes": ch.Outcome.choices,
        "recommendations": ch.Recommendation.choices,
        "severities": ch.Severity.choices,
        "today": today,
        "max_mb": ev.max_bytes() // (1024 * 1024),
    }
    return render(request, "assessment/case.html", context, status=status)


def _decide_context(
    actor: Actor, case: QualificationCase, assessment: selectors.CaseAssessment, today: Any
) -> dict[str, Any] | None:
    """The decision form for the actor's own body, when it approves the role and has not yet decided this round.

    The BSC PAB decides at its meetings, so its form asks which (held) meeting the case was tabled at; the DIP
    Manager and the REC Code Manager give a dated decision, with a meeting only if they took it at one.
    """
    body = perm.decides_for(actor)
    if body is None or case.state != CaseState.AWAITING_APPROVAL:
        return None
    status_ = next((b for b in assessment.bodies if b.body == body), None)
    if status_ is None or status_.decision is not None:
        return None
    meetings = [
        i.meeting
        for i in AgendaItem.objects.filter(case=case, meeting__body=body, meeting__meets_on__lte=today, decision=None)
        .select_related("meeting")
        .order_by("-meeting__meets_on")
    ]
    return {
        "body": body,
        "name": ch.APPROVER_NAMES[body],
        "at_meetings": body in ch.DECIDES_AT_MEETINGS,
        "meetings": meetings,
        "outcomes": ch.DecisionOutcome.choices,
    }


@people
def case_view(request: HttpRequest, key: str) -> HttpResponse:
    """A case's assessment: the submitted questions by section, queries, clocks, findings, bodies and decisions."""
    return _case_page(request, _case(request, key))


CaseAct = Callable[[Actor, QualificationCase, dict[str, Any]], str]


def _case_step(request: HttpRequest, key: str, form_class: type[Any], act: CaseAct) -> HttpResponse:
    """Validate a form posted on the case page, call the service, and come back with its outcome."""
    case = _case(request, key)
    form = form_class(request.POST, request.FILES or None)

    def page(status: int) -> HttpResponse:
        return _case_page(request, case, status)

    if not form.is_valid():
        return _invalid(request, form, page)
    try:
        done = act(actor_of(request), case, form.cleaned_data)
    except DomainError as error:
        return _refused(request, error, page)
    messages.success(request, done)
    return redirect("assessment:case", key=case.reference)


@require_POST
@people
def outcome_view(request: HttpRequest, key: str) -> HttpResponse:
    def act(actor: Actor, case: QualificationCase, data: dict[str, Any]) -> str:
        submission = selectors.latest_submission(actor=actor, case=case)
        row = services.outcome_record(
            actor=actor,
            submission=submission,
            question_id=data["question_id"],
            outcome=data["outcome"],
            comment=data["comment"],
        )
        return f"Outcome recorded: {row.get_outcome_display()}."

    return _case_step(request, key, OutcomeForm, act)


@require_POST
@people
def query_raise_view(request: HttpRequest, key: str) -> HttpResponse:
    def act(actor: Actor, case: QualificationCase, data: dict[str, Any]) -> str:
        submission = selectors.latest_submission(actor=actor, case=case)
        query = services.query_raise(
            actor=actor,
            submission=submission,
            question_id=data["question_id"],
            text=data["text"],
            response_due=data["response_due"],
            internal_note=data["internal_note"],
        )
        return f"{query.reference} raised on {query.question_number}; the answer is due {query.response_due:%d %b %Y}."

    return _case_step(request, key, QueryRaiseForm, act)


@require_POST
@people
def finding_record_view(request: HttpRequest, key: str) -> HttpResponse:
    def act(actor: Actor, case: QualificationCase, data: dict[str, Any]) -> str:
        finding = services.finding_record(actor=actor, case=case, **data)
        return f"{finding.reference} recorded."

    return _case_step(request, key, FindingForm, act)


@require_POST
@people
def assign_view(request: HttpRequest, key: str) -> HttpResponse:
    def act(actor: Actor, case: QualificationCase, data: dict[str, Any]) -> str:
        user = get_user_model()._default_manager.filter(uuid=data["reviewer"]).first()
        assignment = services.review_assign(
            actor=actor, case=case, body=data["body"], reviewer_id=user.pk if user is not None else 0
        )
        return f"{assignment.reviewer} reviews the {ch.APPROVER_NAMES[assignment.body]} sections."

    return _case_step(request, key, AssignForm, act)


@require_POST
@people
def recommend_view(request: HttpRequest, key: str) -> HttpResponse:
    def act(actor: Actor, case: QualificationCase, data: dict[str, Any]) -> str:
        row = services.recommendation_record(actor=actor, case=case, **data)
        return f"{ch.APPROVER_NAMES[row.body]} recommendation recorded: {row.get_recommendation_display()}."

    return _case_step(request, key, RecommendationForm, act)


@require_POST
@people
def review_complete_view(request: HttpRequest, key: str) -> HttpResponse:
    def act(actor: Actor, case: QualificationCase, data: dict[str, Any]) -> str:
        row = services.review_complete(actor=actor, case=case, body=data["body"], note=data["note"])
        return f"The {ch.APPROVER_NAMES[row.body]} review of the Final QAD is complete."

    return _case_step(request, key, ReviewCompleteForm, act)


@require_POST
@people
@second_factor_required()  # a board decision: a fresh second factor (issue 16)
def decide_case_view(request: HttpRequest, key: str) -> HttpResponse:
    def act(actor: Actor, case: QualificationCase, data: dict[str, Any]) -> str:
        meeting_key = data.pop("meeting")
        item = None
        if meeting_key:
            try:
                meeting = selectors.meeting_get(actor=actor, key=meeting_key)
                item = selectors.agenda_item_get(actor=actor, meeting=meeting, case=case)
            except NotFound as error:
                raise ValidationFailed(error.message, details={"meeting": "not_tabled"}) from None
        decision = services.decision_record(actor=actor, item=item, case=case, **data)
        return f"{decision.reference}: the {ch.APPROVER_NAMES[decision.body]} decided {decision.get_outcome_display()}."

    return _case_step(request, key, CaseDecisionForm, act)


@people
@csrf_exempt
def activation_view(request: HttpRequest, key: str) -> HttpResponseBase:
    """Record a service activation step, with an optional evidence file (streamed, size-limited, type-checked)."""
    # The size limit and disk spooling must be in place before anything reads the body, which the CSRF check does.
    limit = ev.install_upload_handlers(request)
    return _activation_protected(request, key, limit)


@csrf_protect
def _activation_protected(request: HttpRequest, key: str, limit: SizeLimitHandler | None) -> HttpResponse:
    if request.method != "POST":
        return HttpResponse(status=405)
    case = _case(request, key)

    def page(status: int) -> HttpResponse:
        return _case_page(request, case, status)

    if limit is not None and limit.exceeded:
        return _refused(request, ev.too_big_error(), page)
    form = ActivationForm(request.POST, request.FILES)
    if not form.is_valid():
        return _invalid(request, form, page)
    data = form.cleaned_data
    upload: UploadedFile[bytes] | None = data["file"]
    try:
        step = services.activation_record(
            actor=actor_of(request),
            case=case,
            item=data["item"],
            evidence_reference=data["evidence_reference"],
            evidence_note=data["evidence_note"],
            effective_date=data["effective_date"],
            upload=upload.file if upload is not None else None,
            upload_name=(upload.name or "") if upload is not None else "",
            upload_size=(upload.size or 0) if upload is not None else 0,
        )
    except DomainError as error:
        return _refused(request, error, page)
    messages.success(request, f"“{step.get_item_display()}” recorded.")
    return redirect("assessment:case", key=case.reference)


# --- queries --------------------------------------------------------------------------------------------------------


@people
def query_list_view(request: HttpRequest) -> HttpResponse:
    """Queries with filters (body, state, case, overdue); the table reloads through htmx as the filters change."""
    actor = actor_of(request)
    filters = selectors.QueryFilters.from_mapping(request.GET)
    today = timezone.localdate()
    queries = list(_read(selectors.query_list, actor=actor, filters=filters)[:QUERIES_PER_PAGE])
    context = {
        "rows": [(q, selectors.is_overdue(q, today)) for q in queries],
        "limit": QUERIES_PER_PAGE,
        "filters": filters,
        "bodies": Body.choices,
        "states": ch.QueryState.choices,
        "today": today,
    }
    return render_page_or_partial(request, "assessment/query_list.html", "assessment/_query_table.html", context)


def _query(request: HttpRequest, key: str) -> Query:
    found: Query = _read(selectors.query_get, actor=actor_of(request), key=key)
    return found


def _evidence_choices(actor: Actor, case: QualificationCase) -> tuple[Any, list[tuple[str, str]]]:
    response = response_find(actor=actor, case=case)
    if response is None:
        return None, []
    view = qad_view(actor=actor, response=response)
    return response, [(str(e.uuid), f"{e.original_name} ({e.evidence_as_of:%d %b %Y})") for e in view.evidence]


def _query_page(request: HttpRequest, query: Query, status: int = 200) -> HttpResponse:
    actor = actor_of(request)
    internal = perm.sees_internal(actor)
    can_answer = query.state == ch.QueryState.OPEN and perm.query_answerer(actor, query).allowed
    closes = perm.closes_query(actor, query).allowed
    evidence_choices = _evidence_choices(actor, query.case)[1] if can_answer else []
    context = {
        "query": query,
        "quote": quote(query),
        "thread": selectors.query_messages(query),
        "internal": internal,
        "overdue": selectors.is_overdue(query),
        "can_answer": can_answer,
        "can_follow_up": closes and query.state == ch.QueryState.ANSWERED,
        "can_close": closes and query.state != ch.QueryState.CLOSED,
        "answer_form": QueryAnswerForm(evidence_choices=evidence_choices),
        "max_mb": ev.max_bytes() // (1024 * 1024),
    }
    return render(request, "assessment/query_detail.html", context, status=status)


@people
def query_view(request: HttpRequest, key: str) -> HttpResponse:
    """A query's thread, quoting what it is about, with the answer, follow-up and close forms for who may use them."""
    return _query_page(request, _query(request, key))


@people
@csrf_exempt
def query_answer_view(request: HttpRequest, key: str) -> HttpResponseBase:
    """The participant answers, optionally with a file from its QAD or a new upload (streamed, size-limited)."""
    limit = ev.install_upload_handlers(request)
    return _query_answer_protected(request, key, limit)


@csrf_protect
def _query_answer_protected(request: HttpRequest, key: str, limit: SizeLimitHandler | None) -> HttpResponse:
    if request.method != "POST":
        return HttpResponse(status=405)
    actor = actor_of(request)
    query = _query(request, key)

    def page(status: int) -> HttpResponse:
        return _query_page(request, query, status)

    if limit is not None and limit.exceeded:
        return _refused(request, ev.too_big_error(), page)
    _, choices = _evidence_choices(actor, query.case)
    form = QueryAnswerForm(request.POST, request.FILES, evidence_choices=choices)
    if not form.is_valid():
        return _invalid(request, form, page)
    try:
        upload: UploadedFile[bytes] | None = form.cleaned_data["file"]
        if upload is not None:
            query = services.query_answer_with_upload(
                actor=actor,
                query=query,
                text=form.cleaned_data["text"],
                upload=upload.file,  # type: ignore[arg-type]
                name=upload.name or "",
                size=upload.size or 0,
            )
        else:
            evidence = None
            if form.cleaned_data["evidence"]:
                evidence = evidence_get(actor=actor, uuid=form.cleaned_data["evidence"])
            query = services.query_answer(actor=actor, query=query, text=form.cleaned_data["text"], evidence=evidence)
    except DomainError as error:
        return _refused(request, error, page)
    messages.success(request, f"{query.reference} answered; the reviewer has been told.")
    return redirect("assessment:query", key=query.reference)


def _query_step(
    request: HttpRequest, key: str, form_class: type[Any], act: Callable[[Actor, Query, dict[str, Any]], str]
) -> HttpResponse:
    query = _query(request, key)
    form = form_class(request.POST)

    def page(status: int) -> HttpResponse:
        return _query_page(request, query, status)

    if not form.is_valid():
        return _invalid(request, form, page)
    try:
        done = act(actor_of(request), query, form.cleaned_data)
    except DomainError as error:
        return _refused(request, error, page)
    messages.success(request, done)
    return redirect("assessment:query", key=query.reference)


@require_POST
@people
def query_follow_up_view(request: HttpRequest, key: str) -> HttpResponse:
    def act(actor: Actor, query: Query, data: dict[str, Any]) -> str:
        moved = services.query_follow_up(actor=actor, query=query, text=data["text"], response_due=data["response_due"])
        return f"{moved.reference} is back with the participant, due {moved.response_due:%d %b %Y}."

    return _query_step(request, key, FollowUpForm, act)


@require_POST
@people
def query_close_view(request: HttpRequest, key: str) -> HttpResponse:
    def act(actor: Actor, query: Query, data: dict[str, Any]) -> str:
        closed = services.query_close(actor=actor, query=query, text=data["text"])
        return f"{closed.reference} closed."

    return _query_step(request, key, CloseForm, act)


# --- findings -------------------------------------------------------------------------------------------------------


def _finding_page(request: HttpRequest, finding: Finding, status: int = 200) -> HttpResponse:
    actor = actor_of(request)
    context = {
        "finding": finding,
        "internal": perm.sees_internal(actor),
        "history": list(finding.updates.order_by("at", "pk")),
        "transitions": FINDING_WORKFLOW.available(actor, finding),
        "overdue": finding.state != ch.FindingState.CLOSED and finding.due_date < timezone.localdate(),
    }
    return render(request, "assessment/finding_detail.html", context, status=status)


@people
def finding_view(request: HttpRequest, key: str) -> HttpResponse:
    """A finding with its work-off plan, history and the steps the person may take."""
    finding: Finding = _read(selectors.finding_get, actor=actor_of(request), key=key)
    return _finding_page(request, finding)


@require_POST
@people
def finding_transition_view(request: HttpRequest, key: str) -> HttpResponse:
    finding: Finding = _read(selectors.finding_get, actor=actor_of(request), key=key)
    form = FindingTransitionForm(request.POST)

    def page(status: int) -> HttpResponse:
        return _finding_page(request, finding, status)

    if not form.is_valid():
        return _invalid(request, form, page)
    try:
        moved = services.finding_transition(actor=actor_of(request), finding=finding, **form.cleaned_data)
    except DomainError as error:
        return _refused(request, error, page)
    messages.success(request, f"{moved.reference}: {moved.get_state_display().lower()}.")
    return redirect("assessment:finding", key=moved.reference)


# --- the board calendar and its meetings ----------------------------------------------------------------------------


def _board_page(request: HttpRequest, status: int = 200, form: MeetingForm | None = None) -> HttpResponse:
    actor = actor_of(request)
    meetings = list(_read(selectors.meeting_list, actor=actor))
    today = timezone.localdate()
    by_body = []
    for body, label in Body.choices:
        mine = [m for m in meetings if m.body == body]
        by_body.append(
            {
                "body": body,
                "name": ch.APPROVER_NAMES.get(body, label),
                "upcoming": [m for m in mine if m.meets_on >= today],
                "past": [m for m in reversed(mine) if m.meets_on < today],
            }
        )
    context = {
        "groups": by_body,
        "can_manage": perm.can_manage_calendar(actor).allowed,
        "form": form or MeetingForm(),
        # The Programme schedules any body's meetings; a body's decision-makers only their own.
        "bodies": [(b, ch.APPROVER_NAMES[b]) for b in Body.values if perm.can_manage_calendar(actor, b).allowed],
    }
    return render(request, "assessment/board.html", context, status=status)


@people
def board_view(request: HttpRequest) -> HttpResponse:
    """The board calendar: each approving authority's upcoming and past meetings."""
    return _board_page(request)


@require_POST
@people
def meeting_schedule_view(request: HttpRequest) -> HttpResponse:
    _read(selectors.meeting_list, actor=actor_of(request))
    form = MeetingForm(request.POST)

    def page(status: int) -> HttpResponse:
        return _board_page(request, status, form)

    if not form.is_valid():
        return _invalid(request, form, page)
    try:
        meeting = services.meeting_schedule(actor=actor_of(request), **form.cleaned_data)
    except DomainError as error:
        return _refused(request, error, page)
    messages.success(request, f"{meeting.title} on {meeting.meets_on:%d %b %Y} is on the calendar.")
    return redirect("assessment:meeting", key=meeting.reference)


def _meeting(request: HttpRequest, key: str) -> BoardMeeting:
    found: BoardMeeting = _read(selectors.meeting_get, actor=actor_of(request), key=key)
    return found


def _meeting_page(request: HttpRequest, meeting: BoardMeeting, status: int = 200) -> HttpResponse:
    actor = actor_of(request)
    # The agenda can hold hundreds of cases after a busy wave: a page of them at a time, each with its pack entry.
    page = Paginator(_read(selectors.agenda, actor=actor, meeting=meeting), selectors.AGENDA_PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {
        "meeting": meeting,
        "authority": ch.APPROVER_NAMES[meeting.body],
        "pack": selectors.pack_items(meeting=meeting, ids=page.object_list),
        "page": page,
        "page_links": [n if isinstance(n, int) else None for n in page.paginator.get_elided_page_range(page.number)],
        "can_manage": perm.can_manage_calendar(actor, meeting.body).allowed,
        "can_decide": perm.can_record_decision(actor, meeting.body).allowed,
        # A decision is taken at the meeting: the forms appear once it has met (the service refuses before).
        "held": meeting.meets_on <= clock.today(),
        "outcomes": ch.DecisionOutcome.choices,
        "decide_url": reverse("assessment:decide", args=[meeting.reference]),
        "remove_url": reverse("assessment:agenda_remove", args=[meeting.reference]),
    }
    return render(request, "assessment/meeting.html", context, status=status)


@people
def meeting_view(request: HttpRequest, key: str) -> HttpResponse:
    """A meeting's agenda: each case with its recommendations and open findings, and the decision forms."""
    return _meeting_page(request, _meeting(request, key))


def _agenda_item(request: HttpRequest, meeting: BoardMeeting, reference: str) -> AgendaItem:
    actor = actor_of(request)
    case: QualificationCase = _read(case_get, actor=actor, key=reference)
    item: AgendaItem = _read(selectors.agenda_item_get, actor=actor, meeting=meeting, case=case)
    return item


def _meeting_step(
    request: HttpRequest,
    key: str,
    form_class: type[Any],
    act: Callable[[Actor, BoardMeeting, dict[str, Any]], str],
) -> HttpResponse:
    meeting = _meeting(request, key)
    form = form_class(request.POST)

    def page(status: int) -> HttpResponse:
        return _meeting_page(request, meeting, status)

    if not form.is_valid():
        return _invalid(request, form, page)
    try:
        done = act(actor_of(request), meeting, form.cleaned_data)
    except DomainError as error:
        return _refused(request, error, page)
    messages.success(request, done)
    return redirect("assessment:meeting", key=meeting.reference)


@require_POST
@people
def agenda_add_view(request: HttpRequest, key: str) -> HttpResponse:
    def act(actor: Actor, meeting: BoardMeeting, data: dict[str, Any]) -> str:
        try:
            case = case_get(actor=actor, key=data["case"])
        except NotFound:
            raise ValidationFailed(f"There is no case {data['case']}.", details={"case": "unknown"}) from None
        services.agenda_add(actor=actor, meeting=meeting, case=case)
        return f"{case.reference} is on the agenda."

    return _meeting_step(request, key, AgendaForm, act)


@require_POST
@people
def agenda_remove_view(request: HttpRequest, key: str) -> HttpResponse:
    def act(actor: Actor, meeting: BoardMeeting, data: dict[str, Any]) -> str:
        item = _agenda_item(request, meeting, data["case"])
        services.agenda_remove(actor=actor, item=item)
        return f"{item.case.reference} is off the agenda."

    return _meeting_step(request, key, AgendaForm, act)


@require_POST
@people
@second_factor_required()  # a board decision: a fresh second factor (issue 16)
def decide_view(request: HttpRequest, key: str) -> HttpResponse:
    def act(actor: Actor, meeting: BoardMeeting, data: dict[str, Any]) -> str:
        item = _agenda_item(request, meeting, data["case"])
        reasons = [services.RejectionReason(**r) for r in rejection_reasons(data)]
        decision = services.decision_record(
            actor=actor,
            item=item,
            outcome=data["outcome"],
            minutes=data["minutes"],
            conditions=data["conditions"],
            effective_from=data["effective_from"],
            reasons=reasons,
        )
        found = list(decision.findings.order_by("pk").values_list("reference", flat=True))
        recorded = f" Reasons recorded as findings: {', '.join(found)}." if found else ""
        return f"{decision.reference}: {decision.get_outcome_display()} on {item.case.reference}.{recorded}"

    return _meeting_step(request, key, DecisionForm, act)


@people
def pack_view(request: HttpRequest, key: str, fmt: str) -> HttpResponse:
    """The meeting's decision pack as Word or PDF."""
    from qualify.assessment import exports  # written alongside; imported here so the pages never depend on it

    actor = actor_of(request)
    meeting = _meeting(request, key)
    pack = _read(selectors.decision_pack, actor=actor, meeting=meeting)
    if fmt == "docx":
        data, content_type = exports.decision_pack_docx(meeting=meeting, pack=pack), DOCX
    elif fmt == "pdf":
        data, content_type = exports.decision_pack_pdf(meeting=meeting, pack=pack), "application/pdf"
    else:
        raise Http404("Unknown format.")
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="decision-pack-{meeting.reference}.{fmt}"'
    return response


@people
def activation_evidence_view(request: HttpRequest, key: str, item: str) -> FileResponse:
    """Stream a checklist step's evidence file to whoever may see the case's assessment; never through MEDIA_URL."""
    case = _case(request, key)
    step: ActivationStep = _read(selectors.activation_evidence_get, actor=actor_of(request), case=case, item=item)
    handle = storedfiles.open_stored(step.evidence_storage_name)
    return FileResponse(handle, as_attachment=True, filename=step.evidence_name)
