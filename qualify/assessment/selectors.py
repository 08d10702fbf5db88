"""Reads for assessment and approval, always starting from what the actor may see (``visible_to``).

Something outside the actor's scope is NotFound, exactly like something that does not exist. What a participant
may read of a visible row is narrower than staff: the views and API schemas drop internal notes, outcomes and
recommendations for anyone without ``permissions.sees_internal``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, overload

from django.core.cache import cache
from django.db.models import Case, Count, DateField, Exists, F, Min, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone
from ninja import Schema

from qualify.assessment import choices as ch
from qualify.assessment import permissions as perm
from qualify.assessment import rules
from qualify.assessment.clock import Clock
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
    ReviewCompletion,
)
from qualify.cases.choices import CaseState
from qualify.cases.models import QualificationCase
from qualify.cases.selectors import Owed as OwedNow
from qualify.cases.selectors import case_get
from qualify.core.actor import Actor
from qualify.core.errors import NotAllowed, NotFound, ValidationFailed
from qualify.core.ids import parse_uuid
from qualify.core.listing import Column, Listing, Sort, choice_order, label_order
from qualify.qad import rules as qad_rules
from qualify.qad.choices import Body, SubmissionKind
from qualify.qad.models import QadSubmission, SubmissionBody
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


def _raised_day(query: Query) -> dt.date:
    return timezone.localtime(query.created_at).date()


def query_due(query: Query) -> dt.date | None:
    """The date the side that owes the next move must make it by: the participant's answer, then the reviewer's."""
    if query.state == ch.QueryState.OPEN:
        return query.response_due
    if query.state == ch.QueryState.ANSWERED:
        return query.reviewer_due
    return None


def who_owes(query: Query) -> str:
    owing = {str(ch.QueryState.OPEN): "Participant", str(ch.QueryState.ANSWERED): "Reviewer"}
    return owing.get(query.state, "")


_NEVER = dt.date(9999, 12, 31)  # a closed query owes nothing: it sorts after every due date
_BY_CASE = ("case__participation__organisation__name", "case__reference")

# The queries list's columns; the due date sorts by what the side owing the next move must meet.
QUERY_LISTING: Listing[Query] = Listing(
    name="queries",
    noun="Queries",
    default="-raised",
    columns=(
        Column("Query", lambda q: q.reference, key="query", order=("reference",)),
        Column("Case", lambda q: q.case.reference, key="case", order=("case__reference", "created_at")),
        Column(
            "Organisation",
            lambda q: q.case.participation.organisation.name,
            key="organisation",
            order=(*_BY_CASE, "created_at"),
        ),
        Column(
            "Body",
            lambda q: q.get_body_display(),
            key="body",
            order=("sort_body", "created_at"),
            annotations={"sort_body": label_order("body", Body.choices)},
        ),
        Column(
            "Question",
            lambda q: f"{q.section_number} / {q.question_number}",
            key="question",
            order=("section_number", "question_number", "created_at"),
        ),
        Column(
            "State",
            lambda q: q.get_state_display(),
            key="state",
            order=("sort_state", "created_at"),
            annotations={"sort_state": choice_order("state", ch.QueryState.values)},
        ),
        Column("Raised", _raised_day, key="raised", order=("created_at",)),
        Column("Who owes", who_owes),
        Column(
            "Due",
            query_due,
            key="due",
            order=("sort_due", "created_at"),
            annotations={
                "sort_due": Case(
                    When(state=ch.QueryState.OPEN, then=F("response_due")),
                    When(state=ch.QueryState.ANSWERED, reviewer_due__isnull=False, then=F("reviewer_due")),
                    default=Value(_NEVER),
                    output_field=DateField(),
                )
            },
        ),
        Column("Answer due", lambda q: q.response_due, on_page=False),
        Column("Reviewer due", lambda q: q.reviewer_due, on_page=False),
        Column("Overdue", lambda q: is_overdue(q), on_page=False),
    ),
)


def query_list(
    *,
    actor: Actor,
    filters: QueryFilters | None = None,
    case: QualificationCase | None = None,
    sort: Sort[Query] | None = None,
) -> QuerySet[Query]:
    if not perm.can_view_assessment_at_all(actor):
        raise NotAllowed("Market systems read the register, not assessments.")
    # Lists name a query's submission; they never need its snapshot (tens of kilobytes a row).
    qs = (
        Query.objects.visible_to(actor)
        .select_related("case__participation__organisation", "submission")
        .defer("submission__content")
    )
    if case is not None:
        qs = qs.filter(case=case)
    filtered = (filters or QueryFilters()).apply(qs, timezone.localdate())
    return filtered.order_by("-created_at", "-pk") if sort is None else QUERY_LISTING.order(filtered, sort)


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
    qs = Finding.objects.visible_to(actor).select_related("case__participation__organisation", "decision")
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

QUEUE_PER_PAGE = 50
UNASSIGNED = "unassigned"
ME = "me"


class QueueFilters(Schema):
    """The one filter set for the review queue: the page reads it from the query string, the API declares it as its
    query parameters, so both filter alike.

    ``body`` is the Code Body whose sections are reviewed (an assessor's own when not given); ``reviewer`` is ``me``,
    ``unassigned``, or an assessor by e-mail or id; ``wave`` a wave code; ``overdue`` keeps only late review clocks.
    """

    body: str = ""
    reviewer: str = ""
    wave: str = ""
    overdue: bool = False

    @classmethod
    def from_mapping(cls, data: Any) -> QueueFilters:
        return cls(
            body=str(data.get("body", "") or "").strip().upper(),
            reviewer=str(data.get("reviewer", "") or "").strip(),
            wave=str(data.get("wave", "") or "").strip(),
            overdue=str(data.get("overdue", "")).lower() in ("1", "true", "on", "yes"),
        )

    def queue_body(self, actor: Actor) -> str:
        """The body asked for, else the actor's own; refused in words when neither names one."""
        body = self.body.strip().upper() or perm.body_of(actor) or ""
        if body not in Body.values:
            raise ValidationFailed("Name the Code Body: BSC, REC or DIP.", details={"body": "required"})
        return body

    def apply(self, qs: QuerySet[SubmissionBody], *, actor: Actor, body: str) -> QuerySet[SubmissionBody]:
        """Narrow a body's shares of submissions (``SubmissionBody`` rows) to the cases these filters keep."""
        if self.wave:
            qs = qs.filter(submission__case__wave__code=self.wave)
        reviewer = self.reviewer.strip()
        if reviewer:
            assigned = ReviewAssignment.objects.filter(case_id=OuterRef("submission__case_id"), body=body)
            if reviewer.lower() == UNASSIGNED:
                qs = qs.filter(~Exists(assigned))
            elif reviewer.lower() == ME:
                qs = qs.filter(Exists(assigned.filter(reviewer_id=actor.user_id)))
            elif (public_id := parse_uuid(reviewer)) is not None:
                qs = qs.filter(Exists(assigned.filter(reviewer__uuid=public_id)))
            elif "@" in reviewer:
                qs = qs.filter(Exists(assigned.filter(reviewer__email__iexact=reviewer)))
            else:
                raise ValidationFailed(
                    "Name the reviewer as me, unassigned, or an assessor's e-mail or id.",
                    details={"reviewer": "unknown"},
                )
        return qs


@dataclass
class QueueRow:
    case: QualificationCase
    submission: QadSubmission
    body: str
    questions: int
    reviewed: int
    open_queries: int
    reviewer: str
    clock: Clock | None


# The states a case is reviewed in: once the Final QAD is agreed the review is over, so the queue leaves it out.
REVIEW_STATES = frozenset(
    {
        CaseState.INITIAL_QAD_SUBMITTED,
        CaseState.INITIAL_CLARIFICATION,
        CaseState.FINAL_QAD_SUBMITTED,
        CaseState.FINAL_CLARIFICATION,
    }
)


class ReviewQueue:
    """A body's review queue as a list the paginators slice: its length is one count, and a slice reads only the rows
    on it, in a fixed number of queries whatever the size of the queue.

    ``shares`` are the body's ``SubmissionBody`` rows on each case's latest submission, in queue order. With the
    overdue filter the candidates' clocks are worked out first, leaving the late rows' ids (``ids``, in queue order).
    """

    def __init__(
        self,
        shares: QuerySet[SubmissionBody],
        *,
        body: str,
        today: dt.date,
        ids: list[int] | None = None,
        clocks: dict[int, Clock] | None = None,
    ) -> None:
        self.shares = shares
        self.body = body
        self.today = today
        self.ids = ids
        self.clocks = clocks or {}
        self._count: int | None = None

    def count(self) -> int:
        if self.ids is not None:
            return len(self.ids)
        if self._count is None:
            self._count = self.shares.count()
        return self._count

    def __len__(self) -> int:
        return self.count()

    @overload
    def __getitem__(self, index: int) -> QueueRow: ...
    @overload
    def __getitem__(self, index: slice) -> list[QueueRow]: ...
    def __getitem__(self, index: int | slice) -> QueueRow | list[QueueRow]:
        if isinstance(index, int):
            found = self[index : index + 1] if index >= 0 else []
            if not found:
                raise IndexError(index)
            return found[0]
        if self.ids is None:
            return self._rows(list(self.shares[index]))
        wanted = self.ids[index]
        by_pk = {share.pk: share for share in self.shares.filter(pk__in=wanted)}
        return self._rows([by_pk[pk] for pk in wanted])

    def __iter__(self) -> Iterator[QueueRow]:
        return iter(self[0 : self.count()])

    def _rows(self, shares: list[SubmissionBody]) -> list[QueueRow]:
        """The rows for some of the queue's shares: four queries, whatever their number."""
        body = self.body
        submissions = {share.submission_id: share.submission for share in shares}
        case_ids = [submission.case_id for submission in submissions.values()]
        reviewed: dict[int, int] = dict(
            QuestionOutcome.objects.filter(submission_id__in=list(submissions), body=body)
            .values("submission_id")
            .annotate(n=Count("pk"))
            .values_list("submission_id", "n")
        )
        open_queries: dict[int, int] = dict(
            Query.objects.filter(case_id__in=case_ids, body=body)
            .exclude(state=ch.QueryState.CLOSED)
            .values("case_id")
            .annotate(n=Count("pk"))
            .values_list("case_id", "n")
        )
        reviewers = {
            a.case_id: a.reviewer.display_name
            for a in ReviewAssignment.objects.filter(case_id__in=case_ids, body=body).select_related("reviewer")
        }
        clocks = dict(self.clocks)
        unknown = {pk: timezone.localdate(s.created_at) for pk, s in submissions.items() if pk not in clocks}
        if unknown:
            clocks.update(rules.body_clocks(unknown, body, today=self.today))
        return [
            QueueRow(
                case=share.submission.case,
                submission=share.submission,
                body=body,
                questions=share.questions,
                reviewed=reviewed.get(share.submission_id, 0),
                open_queries=open_queries.get(share.submission.case_id, 0),
                reviewer=reviewers.get(share.submission.case_id, ""),
                clock=clocks.get(share.submission_id),
            )
            for share in shares
        ]


def review_queue(*, actor: Actor, filters: QueueFilters | None = None, today: dt.date | None = None) -> ReviewQueue:
    """The cases under review whose latest submission has questions the body owns, oldest first, with progress,
    open queries, reviewer and the body's clock (rows are read only for the page shown).

    The queue is read from the body's shares of submissions (``SubmissionBody``, recorded with each submission), never
    from snapshots, keeping each case's latest submission only (no later one exists). The overdue filter needs every
    candidate's clock: only a case whose latest submission is older than the review period can be late, so only those
    are worked out, in two queries.
    """
    if not perm.sees_internal(actor):
        raise NotAllowed("The review queue is for Code Body and Programme staff.")
    filters = filters or QueueFilters()
    body = filters.queue_body(actor)
    today = today or timezone.localdate()
    later = QadSubmission.objects.filter(case_id=OuterRef("submission__case_id"), pk__gt=OuterRef("submission_id"))
    shares = (
        filters.apply(SubmissionBody.objects.visible_to(actor), actor=actor, body=body)
        .filter(body=body, submission__case__state__in=REVIEW_STATES)
        .filter(~Exists(later))
        .select_related("submission__case__participation__organisation")
        .defer("submission__content")
        .order_by("submission__case__state_changed_at", "submission__case__reference")
    )
    if not filters.overdue:
        return ReviewQueue(shares, body=body, today=today)
    # A clock is due at the earliest ``review_days`` after the day of the submission (pauses only push it later).
    first_day = today - dt.timedelta(days=rules.review_days())
    started_before = timezone.make_aware(dt.datetime.combine(first_day, dt.time.min))
    candidates = list(
        shares.filter(submission__created_at__lt=started_before).values_list(
            "pk", "submission_id", TruncDate("submission__created_at")
        )
    )
    clocks = rules.body_clocks({submission_id: day for _, submission_id, day in candidates}, body, today=today)
    late = [pk for pk, submission_id, _ in candidates if clocks[submission_id].overdue]
    return ReviewQueue(shares, body=body, today=today, ids=late, clocks=clocks)


# --- one case's assessment -------------------------------------------------------------------------------------------


@dataclass
class BodyStatus:
    body: str
    name: str
    recommendation: BodyRecommendation | None
    decision: BoardDecision | None


@dataclass
class ReviewStatus:
    """Whether a body that owns questions in the latest Final QAD has marked its review complete."""

    body: str
    name: str
    completion: ReviewCompletion | None


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
    reviews: list[ReviewStatus] = field(default_factory=list)


def review_statuses(case: QualificationCase) -> list[ReviewStatus]:
    """Each body owning questions in the latest Final QAD, with its completed review if any (empty before it)."""
    final = rules.latest_final(case)
    if final is None:
        return []
    done = rules.reviews_completed(final)
    return [ReviewStatus(b, ch.APPROVER_NAMES.get(b, b), done.get(b)) for b in rules.owning_bodies(final)]


def case_assessment(*, actor: Actor, case: QualificationCase) -> CaseAssessment:
    """Everything about a case's assessment the actor may read; internal parts only for staff."""
    perm.can_view_assessment(actor, case).enforce()
    internal = perm.sees_internal(actor)
    # The latest submission without its snapshot: the page names it, and its answers come from ``submitted_rows``.
    submission = QadSubmission.objects.filter(case=case).defer("content").order_by("-pk").first()
    round_ = rules.current_round(case)
    decisions = list(
        BoardDecision.objects.filter(case=case)
        .select_related("agenda_item__meeting")
        .prefetch_related("findings")
        .order_by("pk")
    )
    deferred = case.state == CaseState.DEFERRED
    bodies = []
    for body in ch.approvals_needed(case.participation.role):
        # A deferral does not settle the round: once the case resumes, the body's decision is still to come.
        current = [
            d
            for d in decisions
            if d.body == body
            and round_ is not None
            and d.round_id == round_.pk
            and d.voided_at is None
            and (deferred or d.outcome != ch.DecisionOutcome.DEFER)
        ]
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
        reviews=review_statuses(case),
    )
    if internal:
        if submission is not None:
            result.outcomes = {o.question_id: o for o in QuestionOutcome.objects.filter(submission=submission)}
        result.assignments = {a.body: a for a in ReviewAssignment.objects.filter(case=case).select_related("reviewer")}
        # What rules.review_clocks(case) works out, on the latest submission already read.
        result.clocks = rules.clocks_for_submissions([submission]).get(submission.pk, []) if submission else []
        result.agenda = list(AgendaItem.objects.filter(case=case).select_related("meeting"))
    return result


