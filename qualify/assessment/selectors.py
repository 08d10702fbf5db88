"""Reads for assessment and approval, always starting from what the actor may see (``visible_to``).

Something outside the actor's scope is NotFound, exactly like something that does not exist. What a participant
may read of a visible row is narrower than staff: the views and API schemas drop internal notes, outcomes and
recommendations for anyone without ``permissions.sees_internal``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from ninja import Schema

from qualify.assessment import choices as ch
from qualify.assessment import permissions as perm
from qualify.assessment import rules
from qualify.assessment.models import (
    ActivationStep,
    AgendaItem,
    BoardDecision,
    BoardMeeting,
    BodyRecommendation,
    Finding,
    Query,
    QueryMessage,
    QuestionOutcome,
    ReviewAssignment,
)
from qualify.cases.choices import CaseState
from qualify.cases.models import QualificationCase
from qualify.cases.selectors import case_get
from qualify.core.actor import Actor
from qualify.core.errors import NotAllowed, NotFound, ValidationFailed
from qualify.core.ids import parse_uuid
from qualify.qad.choices import SubmissionKind
from qualify.qad.models import QadSubmission
from qualify.qad.selectors import submission_questions


def latest_submission(*, actor: Actor, case: QualificationCase) -> QadSubmission:
    """The submission under review on a case the actor may see; refused in words when there is none yet."""
    perm.can_view_assessment(actor, case).enforce()
    found = rules.latest_submission(case)
    if found is None:
        raise ValidationFailed(f"{case.reference} has no QAD submission yet.", details={"submission": "none"})
    return found


def assessment_case(*, actor: Actor, key: str) -> QualificationCase:
    """A case whose assessment the actor may see (reference or uuid), else NotFound; machines are refused."""
    case = case_get(actor=actor, key=key)
    decision = perm.can_view_assessment(actor, case)
    if not decision.allowed:
        raise NotAllowed(decision.reason)
    return case


# --- queries ---------------------------------------------------------------------------------------------------------


class QueryFilters(Schema):
    """The one filter set for query lists (HTML and API alike)."""

    body: str = ""
    state: str = ""
    case: str = ""
    overdue: bool = False

    @classmethod
    def from_mapping(cls, data: Any) -> QueryFilters:
        return cls(
            body=str(data.get("body", "") or "").strip(),
            state=str(data.get("state", "") or "").strip(),
            case=str(data.get("case", "") or "").strip(),
            overdue=str(data.get("overdue", "")).lower() in ("1", "true", "on", "yes"),
        )

    def apply(self, qs: QuerySet[Query], today: dt.date) -> QuerySet[Query]:
        if self.body:
            qs = qs.filter(body=self.body)
        if self.state:
            qs = qs.filter(state=self.state)
        if self.case:
            qs = qs.filter(case__reference__iexact=self.case)
        if self.overdue:
            qs = qs.filter(overdue_q(today)).exclude(case__state__in=list(rules.LEFT_REVIEW))
        return qs


def overdue_q(today: dt.date) -> Q:
    """Overdue on either side: the participant's answer or the reviewer's next move is late."""
    return Q(state=ch.QueryState.OPEN, response_due__lt=today) | Q(state=ch.QueryState.ANSWERED, reviewer_due__lt=today)


def query_list(
    *, actor: Actor, filters: QueryFilters | None = None, case: QualificationCase | None = None
) -> QuerySet[Query]:
    if not perm.can_view_assessment_at_all(actor):
        raise NotAllowed("Market systems read the register, not assessments.")
    qs = Query.objects.visible_to(actor).select_related("case__participation__organisation", "submission")
    if case is not None:
        qs = qs.filter(case=case)
    return (filters or QueryFilters()).apply(qs, timezone.localdate()).order_by("-created_at", "-pk")


def query_get(*, actor: Actor, key: str) -> Query:
    """A query by uuid or reference, within the actor's scope."""
    if not perm.can_view_assessment_at_all(actor):
        raise NotAllowed("Market systems read the register, not assessments.")
    qs = Query.objects.visible_to(actor).select_related("case__participation__organisation", "submission")
    public_id = parse_uuid(key)
    found = (qs.filter(uuid=public_id) if public_id else qs.filter(reference=str(key).strip().upper())).first()
    if found is None:
        raise NotFound("No such query.")
    return found


