"""The assessment API's schemas, and how rows are shaped into them for each audience (used by ``api.py``).

Staff-only fields (internal notes, question outcomes, recommendations, reviewer assignments, clocks, the agenda) are
optional in the schemas and are put into the output only for people who ``sees_internal``; the API serialises with
``exclude_unset``, so a participant's JSON does not contain them at all — not even as ``null``.
"""

import datetime as dt
import uuid as uuid_mod
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Generic, Protocol, TypeVar

from ninja import Field, Schema
from pydantic import BaseModel

from qualify.assessment import permissions as perm
from qualify.assessment import selectors
from qualify.assessment.choices import ActivationItem
from qualify.assessment.clock import Clock
from qualify.assessment.models import (
    ActivationStep,
    BoardDecision,
    BoardMeeting,
    BodyRecommendation,
    Finding,
    QuestionOutcome,
    ReviewAssignment,
)
from qualify.assessment.models import Query as AssessmentQuery
from qualify.cases.models import QualificationCase
from qualify.core.actor import Actor

R = TypeVar("R")
R_co = TypeVar("R_co", covariant=True)
STAFF_ONLY = "Code Body and Programme staff only; absent from a participant's answer."


# --- schemas ---------------------------------------------------------------------------------------------------------


class Out(BaseModel):
    """An answer's schema. Built field by field by the shaping functions below (never read off a row), and plain
    pydantic rather than Ninja's Schema, which re-reads a nested object's attributes and so would set every field a
    participant must not see; this way what was not set stays unset, and ``exclude_unset`` leaves it out."""


class CaseRefOut(Out):
    uuid: uuid_mod.UUID
    reference: str
    organisation: str
    mpid: str
    role: str
    state: str
    state_label: str


class ClockOut(Out):
    body: str
    started_on: dt.date
    allowed_days: int
    paused_days: int
    due_on: dt.date
    days_left: int
    stopped: bool
    overdue: bool


class QueueRowOut(Out):
    case: CaseRefOut
    submission: str
    body: str
    questions: int
    reviewed: int
    open_queries: int
    reviewer: str
    clock: ClockOut | None


class QueryMessageOut(Out):
    kind: str
    text: str
    at: dt.datetime
    author_name: str
    from_participant: bool
    evidence: uuid_mod.UUID | None
    response_due: dt.date | None


class QueryOut(Out):
    uuid: uuid_mod.UUID
    reference: str
    case: str
    submission: str
    question_id: str
    section_number: str
    question_number: str
    body: str
    state: str
    response_due: dt.date
    reviewer_due: dt.date | None
    overdue: bool
    raised_by_name: str
    raised_at: dt.datetime
    internal_note: str | None = Field(default=None, description=STAFF_ONLY)


class QueryDetailOut(QueryOut):
    messages: list[QueryMessageOut]


class FindingUpdateOut(Out):
    name: str
    from_state: str
    to_state: str
    at: dt.datetime
    actor_name: str
    comment: str


class FindingOut(Out):
    uuid: uuid_mod.UUID
    reference: str
    case: str
    body: str
    question_id: str
    title: str
    description: str
    severity: str
    owner: str
    due_date: dt.date
    work_off_plan: str
    condition_of_approval: bool
    state: str
    raised_by_name: str
    decision: str | None = Field(default=None, description="The board decision (rejection) whose reason this records.")
    internal_note: str | None = Field(default=None, description=STAFF_ONLY)


class FindingDetailOut(FindingOut):
    updates: list[FindingUpdateOut]


class OutcomeOut(Out):
    submission: str
    question_id: str
    body: str
    outcome: str
    comment: str
    recorded_by_name: str


class AssignmentOut(Out):
    body: str
    reviewer_email: str
    reviewer_name: str
    assigned_by_name: str


class RecommendationOut(Out):
    body: str
    submission: str
    recommendation: str
    rationale: str
    conditions: str
    recorded_at: dt.datetime
    recorded_by_name: str