SUBMITTED_ROWS_SECONDS = 24 * 3600


@dataclass(frozen=True)
class SubmittedRow:
    """A question as submitted, with what the review form shows of it (plain values, so it can be kept)."""

    qid: str
    number: str
    text: str
    owner: str
    section_number: str
    section_title: str
    section_owner: str  # the owning body's name
    owner_name: str  # the question's owning body's name
    answer: Any
    answer_type: str
    columns: tuple[dict[str, str], ...]  # a table question's columns, in order ({id, title})
    evidence: tuple[dict[str, Any], ...]  # the attached files as frozen: name, uuid, sha256, evidence_as_of
    advisory: bool  # owned by a body that does not approve the case's role: shown, but reviewed by nobody


def submitted_rows(submission: QadSubmission) -> list[SubmittedRow]:
    """The submitted questions in the version's order with their answers, for the review form.

    Worked out once per snapshot and kept in the cache under its SHA-256 and QAD version: a snapshot never changes
    (the database refuses edits) and neither does a published version, so the page neither parses the snapshot nor
    reads the version's questions again. ``submission`` may come without its snapshot; it is read only on a miss.
    """
    key = f"assessment:submitted-rows:2:{submission.qad_version}:{submission.sha256}"
    kept: list[SubmittedRow] | None = cache.get(key)
    if kept is not None:
        return kept
    submitted = {q["id"]: q for q in rules.submitted_questions(submission)}
    role = submission.case.participation.role
    rows = []
    for question in submission_questions(submission):
        frozen = submitted.get(question.qid)
        if frozen is None:
            continue
        rows.append(
            SubmittedRow(
                qid=question.qid,
                number=question.number,
                text=question.text,
                owner=question.owner,
                owner_name=question.get_owner_display(),
                section_number=question.section.number,
                section_title=question.section.title,
                section_owner=question.section.get_owner_display(),
                answer=frozen["answer"],
                answer_type=question.answer_type,
                columns=tuple(question.columns or ()),
                evidence=tuple(dict(e) for e in frozen["evidence"]),
                advisory=not qad_rules.assessed_for(question.owner, role),
            )
        )
    cache.set(key, rows, SUBMITTED_ROWS_SECONDS)
    return rows


