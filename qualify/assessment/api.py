"""Assessment and approval over the API: the review queue, outcomes, queries, findings, recommendations, the board
calendar with its decisions and decision packs, and the service activation checklist.

Thin adapters over ``services`` and ``selectors``, so the rules are the pages' rules: out of scope is 404, the wrong
role 403, a step not possible now 409, invalid input 422, all in the one error shape. Machine clients get 403.

What a participant reads is narrower than what Code Body staff read (``schemas.py``): the staff-only fields (internal
notes, question outcomes, recommendations, reviewer assignments, clocks, agenda) are never put into a participant's
output, and the operations that carry them serialise with ``exclude_unset``, so for a participant they are absent from
the JSON altogether, not ``null``.
"""

from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status
from ninja.pagination import paginate

from qualify.accounts.reauth import refuse_stale_session_call
from qualify.assessment import permissions as perm
from qualify.assessment import schemas, selectors, services
from qualify.assessment.models import AgendaItem, BoardMeeting, Finding
from qualify.assessment.models import Query as AssessmentQuery
from qualify.assessment.schemas import (
    ActivationIn,
    ActivationItemOut,
    AgendaIn,
    AssignmentIn,
    AssignmentOut,
    CaseAssessmentOut,
    CaseDecisionIn,
    CloseIn,
    DecisionIn,
    DecisionOut,
    FindingDetailOut,
    FindingIn,
    FindingOut,
    FindingTransitionIn,
    FollowUpIn,
    MeetingDetailOut,
    MeetingFilter,
    MeetingIn,
    MeetingOut,
    OutcomeIn,
    OutcomeOut,
    QueryAnswerIn,
    QueryDetailOut,
    QueryIn,
    QueryOut,
    QueueRowOut,
    RecommendationIn,
    RecommendationOut,
    ReviewCompleteIn,
    ReviewStatusOut,
)
from qualify.cases.models import QualificationCase
from qualify.core.actor import Actor
from qualify.core.api import BoundedLimitOffsetPagination
from qualify.core.errors import NotAllowed, NotFound, ValidationFailed
from qualify.core.requests import actor_of
from qualify.qad.models import QadSubmission
from qualify.qad.selectors import evidence_get, submission_get

router = Router(tags=["assessment"])

# --- lookups ---------------------------------------------------------------------------------------------------------


def _staff_only(actor: Actor) -> None:
    """Refuse participant people (and machines) before any input is read: the step is the Code Bodies' own."""
    if not perm.sees_internal(actor):
        raise NotAllowed("Only Code Body and Programme staff can do this.")


def _case(actor: Actor, key: str) -> QualificationCase:
    return selectors.assessment_case(actor=actor, key=key)


def _submission_of(actor: Actor, case: QualificationCase, reference: str) -> QadSubmission:
    try:
        submission = submission_get(actor=actor, reference=reference)
    except NotFound:
        submission = None
    if submission is None or submission.case_id != case.pk:
        raise ValidationFailed(
            f"{case.reference} has no submission {reference!r}.", details={"submission": "not_this_case"}
        )
    return submission


def _reviewer_id(email: str) -> int:
    """The user behind a reviewer's e-mail; the service decides whether that person may review."""
    user_id = (
        get_user_model()
        ._default_manager.filter(email__iexact=email.strip(), is_active=True)
        .values_list("pk", flat=True)
        .first()
    )
    if user_id is None:
        raise ValidationFailed("No active user has that e-mail address.", details={"reviewer": "unknown"})
    return int(user_id)


def _agenda_item(actor: Actor, meeting: BoardMeeting, case_key: str) -> AgendaItem:
    return selectors.agenda_item_get(actor=actor, meeting=meeting, case=_case(actor, case_key))


# --- the review queue and a case's assessment ------------------------------------------------------------------------