class DecisionOut(Out):
    reference: str
    case: str
    body: str
    decided_on: dt.date
    meeting: str | None = Field(description="The meeting it was taken at (always for the BSC PAB; optional otherwise).")
    meets_on: dt.date | None
    outcome: str
    minutes: str
    conditions: str
    effective_from: dt.date | None
    decided_at: dt.datetime
    recorded_by_name: str
    findings: list[str] = Field(description="A rejection's reasons, as the findings that record them.")
    voided_at: dt.datetime | None = Field(
        default=None,
        description="When a new Final QAD made this approval void (it then counts toward nothing); null if it stands.",
    )
    void_reason: str = Field(default="", description="Why the approval is void; empty if it stands.")


class BodyStatusOut(Out):
    body: str
    name: str
    decision: DecisionOut | None
    recommendation: RecommendationOut | None = Field(default=None, description=STAFF_ONLY)


class ActivationItemOut(Out):
    item: str
    label: str
    done: bool
    evidence_reference: str
    evidence_note: str
    effective_date: dt.date | None
    recorded_by_name: str
    recorded_at: dt.datetime | None


class ReviewStatusOut(Out):
    body: str
    name: str
    complete: bool
    completed_at: dt.datetime | None
    recorded_by_name: str


class AgendaRefOut(Out):
    meeting: str
    body: str
    meets_on: dt.date


class CaseAssessmentOut(Out):
    case: CaseRefOut
    submission: str | None
    submission_kind: str | None
    queries: list[QueryOut]
    findings: list[FindingOut]
    bodies: list[BodyStatusOut]
    reviews: list[ReviewStatusOut] = Field(
        description="Each body owning questions in the latest Final QAD: whether it has marked its review complete."
    )
    decisions: list[DecisionOut]
    activation: list[ActivationItemOut]
    outcomes: list[OutcomeOut] | None = Field(default=None, description=STAFF_ONLY)
    assignments: list[AssignmentOut] | None = Field(default=None, description=STAFF_ONLY)
    clocks: list[ClockOut] | None = Field(default=None, description=STAFF_ONLY)
    agenda: list[AgendaRefOut] | None = Field(default=None, description=STAFF_ONLY)


class PackItemOut(Out):
    case: CaseRefOut
    recommendation: RecommendationOut | None
    other_recommendations: list[RecommendationOut]
    open_findings: list[FindingOut]
    decision: DecisionOut | None


class MeetingOut(Out):
    uuid: uuid_mod.UUID
    reference: str
    body: str
    meets_on: dt.date
    title: str
    papers_due_on: dt.date | None
    notes: str
    cases: int


class MeetingDetailOut(MeetingOut):
    agenda: list[PackItemOut]


class MeetingFilter(Schema):
    body: str = ""
    upcoming: bool = False


class OutcomeIn(Schema):
    submission: str
    question_id: str
    outcome: str
    comment: str = ""


class AssignmentIn(Schema):
    body: str
    reviewer: str = Field(description="The reviewer's e-mail address.")


class QueryIn(Schema):
    question_id: str
    text: str
    response_due: dt.date | None = None
    internal_note: str = ""


class QueryAnswerIn(Schema):
    text: str
    evidence: uuid_mod.UUID | None = Field(None, description="An evidence file already in the case's QAD.")


class FollowUpIn(Schema):
    text: str
    response_due: dt.date | None = None


class CloseIn(Schema):
    text: str


class FindingIn(Schema):
    body: str
    title: str
    description: str
    owner: str
    due_date: dt.date
    severity: str = "MEDIUM"
    question_id: str = ""
    condition_of_approval: bool = False
    internal_note: str = ""


class FindingTransitionIn(Schema):
    name: str
    comment: str = ""
    work_off_plan: str = ""
    owner: str = ""
    due_date: dt.date | None = None


class RecommendationIn(Schema):
    body: str
    recommendation: str
    rationale: str
    conditions: str = ""