@dataclass(frozen=True)
class SubmissionChanges:
    """What changed in a submission since the one before it: each question new, changed or unchanged."""

    previous: str  # the earlier submission's reference
    by_question: dict[str, str]

    def counts(self) -> dict[str, int]:
        values = list(self.by_question.values())
        return {label: values.count(key) for key, label in rules.CHANGE_LABELS.items()}


def submission_changes(submission: QadSubmission) -> SubmissionChanges | None:
    """The answers and evidence of ``submission`` against the case's submission before it (None for the first),
    kept in the cache under both snapshots' hashes: neither can change."""
    previous = rules.previous_submission(submission)
    if previous is None:
        return None
    key = f"assessment:changes:{previous.sha256}:{submission.sha256}"
    kept: dict[str, str] | None = cache.get(key)
    if kept is None:
        kept = rules.answer_changes(rules.submitted_questions(submission), rules.submitted_questions(previous))
        cache.set(key, kept, SUBMITTED_ROWS_SECONDS)
    return SubmissionChanges(previous=previous.reference, by_question=kept)


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


AGENDA_PER_PAGE = 50


def agenda(*, actor: Actor, meeting: BoardMeeting) -> QuerySet[AgendaItem, int]:
    """The ids of a meeting's agenda items in case order: a narrow list to count and slice a page from, whose rows
    ``pack_items`` then reads in full (sorting hundreds of ids is cheap; sorting hundreds of joined rows is not)."""
    perm.can_view_calendar(actor).enforce()
    return AgendaItem.objects.filter(meeting=meeting).order_by("case__reference", "pk").values_list("pk", flat=True)