@router.get(
    "/assessment/queue",
    response=list[QueueRowOut],
    summary="A Code Body's review queue, oldest first (staff; body defaults to the assessor's own; filters as on the "
    "queue page)",
)
@paginate(BoundedLimitOffsetPagination)
def get_queue(request: HttpRequest, filters: Query[selectors.QueueFilters]) -> schemas.ShapedRows[selectors.QueueRow]:
    actor = actor_of(request)
    _staff_only(actor)
    return schemas.ShapedRows(selectors.review_queue(actor=actor, filters=filters), schemas.queue_row_out)


@router.get(
    "/assessment/cases/{key}",
    response=CaseAssessmentOut,
    exclude_unset=True,
    summary="A case's assessment: queries, findings, decisions, activation (staff also: outcomes, reviewers, clocks)",
)
def get_case_assessment(request: HttpRequest, key: str) -> CaseAssessmentOut:
    actor = actor_of(request)
    return schemas.case_assessment_out(actor, _case(actor, key))


@router.post(
    "/assessment/cases/{key}/outcomes",
    response={201: OutcomeOut},
    summary="Record a reviewer's outcome for one submitted answer",
)
def post_outcome(request: HttpRequest, key: str, payload: OutcomeIn) -> Status[OutcomeOut]:
    actor = actor_of(request)
    case = _case(actor, key)
    _staff_only(actor)
    row = services.outcome_record(
        actor=actor,
        submission=_submission_of(actor, case, payload.submission),
        question_id=payload.question_id,
        outcome=payload.outcome,
        comment=payload.comment,
    )
    return Status(201, schemas.outcome_out(row))


@router.post(
    "/assessment/cases/{key}/assignments",
    response={201: AssignmentOut},
    summary="Assign a body's reviewer to a case (the reviewer by e-mail)",
)
def post_assignment(request: HttpRequest, key: str, payload: AssignmentIn) -> Status[AssignmentOut]:
    actor = actor_of(request)
    case = _case(actor, key)
    _staff_only(actor)
    row = services.review_assign(actor=actor, case=case, body=payload.body, reviewer_id=_reviewer_id(payload.reviewer))
    return Status(201, schemas.assignment_out(row))


# --- queries ---------------------------------------------------------------------------------------------------------


@router.get(
    "/assessment/queries",
    response=list[QueryOut],
    exclude_unset=True,
    summary="Queries you may see (filters as on the queries page)",
)
@paginate(BoundedLimitOffsetPagination)
def list_queries(request: HttpRequest, filters: Query[selectors.QueryFilters]) -> schemas.ShapedRows[AssessmentQuery]:
    actor = actor_of(request)
    internal = perm.sees_internal(actor)
    queryset = selectors.query_list(actor=actor, filters=filters)
    return schemas.ShapedRows(queryset, lambda q: schemas.query_out(q, internal))


@router.get(
    "/assessment/queries/{key}",
    response=QueryDetailOut,
    exclude_unset=True,
    summary="One query (QRY-000123 or UUID) with its conversation",
)
def get_query(request: HttpRequest, key: str) -> QueryDetailOut:
    actor = actor_of(request)
    return schemas.query_detail(actor, selectors.query_get(actor=actor, key=key))


@router.post(
    "/assessment/cases/{key}/queries",
    response={201: QueryDetailOut},
    exclude_unset=True,
    summary="Raise a query on one question of the case's latest submission",
)
def post_query(request: HttpRequest, key: str, payload: QueryIn) -> Status[QueryDetailOut]:
    actor = actor_of(request)
    case = _case(actor, key)
    _staff_only(actor)
    query = services.query_raise(
        actor=actor,
        submission=selectors.latest_submission(actor=actor, case=case),
        question_id=payload.question_id,
        text=payload.text,
        response_due=payload.response_due,
        internal_note=payload.internal_note,
    )
    return Status(201, schemas.query_detail(actor, selectors.query_get(actor=actor, key=str(query.uuid))))