class MeetingIn(Schema):
    body: str
    meets_on: dt.date
    title: str = ""
    papers_due_on: dt.date | None = None
    notes: str = ""


class AgendaIn(Schema):
    case: str = Field(description="The case's reference (QC-000123) or UUID.")


class RejectionReasonIn(Schema):
    title: str = Field(max_length=200)
    description: str = Field("", max_length=20000)
    due_date: dt.date | None = Field(None, description="When the work-off plan is due (default: in 20 days).")
    severity: str = "HIGH"
    question_id: str = Field("", max_length=40)


class DecisionIn(Schema):
    outcome: str
    minutes: str
    conditions: str = ""
    effective_from: dt.date | None = None
    reasons: list[RejectionReasonIn] = Field(
        [],
        max_length=50,
        description="A rejection's reasons (at least one; only with a rejection): each becomes a finding of the "
        "rejecting body that the participant works off with a plan, and the case returns to clarification.",
    )


class CaseDecisionIn(Schema):
    body: str = Field(description="The deciding body: DIP, BSC or REC (your own).")
    outcome: str
    minutes: str
    conditions: str = ""
    effective_from: dt.date | None = None
    decided_on: dt.date | None = Field(
        None, description="The decision's date (today if omitted); a decision at a meeting is dated by the meeting."
    )
    meeting: str | None = Field(
        None,
        description="The meeting (BSC-2026-11-26 or UUID) the case was tabled at: required for the BSC PAB, which "
        "decides at its meetings; optional for the DIP Manager and the REC Code Manager.",
    )
    reasons: list[RejectionReasonIn] = Field(
        [],
        max_length=50,
        description="A rejection's reasons (at least one; only with a rejection): each becomes a finding of the "
        "rejecting body.",
    )


class ReviewCompleteIn(Schema):
    note: str = ""


class ActivationIn(Schema):
    item: str
    evidence_reference: str
    evidence_note: str = ""
    effective_date: dt.date | None = None


# --- shaping output --------------------------------------------------------------------------------------------------
# Each function builds the schema object declared above (its fields checked against the class by the type checker),
# never a dict beside it. A staff-only field is assigned only for staff, so it stays unset (and absent) otherwise.


def case_ref(case: QualificationCase) -> CaseRefOut:
    p = case.participation
    return CaseRefOut(
        uuid=case.uuid,
        reference=case.reference,
        organisation=p.organisation.name,
        mpid=p.mpid,
        role=p.role,
        state=case.state,
        state_label=case.get_state_display(),
    )


def clock_out(body: str, clock: Clock) -> ClockOut:
    return ClockOut(
        body=body,
        started_on=clock.started_on,
        allowed_days=clock.allowed_days,
        paused_days=clock.paused_days,
        due_on=clock.due_on,
        days_left=clock.days_left,
        stopped=clock.stopped,
        overdue=clock.overdue,
    )


def queue_row_out(row: selectors.QueueRow) -> QueueRowOut:
    return QueueRowOut(
        case=case_ref(row.case),
        submission=row.submission.reference,
        body=row.body,
        questions=row.questions,
        reviewed=row.reviewed,
        open_queries=row.open_queries,
        reviewer=row.reviewer,
        clock=clock_out(row.body, row.clock) if row.clock is not None else None,
    )


def query_out(query: AssessmentQuery, internal: bool) -> QueryOut:
    out = QueryOut(
        uuid=query.uuid,
        reference=query.reference,
        case=query.case.reference,
        submission=query.submission.reference,
        question_id=query.question_id,
        section_number=query.section_number,
        question_number=query.question_number,
        body=query.body,
        state=query.state,
        response_due=query.response_due,
        reviewer_due=query.reviewer_due,
        overdue=selectors.is_overdue(query),
        raised_by_name=query.raised_by_name,
        raised_at=query.created_at,
    )
    if internal:
        out.internal_note = query.internal_note
    return out