def pack_items(*, meeting: BoardMeeting, ids: Iterable[int]) -> list[PackItem]:
    """The decision pack's content for some of a meeting's agenda items (ids from ``agenda``, kept in their order):
    each case with its recommendations and open findings, in a fixed number of queries however many items there are.

    The latest Final submissions and the recommendations of the items' cases are read at once and matched here (the
    rule is ``rules.current_recommendation``'s: a body's latest recommendation counts only if it was made on the
    latest Final QAD). Submissions are read without their snapshots: the pack names a submission and its hash only.
    """
    wanted = list(ids)
    found = {
        item.pk: item
        for item in AgendaItem.objects.filter(meeting=meeting, pk__in=wanted)
        .select_related("case__participation__organisation", "case__wave", "decision")
        .prefetch_related(
            Prefetch(
                "case__findings",
                queryset=Finding.objects.exclude(state=ch.FindingState.CLOSED)
                .select_related("decision")
                .order_by("due_date"),
                to_attr="open_findings",
            ),
            "decision__findings",
        )
    }
    items = [found[pk] for pk in wanted if pk in found]
    case_ids = [item.case_id for item in items]
    finals: dict[int, QadSubmission] = {}
    for submission in (
        QadSubmission.objects.filter(case_id__in=case_ids, kind=SubmissionKind.FINAL)
        .only("pk", "case_id", "reference", "sha256", "kind", "created_at")
        .order_by("pk")
    ):
        finals[submission.case_id] = submission
    latest: dict[tuple[int, str], BodyRecommendation] = {}
    for recorded in BodyRecommendation.objects.filter(case_id__in=case_ids).order_by("recorded_at", "pk"):
        latest[(recorded.case_id, recorded.body)] = recorded
    pack = []
    for item in items:
        item.meeting = meeting
        case = item.case
        final = finals.get(case.pk)
        recs: list[BodyRecommendation] = []
        for body in ch.approvals_needed(case.participation.role):
            current = latest.get((case.pk, body))
            if current is not None and final is not None and current.submission_id == final.pk:
                recs.append(current)
        own = next((r for r in recs if r.body == meeting.body), None)
        others = [r for r in recs if r.body != meeting.body]
        decision: BoardDecision | None = getattr(item, "decision", None)
        if decision is not None:  # its item and case are the rows already read: no query to reach them
            decision.agenda_item = item
            decision.case = case
        findings = list(case.open_findings)  # type: ignore[attr-defined]
        pack.append(PackItem(item, case, final, own, others, findings, decision))
    return pack