def query_messages(query: Query) -> list[QueryMessage]:
    return list(QueryMessage.objects.filter(query=query).select_related("evidence").order_by("at", "pk"))


def is_overdue(query: Query, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    if query.state == ch.QueryState.OPEN:
        return query.response_due < today
    if query.state == ch.QueryState.ANSWERED and query.reviewer_due is not None:
        return query.reviewer_due < today
    return False


# --- findings --------------------------------------------------------------------------------------------------------


def finding_list(*, actor: Actor, case: QualificationCase | None = None) -> QuerySet[Finding]:
    if not perm.can_view_assessment_at_all(actor):
        raise NotAllowed("Market systems read the register, not assessments.")
    qs = Finding.objects.visible_to(actor).select_related("case__participation__organisation")
    if case is not None:
        qs = qs.filter(case=case)
    return qs.order_by("due_date", "reference")


def finding_get(*, actor: Actor, key: str) -> Finding:
    qs = finding_list(actor=actor)
    public_id = parse_uuid(key)
    found = (qs.filter(uuid=public_id) if public_id else qs.filter(reference=str(key).strip().upper())).first()
    if found is None:
        raise NotFound("No such finding.")
    return found


# --- the review queue ------------------------------------------------------------------------------------------------


@dataclass
class QueueRow:
    case: QualificationCase
    submission: QadSubmission
    body: str
    questions: int
    reviewed: int
    open_queries: int
    reviewer: str
    clock: Any


REVIEW_STATES = frozenset(
    {
        CaseState.INITIAL_QAD_SUBMITTED,
        CaseState.INITIAL_CLARIFICATION,
        CaseState.FINAL_QAD_SUBMITTED,
        CaseState.FINAL_CLARIFICATION,
        CaseState.AGREED,
        CaseState.SIGNED,
    }
)


def review_queue(*, actor: Actor, body: str, today: dt.date | None = None) -> list[QueueRow]:
    """The cases under review with sections the body owns: latest submission, progress, open queries, clock."""
    if not perm.sees_internal(actor):
        raise NotAllowed("The review queue is for Code Body and Programme staff.")
    today = today or timezone.localdate()
    cases = list(
        QualificationCase.objects.visible_to(actor)
        .filter(state__in=REVIEW_STATES)
        .select_related("participation__organisation")
        .order_by("state_changed_at", "reference")
    )
    latest: dict[int, QadSubmission] = {}
    for s in QadSubmission.objects.filter(case__in=cases).order_by("case_id", "pk"):
        latest[s.case_id] = s
    reviewed: dict[int, int] = dict(
        QuestionOutcome.objects.filter(submission__in=list(latest.values()), body=body)
        .values("submission_id")
        .annotate(n=Count("pk"))
        .values_list("submission_id", "n")
    )
    open_queries: dict[int, int] = dict(
        Query.objects.filter(case__in=cases, body=body)
        .exclude(state=ch.QueryState.CLOSED)
        .values("case_id")
        .annotate(n=Count("pk"))
        .values_list("case_id", "n")
    )
    reviewers = {
        a.case_id: a.reviewer.display_name
        for a in ReviewAssignment.objects.filter(case__in=cases, body=body).select_related("reviewer")
    }
    clocks = rules.clocks_for_submissions(list(latest.values()), today=today)
    rows = []
    for case in cases:
        submission = latest.get(case.pk)
        if submission is None:
            continue
        owned = [q for q in rules.submitted_questions(submission) if q["owner"] == body]
        if not owned:
            continue
        clock = next((c.clock for c in clocks.get(submission.pk, []) if c.body == body), None)
        rows.append(
            QueueRow(
                case=case,
                submission=submission,
                body=body,
                questions=len(owned),
                reviewed=reviewed.get(submission.pk, 0),
                open_queries=open_queries.get(case.pk, 0),
                reviewer=reviewers.get(case.pk, ""),
                clock=clock,
            )
        )
    return rows


# --- one case's assessment -------------------------------------------------------------------------------------------


@dataclass
class BodyStatus:
    body: str
    name: str
    recommendation: BodyRecommendation | None
    decision: BoardDecision | None


@dataclass
class CaseAssessment:
    case: QualificationCase
    internal: bool
    submission: QadSubmission | None
    queries: list[Query]
    findings: list[Finding]
    decisions: list[BoardDecision]
    bodies: list[BodyStatus]
    outcomes: dict[str, QuestionOutcome] = field(default_factory=dict)
    assignments: dict[str, ReviewAssignment] = field(default_factory=dict)
    clocks: list[rules.BodyClock] = field(default_factory=list)
    activation: dict[str, ActivationStep] = field(default_factory=dict)
    agenda: list[AgendaItem] = field(default_factory=list)


def case_assessment(*, actor: Actor, case: QualificationCase) -> CaseAssessment:
    """Everything about a case's assessment the actor may read; internal parts only for staff."""
    perm.can_view_assessment(actor, case).enforce()
    internal = perm.sees_internal(actor)
    submission = rules.latest_submission(case)
    round_ = rules.current_round(case)
    decisions = list(BoardDecision.objects.filter(case=case).select_related("agenda_item__meeting").order_by("pk"))
    bodies = []
    for body in ch.approvals_needed(case.participation.role):
        current = [d for d in decisions if d.body == body and round_ is not None and d.round_id == round_.pk]
        bodies.append(
            BodyStatus(
                body=body,
                name=ch.APPROVER_NAMES[body],
                recommendation=rules.current_recommendation(case, body) if internal else None,
                decision=current[-1] if current else None,
            )
        )
    result = CaseAssessment(
        case=case,
        internal=internal,
        submission=submission,
        queries=list(query_list(actor=actor, case=case)),
        findings=list(finding_list(actor=actor, case=case)),
        decisions=decisions,
        bodies=bodies,
        activation={s.item: s for s in ActivationStep.objects.filter(case=case)},
    )
    if internal:
        if submission is not None:
            result.outcomes = {o.question_id: o for o in QuestionOutcome.objects.filter(submission=submission)}
        result.assignments = {a.body: a for a in ReviewAssignment.objects.filter(case=case).select_related("reviewer")}
        result.clocks = rules.review_clocks(case)
        result.agenda = list(AgendaItem.objects.filter(case=case).select_related("meeting"))
    return result


def submission_questions_for(submission: QadSubmission) -> list[dict[str, Any]]:
    """The submitted questions with their section, text and owner, in the version's order, for the review form."""
    submitted = {q["id"]: q for q in rules.submitted_questions(submission)}
    rows = []
    for question in submission_questions(submission):
        frozen = submitted.get(question.qid)
        if frozen is None:
            continue
        rows.append(
            {
                "question": question,
                "answer": frozen["answer"],
                "evidence": frozen["evidence"],
                "owner": question.owner,
            }
        )
    return rows


# --- board calendar --------------------------------------------------------------------------------------------------


def meeting_list(*, actor: Actor, body: str = "", upcoming_only: bool = False) -> QuerySet[BoardMeeting]:
    perm.can_view_calendar(actor).enforce()
    qs = BoardMeeting.objects.annotate(cases=Count("agenda", distinct=True)).order_by("meets_on", "body")
    if body:
        qs = qs.filter(body=body)
    if upcoming_only:
        qs = qs.filter(meets_on__gte=timezone.localdate())
    return qs


def meeting_get(*, actor: Actor, key: str) -> BoardMeeting:
    perm.can_view_calendar(actor).enforce()
    public_id = parse_uuid(key)
    qs = BoardMeeting.objects.all()
    found = (qs.filter(uuid=public_id) if public_id else qs.filter(reference=str(key).strip().upper())).first()
    if found is None:
        raise NotFound("No such meeting.")
    return found


@dataclass
class PackItem:
    item: AgendaItem
    case: QualificationCase
    final: QadSubmission | None
    recommendation: BodyRecommendation | None
    other_recommendations: list[BodyRecommendation]
    open_findings: list[Finding]
    decision: BoardDecision | None


def decision_pack(*, actor: Actor, meeting: BoardMeeting) -> list[PackItem]:
    """The cases going to a meeting with their recommendations and open findings: the decision pack's content.

    A fixed number of queries whatever the agenda's length: the latest Final submissions and the recommendations of
    every tabled case are read at once and matched here (the rule is ``rules.current_recommendation``'s: a body's
    latest recommendation counts only if it was made on the latest Final QAD).
    """
    perm.can_view_calendar(actor).enforce()
    items = list(
        AgendaItem.objects.filter(meeting=meeting)
        .select_related(
            "case__participation__organisation",
            "case__wave",
            "decision__agenda_item__meeting",
            "decision__case",
            "meeting",
        )
        .prefetch_related(
            Prefetch(
                "case__findings",
                queryset=Finding.objects.exclude(state=ch.FindingState.CLOSED).order_by("due_date"),
                to_attr="open_findings",
            )
        )
        .order_by("case__reference")
    )
    case_ids = [item.case_id for item in items]
    finals: dict[int, QadSubmission] = {}
    for submission in QadSubmission.objects.filter(case_id__in=case_ids, kind=SubmissionKind.FINAL).order_by("pk"):
        finals[submission.case_id] = submission
    latest: dict[tuple[int, str], BodyRecommendation] = {}
    for recorded in BodyRecommendation.objects.filter(case_id__in=case_ids).order_by("recorded_at", "pk"):
        latest[(recorded.case_id, recorded.body)] = recorded
    pack = []
    for item in items:
        case = item.case
        final = finals.get(case.pk)
        recs: list[BodyRecommendation] = []
        for body in ch.approvals_needed(case.participation.role):
            current = latest.get((case.pk, body))
            if current is not None and final is not None and current.submission_id == final.pk:
                recs.append(current)
        own = next((r for r in recs if r.body == meeting.body), None)
        others = [r for r in recs if r.body != meeting.body]
        decision = getattr(item, "decision", None)
        findings = list(case.open_findings)  # type: ignore[attr-defined]
        pack.append(PackItem(item, case, final, own, others, findings, decision))
    return pack


def agenda_item_get(*, actor: Actor, meeting: BoardMeeting, case: QualificationCase) -> AgendaItem:
    """One case's item on a meeting's agenda, or NotFound."""
    perm.can_view_calendar(actor).enforce()
    found = AgendaItem.objects.filter(meeting=meeting, case=case).select_related("meeting", "case").first()
    if found is None:
        raise NotFound(f"{case.reference} is not on the agenda of {meeting.reference}.")
    return found


def decision_list(*, actor: Actor) -> QuerySet[BoardDecision]:
    """Board decisions on the cases the actor may see, newest first (a participant's own; staff all)."""
    if not perm.can_view_assessment_at_all(actor):
        raise NotAllowed("Market systems read the register, not assessments.")
    return (
        BoardDecision.objects.visible_to(actor)
        .select_related("case__participation__organisation", "agenda_item__meeting")
        .order_by("-decided_at", "-pk")
    )


def activation_evidence_get(*, actor: Actor, case: QualificationCase, item: str) -> ActivationStep:
    """A checklist step that holds an evidence file, on a case whose assessment the actor may see."""
    perm.can_view_assessment(actor, case).enforce()
    found = (
        ActivationStep.objects.visible_to(actor).filter(case=case, item=item).exclude(evidence_storage_name="").first()
    )
    if found is None:
        raise NotFound("No evidence file for that step.")
    return found