def query_detail(actor: Actor, query: AssessmentQuery) -> QueryDetailOut:
    messages = [
        QueryMessageOut(
            kind=m.kind,
            text=m.text,
            at=m.at,
            author_name=m.author_name,
            from_participant=m.from_participant,
            evidence=m.evidence.uuid if m.evidence is not None else None,
            response_due=m.response_due,
        )
        for m in selectors.query_messages(query)
    ]
    return QueryDetailOut(
        **query_out(query, perm.sees_internal(actor)).model_dump(exclude_unset=True), messages=messages
    )


def finding_out(finding: Finding, internal: bool) -> FindingOut:
    out = FindingOut(
        uuid=finding.uuid,
        reference=finding.reference,
        case=finding.case.reference,
        body=finding.body,
        question_id=finding.question_id,
        title=finding.title,
        description=finding.description,
        severity=finding.severity,
        owner=finding.owner,
        due_date=finding.due_date,
        work_off_plan=finding.work_off_plan,
        condition_of_approval=finding.condition_of_approval,
        state=finding.state,
        raised_by_name=finding.raised_by_name,
        decision=finding.decision.reference if finding.decision is not None else None,
    )
    if internal:
        out.internal_note = finding.internal_note
    return out


def finding_detail(actor: Actor, finding: Finding) -> FindingDetailOut:
    updates = [
        FindingUpdateOut(
            name=u.name,
            from_state=u.from_state,
            to_state=u.to_state,
            at=u.at,
            actor_name=u.actor_name,
            comment=u.comment,
        )
        for u in finding.updates.order_by("at", "pk")
    ]
    return FindingDetailOut(
        **finding_out(finding, perm.sees_internal(actor)).model_dump(exclude_unset=True), updates=updates
    )


def outcome_out(row: QuestionOutcome) -> OutcomeOut:
    return OutcomeOut(
        submission=row.submission.reference,
        question_id=row.question_id,
        body=row.body,
        outcome=row.outcome,
        comment=row.comment,
        recorded_by_name=row.recorded_by_name,
    )


def assignment_out(row: ReviewAssignment) -> AssignmentOut:
    return AssignmentOut(
        body=row.body,
        reviewer_email=getattr(row.reviewer, "email", ""),
        reviewer_name=getattr(row.reviewer, "display_name", str(row.reviewer)),
        assigned_by_name=row.assigned_by_name,
    )


def recommendation_out(row: BodyRecommendation) -> RecommendationOut:
    return RecommendationOut(
        body=row.body,
        submission=row.submission.reference,
        recommendation=row.recommendation,
        rationale=row.rationale,
        conditions=row.conditions,
        recorded_at=row.recorded_at,
        recorded_by_name=row.recorded_by_name,
    )


def decision_out(row: BoardDecision) -> DecisionOut:
    meeting = row.agenda_item.meeting if row.agenda_item is not None else None
    return DecisionOut(
        reference=row.reference,
        case=row.case.reference,
        body=row.body,
        decided_on=row.decided_on,
        meeting=meeting.reference if meeting is not None else None,
        meets_on=meeting.meets_on if meeting is not None else None,
        outcome=row.outcome,
        minutes=row.minutes,
        conditions=row.conditions,
        effective_from=row.effective_from,
        decided_at=row.decided_at,
        recorded_by_name=row.recorded_by_name,
        findings=[f.reference for f in row.findings.all()],
        voided_at=row.voided_at,
        void_reason=row.void_reason,
    )


def activation_out(done: dict[str, ActivationStep]) -> list[ActivationItemOut]:
    rows = []
    for item in ActivationItem:
        step = done.get(item.value)
        rows.append(
            ActivationItemOut(
                item=item.value,
                label=str(item.label),
                done=step is not None,
                evidence_reference=step.evidence_reference if step else "",
                evidence_note=step.evidence_note if step else "",
                effective_date=step.effective_date if step else None,
                recorded_by_name=step.recorded_by_name if step else "",
                recorded_at=step.created_at if step else None,
            )
        )
    return rows