def decision_pack(*, actor: Actor, meeting: BoardMeeting) -> list[PackItem]:
    """The whole agenda of a meeting as the decision pack (Word, PDF, API): ``pack_items`` over every item."""
    return pack_items(meeting=meeting, ids=agenda(actor=actor, meeting=meeting))


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


def queries_owed(cases: list[QualificationCase]) -> dict[int, OwedNow]:
    """What each case owes on its queries now (one query for the list), for the participant's "Next" and "Due".

    An open query's answer comes before any wave date: the next step is to answer it, due by the earliest open
    query's date. A case in clarification whose queries are all answered owes nothing until the Code Body has read
    the answers: it waits for the reviewers, with no date of its own.
    """
    rows = (
        Query.objects.filter(case_id__in=[c.pk for c in cases], state__in=[ch.QueryState.OPEN, ch.QueryState.ANSWERED])
        .values("case_id")
        .annotate(
            open=Count("pk", filter=Q(state=ch.QueryState.OPEN)),
            answered=Count("pk", filter=Q(state=ch.QueryState.ANSWERED)),
            due=Min("response_due", filter=Q(state=ch.QueryState.OPEN)),
        )
    )
    clarifying = {c.pk for c in cases if c.state in (CaseState.INITIAL_CLARIFICATION, CaseState.FINAL_CLARIFICATION)}
    owed: dict[int, OwedNow] = {}
    for row in rows:
        if row["open"]:
            count = row["open"]
            owed[row["case_id"]] = OwedNow(
                text=f"Answer the Code Bodies' {count} open quer{'y' if count == 1 else 'ies'} on your QAD, from the "
                "assessment page.",
                participant_owes=True,
                due_label="Answer to the earliest open query",
                due_date=row["due"],
            )
        elif row["answered"] and row["case_id"] in clarifying:
            count = row["answered"]
            owed[row["case_id"]] = OwedNow(
                text=f"Waiting for the Code Body: it is reviewing your answer{'' if count == 1 else 's'} to "
                f"{count} quer{'y' if count == 1 else 'ies'}.",
                participant_owes=False,
            )
    return owed