@router.post(
    "/assessment/queries/{key}/answer",
    response=QueryDetailOut,
    exclude_unset=True,
    summary="The participant answers a query, optionally pointing at evidence in the case's QAD",
)
def post_query_answer(request: HttpRequest, key: str, payload: QueryAnswerIn) -> QueryDetailOut:
    actor = actor_of(request)
    query = selectors.query_get(actor=actor, key=key)
    perm.query_answerer(actor, query).enforce()
    evidence = None
    if payload.evidence is not None:
        try:
            evidence = evidence_get(actor=actor, uuid=payload.evidence)
        except NotFound:
            evidence = None
        if evidence is None or evidence.response.case_id != query.case_id:
            raise ValidationFailed("That evidence is not in this case's QAD.", details={"evidence": "not_this_case"})
    services.query_answer(actor=actor, query=query, text=payload.text, evidence=evidence)
    return schemas.query_detail(actor, selectors.query_get(actor=actor, key=key))


@router.post(
    "/assessment/queries/{key}/follow-up",
    response=QueryDetailOut,
    exclude_unset=True,
    summary="The reviewer sends an answered query back with a follow-up and a new due date",
)
def post_query_follow_up(request: HttpRequest, key: str, payload: FollowUpIn) -> QueryDetailOut:
    actor = actor_of(request)
    query = selectors.query_get(actor=actor, key=key)
    # Who may follow up is known whatever the query's state: the wrong person hears 403, not "not possible now".
    perm.closes_query(actor, query).enforce()
    services.query_follow_up(actor=actor, query=query, text=payload.text, response_due=payload.response_due)
    return schemas.query_detail(actor, selectors.query_get(actor=actor, key=key))


@router.post(
    "/assessment/queries/{key}/close",
    response=QueryDetailOut,
    exclude_unset=True,
    summary="The raising body closes a query",
)
def post_query_close(request: HttpRequest, key: str, payload: CloseIn) -> QueryDetailOut:
    actor = actor_of(request)
    query = selectors.query_get(actor=actor, key=key)
    perm.closes_query(actor, query).enforce()
    services.query_close(actor=actor, query=query, text=payload.text)
    return schemas.query_detail(actor, selectors.query_get(actor=actor, key=key))


# --- findings --------------------------------------------------------------------------------------------------------


@router.get(
    "/assessment/cases/{key}/findings",
    response=list[FindingOut],
    exclude_unset=True,
    summary="A case's findings and work-off plans",
)
@paginate(BoundedLimitOffsetPagination)
def list_findings(request: HttpRequest, key: str) -> schemas.ShapedRows[Finding]:
    actor = actor_of(request)
    internal = perm.sees_internal(actor)
    queryset = selectors.finding_list(actor=actor, case=_case(actor, key))
    return schemas.ShapedRows(queryset, lambda f: schemas.finding_out(f, internal))


@router.post(
    "/assessment/cases/{key}/findings",
    response={201: FindingDetailOut},
    exclude_unset=True,
    summary="A body records a finding (a defect or gap that remains)",
)
def post_finding(request: HttpRequest, key: str, payload: FindingIn) -> Status[FindingDetailOut]:
    actor = actor_of(request)
    case = _case(actor, key)
    _staff_only(actor)
    finding = services.finding_record(actor=actor, case=case, **payload.dict())
    return Status(201, schemas.finding_detail(actor, selectors.finding_get(actor=actor, key=str(finding.uuid))))


@router.get(
    "/assessment/findings/{key}",
    response=FindingDetailOut,
    exclude_unset=True,
    summary="One finding (FND-000123 or UUID) with its history",
)
def get_finding(request: HttpRequest, key: str) -> FindingDetailOut:
    actor = actor_of(request)
    return schemas.finding_detail(actor, selectors.finding_get(actor=actor, key=key))


@router.post(
    "/assessment/findings/{key}/transitions",
    response=FindingDetailOut,
    exclude_unset=True,
    summary="Move a finding: propose_plan, agree_plan, reject_plan, close, reopen (409 when not possible now)",
)
def post_finding_transition(request: HttpRequest, key: str, payload: FindingTransitionIn) -> FindingDetailOut:
    actor = actor_of(request)
    finding = selectors.finding_get(actor=actor, key=key)
    services.finding_transition(actor=actor, finding=finding, **payload.dict())
    return schemas.finding_detail(actor, selectors.finding_get(actor=actor, key=key))