def review_status_out(body: str, name: str, completed_at: dt.datetime | None, recorded_by_name: str) -> ReviewStatusOut:
    return ReviewStatusOut(
        body=body,
        name=name,
        complete=completed_at is not None,
        completed_at=completed_at,
        recorded_by_name=recorded_by_name,
    )


def case_assessment_out(actor: Actor, case: QualificationCase) -> CaseAssessmentOut:
    view = selectors.case_assessment(actor=actor, case=case)
    internal = view.internal
    bodies = []
    for b in view.bodies:
        status = BodyStatusOut(body=b.body, name=b.name, decision=decision_out(b.decision) if b.decision else None)
        if internal:
            status.recommendation = recommendation_out(b.recommendation) if b.recommendation else None
        bodies.append(status)
    out = CaseAssessmentOut(
        case=case_ref(case),
        submission=view.submission.reference if view.submission else None,
        submission_kind=view.submission.kind if view.submission else None,
        queries=[query_out(q, internal) for q in view.queries],
        findings=[finding_out(f, internal) for f in view.findings],
        bodies=bodies,
        reviews=[
            review_status_out(
                r.body,
                r.name,
                r.completion.completed_at if r.completion else None,
                r.completion.recorded_by_name if r.completion else "",
            )
            for r in view.reviews
        ],
        decisions=[decision_out(d) for d in view.decisions],
        activation=activation_out(view.activation),
    )
    if internal:
        out.outcomes = [outcome_out(o) for o in view.outcomes.values()]
        out.assignments = [assignment_out(a) for a in view.assignments.values()]
        out.clocks = [clock_out(c.body, c.clock) for c in view.clocks]
        out.agenda = [
            AgendaRefOut(meeting=i.meeting.reference, body=i.meeting.body, meets_on=i.meeting.meets_on)
            for i in view.agenda
        ]
    return out


def meeting_out(meeting: BoardMeeting, cases: int) -> MeetingOut:
    return MeetingOut(
        uuid=meeting.uuid,
        reference=meeting.reference,
        body=meeting.body,
        meets_on=meeting.meets_on,
        title=meeting.title,
        papers_due_on=meeting.papers_due_on,
        notes=meeting.notes,
        cases=cases,
    )


def meeting_detail(actor: Actor, meeting: BoardMeeting) -> MeetingDetailOut:
    pack = selectors.decision_pack(actor=actor, meeting=meeting)
    agenda = [
        PackItemOut(
            case=case_ref(p.case),
            recommendation=recommendation_out(p.recommendation) if p.recommendation else None,
            other_recommendations=[recommendation_out(r) for r in p.other_recommendations],
            open_findings=[finding_out(f, True) for f in p.open_findings],
            decision=decision_out(p.decision) if p.decision else None,
        )
        for p in pack
    ]
    return MeetingDetailOut(**meeting_out(meeting, len(pack)).model_dump(), agenda=agenda)


class Sliceable(Protocol[R_co]):
    """Rows that count and slice in the database: a queryset, or the review queue."""

    def count(self) -> int: ...

    def __getitem__(self, index: slice, /) -> Iterable[R_co]: ...

    def __iter__(self) -> Iterator[R_co]: ...


class ShapedRows(Generic[R]):
    """Rows shaped as they are read, so pagination still slices (and counts) in the database.

    Each row is built as its schema object, then handed to the paginator as that object's set fields: Ninja validates
    a page's items again, and a staff-only field left unset must stay absent rather than be read back as ``null``.
    """

    def __init__(self, rows: Sliceable[R], shape: Callable[[R], Out]) -> None:
        self.rows = rows
        self.shape = shape

    def __len__(self) -> int:
        return self.rows.count()

    def __getitem__(self, index: slice) -> list[dict[str, Any]]:
        return [self.shape(row).model_dump(exclude_unset=True) for row in self.rows[index]]

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return (self.shape(row).model_dump(exclude_unset=True) for row in self.rows)