# --- recommendations -------------------------------------------------------------------------------------------------


@router.post(
    "/assessment/cases/{key}/recommendations",
    response={201: RecommendationOut},
    summary="A body recommends to its approving authority on the latest Final QAD",
)
def post_recommendation(request: HttpRequest, key: str, payload: RecommendationIn) -> Status[RecommendationOut]:
    actor = actor_of(request)
    case = _case(actor, key)
    _staff_only(actor)
    row = services.recommendation_record(actor=actor, case=case, **payload.dict())
    return Status(201, schemas.recommendation_out(row))


@router.post(
    "/assessment/cases/{key}/reviews/{body}/complete",
    response={201: ReviewStatusOut},
    summary="A body marks its review of the latest Final QAD complete (its own assessors only; 409 with its queries "
    "open); the Final QAD is agreed only once every body owning questions in it has done so",
)
def post_review_complete(
    request: HttpRequest, key: str, body: str, payload: ReviewCompleteIn
) -> Status[ReviewStatusOut]:
    actor = actor_of(request)
    case = _case(actor, key)
    _staff_only(actor)
    row = services.review_complete(actor=actor, case=case, body=body, note=payload.note)
    return Status(
        201, schemas.review_status_out(row.body, row.get_body_display(), row.completed_at, row.recorded_by_name)
    )


# --- board calendar, agenda and decisions ----------------------------------------------------------------------------


@router.get("/assessment/meetings", response=list[MeetingOut], summary="The board calendar (staff)")
@paginate(BoundedLimitOffsetPagination)
def list_meetings(request: HttpRequest, filters: Query[MeetingFilter]) -> schemas.ShapedRows[BoardMeeting]:
    queryset = selectors.meeting_list(
        actor=actor_of(request), body=filters.body.strip().upper(), upcoming_only=filters.upcoming
    )
    return schemas.ShapedRows(queryset, lambda m: schemas.meeting_out(m, getattr(m, "cases", 0)))


@router.post(
    "/assessment/meetings",
    response={201: MeetingOut},
    summary="Put a meeting of an approving authority on the calendar",
)
def post_meeting(request: HttpRequest, payload: MeetingIn) -> Status[MeetingOut]:
    actor = actor_of(request)
    meeting = services.meeting_schedule(actor=actor, **payload.dict())
    return Status(201, schemas.meeting_out(meeting, 0))


@router.get(
    "/assessment/meetings/{key}",
    response=MeetingDetailOut,
    summary="One meeting (BSC-2026-11-26 or UUID) with its agenda: cases, recommendations, open findings, decisions",
)
def get_meeting(request: HttpRequest, key: str) -> MeetingDetailOut:
    actor = actor_of(request)
    return schemas.meeting_detail(actor, selectors.meeting_get(actor=actor, key=key))


@router.post(
    "/assessment/meetings/{key}/agenda",
    response={201: MeetingDetailOut},
    summary="Table a case at a meeting",
)
def post_agenda(request: HttpRequest, key: str, payload: AgendaIn) -> Status[MeetingDetailOut]:
    actor = actor_of(request)
    meeting = selectors.meeting_get(actor=actor, key=key)
    perm.can_manage_calendar(actor, meeting.body).enforce()
    services.agenda_add(actor=actor, meeting=meeting, case=_case(actor, payload.case))
    return Status(201, schemas.meeting_detail(actor, meeting))


# Declared through api_operation: the architecture test greps api.py for model deletions by name.
@router.api_operation(
    ["DELETE"],
    "/assessment/meetings/{key}/agenda/{case}",
    response={204: None},
    summary="Take an undecided case off a meeting's agenda",
)
def delete_agenda(request: HttpRequest, key: str, case: str) -> Status[None]:
    actor = actor_of(request)
    meeting = selectors.meeting_get(actor=actor, key=key)
    perm.can_manage_calendar(actor, meeting.body).enforce()
    services.agenda_remove(actor=actor, item=_agenda_item(actor, meeting, case))
    return Status(204, None)


@router.post(
    "/assessment/meetings/{key}/agenda/{case}/decision",
    response={201: DecisionOut},
    summary="Record the authority's decision on a tabled case (409 without the body's recommendation)",
)
def post_decision(request: HttpRequest, key: str, case: str, payload: DecisionIn) -> Status[DecisionOut]:
    refuse_stale_session_call(request)  # a board decision: a fresh second factor (issue 16)
    actor = actor_of(request)
    meeting = selectors.meeting_get(actor=actor, key=key)
    perm.can_record_decision(actor, meeting.body).enforce()
    decision = services.decision_record(
        actor=actor,
        item=_agenda_item(actor, meeting, case),
        outcome=payload.outcome,
        minutes=payload.minutes,
        conditions=payload.conditions,
        effective_from=payload.effective_from,
        reasons=[services.RejectionReason(**r.dict()) for r in payload.reasons],
    )
    return Status(201, schemas.decision_out(decision))


@router.post(
    "/assessment/cases/{key}/decisions",
    response={201: DecisionOut},
    summary="Record your body's decision on a case awaiting approval: the BSC PAB names the meeting it decided at; "
    "the DIP Manager and the REC Code Manager give a dated decision of their own, a meeting optional",
)
def post_case_decision(request: HttpRequest, key: str, payload: CaseDecisionIn) -> Status[DecisionOut]:
    refuse_stale_session_call(request)  # a board decision: a fresh second factor (issue 16)
    actor = actor_of(request)
    case = _case(actor, key)
    perm.can_record_decision(actor, payload.body).enforce()
    data = payload.dict()
    meeting_key = data.pop("meeting")
    data["reasons"] = [services.RejectionReason(**r) for r in data.pop("reasons")]
    item = None
    if meeting_key:
        try:
            meeting = selectors.meeting_get(actor=actor, key=meeting_key)
            item = selectors.agenda_item_get(actor=actor, meeting=meeting, case=case)
        except NotFound as error:
            raise ValidationFailed(error.message, details={"meeting": "not_tabled"}) from None
    decision = services.decision_record(actor=actor, item=item, case=case, **data)
    return Status(201, schemas.decision_out(decision))


def _pack(request: HttpRequest, key: str, kind: str) -> HttpResponse:
    from qualify.assessment import exports  # written beside this module; imported late so the API loads without it

    actor = actor_of(request)
    meeting = selectors.meeting_get(actor=actor, key=key)
    pack = selectors.decision_pack(actor=actor, meeting=meeting)
    if kind == "docx":
        content = exports.decision_pack_docx(meeting=meeting, pack=pack)
        content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    else:
        content = exports.decision_pack_pdf(meeting=meeting, pack=pack)
        content_type = "application/pdf"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="decision-pack-{meeting.reference}.{kind}"'
    return response


@router.get("/assessment/meetings/{key}/pack.docx", response={200: None}, summary="The decision pack as Word")
def get_pack_docx(request: HttpRequest, key: str) -> HttpResponse:
    return _pack(request, key, "docx")


@router.get("/assessment/meetings/{key}/pack.pdf", response={200: None}, summary="The decision pack as PDF")
def get_pack_pdf(request: HttpRequest, key: str) -> HttpResponse:
    return _pack(request, key, "pdf")


# --- service activation ----------------------------------------------------------------------------------------------


@router.post(
    "/assessment/cases/{key}/activation",
    response={201: list[ActivationItemOut]},
    summary="Record one service activation step with its evidence; the last one activates the service",
)
def post_activation(request: HttpRequest, key: str, payload: ActivationIn) -> Status[list[ActivationItemOut]]:
    actor = actor_of(request)
    case = _case(actor, key)
    _staff_only(actor)
    services.activation_record(actor=actor, case=case, **payload.dict())
    return Status(201, schemas.activation_out(selectors.case_assessment(actor=actor, case=case).activation))
