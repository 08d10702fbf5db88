"""Assessment and approval records (DOMAIN.md §6): reviews, queries, findings, recommendations, board decisions and
the service activation checklist.

Every row reaches its organisation through the case, so ``visible_to(actor)`` scopes it; what a participant may read
of a row it can see (never the reviewers' internal notes) is decided in the selectors and the output schemas.
States change only through the workflows in ``workflow.py``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from qualify.assessment.choices import (
    ActivationItem,
    FindingState,
    Outcome,
    QueryMessageKind,
    QueryState,
    Recommendation,
    Severity,
)
from qualify.cases.models import CaseTransition, QualificationCase
from qualify.core.models import PublicIdModel, TimestampedModel, VisibleQuerySet
from qualify.qad.choices import Body
from qualify.qad.models import EvidenceFile, QadSubmission

CASE_ORG = "case__participation__organisation"


class AssignmentQuerySet(VisibleQuerySet["ReviewAssignment"]):
    organisation_path = CASE_ORG


class ReviewAssignment(TimestampedModel):
    """The reviewer a Code Body assigns to a case's sections it owns (one per case and body)."""

    case = models.ForeignKey(QualificationCase, on_delete=models.CASCADE, related_name="review_assignments")
    body = models.CharField(max_length=8, choices=Body.choices)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_by_name = models.CharField(max_length=200)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "body"], name="one_reviewer_per_case_and_body")]

    def __str__(self) -> str:
        return f"{self.case.reference} {self.body}: {self.reviewer}"


class OutcomeQuerySet(VisibleQuerySet["QuestionOutcome"]):
    organisation_path = "submission__case__participation__organisation"


class QuestionOutcome(TimestampedModel):
    """A reviewer's outcome for one answer of one submission, with a comment kept inside the Code Bodies."""

    submission = models.ForeignKey(QadSubmission, on_delete=models.PROTECT, related_name="outcomes")
    question_id = models.CharField(max_length=40)
    body = models.CharField(max_length=8, choices=Body.choices)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    comment = models.TextField(blank=True)
    recorded_by_id = models.BigIntegerField(null=True, blank=True)
    recorded_by_name = models.CharField(max_length=200)

    objects = OutcomeQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["submission", "question_id"], name="one_outcome_per_submitted_question"),
            models.CheckConstraint(condition=models.Q(outcome__in=Outcome.values), name="outcome_known"),
        ]

    def __str__(self) -> str:
        return f"{self.submission.reference} {self.question_id}: {self.outcome}"


class QueryQuerySet(VisibleQuerySet["Query"]):
    organisation_path = CASE_ORG


class Query(PublicIdModel):
    """A reviewer's question on one QAD question (it quotes organisation, role, section and question number).

    The participant owes the answer while it is open (due by ``response_due``); once answered the reviewer owes the
    next move (by ``reviewer_due``). Only the raising body closes it (DOMAIN.md §5, §6).
    """

    reference = models.CharField(max_length=16, unique=True, help_text="Human reference, e.g. QRY-000123.")
    case = models.ForeignKey(QualificationCase, on_delete=models.PROTECT, related_name="queries")
    submission = models.ForeignKey(QadSubmission, on_delete=models.PROTECT, related_name="queries")
    question_id = models.CharField(max_length=40)
    section_number = models.CharField(max_length=20)
    question_number = models.CharField(max_length=20)
    body = models.CharField(max_length=8, choices=Body.choices)
    state = models.CharField(max_length=10, choices=QueryState.choices, default=QueryState.OPEN, db_index=True)
    state_changed_at = models.DateTimeField(null=True, blank=True)
    response_due = models.DateField(help_text="The participant's answer is due by the end of this day (UK).")
    reviewer_due = models.DateField(null=True, blank=True, help_text="The reviewer's next move is due by this day.")
    raised_by_id = models.BigIntegerField(null=True, blank=True)
    raised_by_name = models.CharField(max_length=200)
    internal_note = models.TextField(blank=True, help_text="Seen by Code Body staff only.")

    objects = QueryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "queries"
        constraints = [
            models.CheckConstraint(condition=models.Q(state__in=QueryState.values), name="query_state_known")
        ]

    def __str__(self) -> str:
        return f"{self.reference} on {self.question_number}"


class QueryMessageQuerySet(VisibleQuerySet["QueryMessage"]):
    organisation_path = "query__case__participation__organisation"


class QueryMessage(models.Model):
    """One turn of a query's conversation; written by the query workflow, never edited."""

    query = models.ForeignKey(Query, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=10, choices=QueryMessageKind.choices)
    text = models.TextField()
    at = models.DateTimeField()
    author_id = models.BigIntegerField(null=True, blank=True)
    author_name = models.CharField(max_length=200)
    from_participant = models.BooleanField(default=False)
    evidence = models.ForeignKey(EvidenceFile, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    response_due = models.DateField(null=True, blank=True)

    objects = QueryMessageQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.query.reference} {self.kind}"


class FindingQuerySet(VisibleQuerySet["Finding"]):
    organisation_path = CASE_ORG


class Finding(PublicIdModel):
    """A defect or gap that remains, with its work-off plan, owner and due date (QA&P work-off plans).

    A body may make its approval conditional on it (``condition_of_approval``): the case cannot be agreed while such
    a finding has no agreed plan, and a board approving it records the finding among its conditions.
    """

    reference = models.CharField(max_length=16, unique=True, help_text="Human reference, e.g. FND-000123.")
    case = models.ForeignKey(QualificationCase, on_delete=models.PROTECT, related_name="findings")
    body = models.CharField(max_length=8, choices=Body.choices)
    question_id = models.CharField(max_length=40, blank=True)
    title = models.CharField(max_length=200)
    description = models.TextField()
    severity = models.CharField(max_length=8, choices=Severity.choices, default=Severity.MEDIUM)
    owner = models.CharField(max_length=200, help_text="Who at the participant works it off.")
    due_date = models.DateField()
    work_off_plan = models.TextField(blank=True)
    condition_of_approval = models.BooleanField(default=False)
    state = models.CharField(max_length=16, choices=FindingState.choices, default=FindingState.OPEN, db_index=True)
    state_changed_at = models.DateTimeField(null=True, blank=True)
    raised_by_name = models.CharField(max_length=200)
    internal_note = models.TextField(blank=True, help_text="Seen by Code Body staff only.")
    decision = models.ForeignKey(
        "BoardDecision",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="findings",
        help_text="The board rejection whose reasons this finding records, if it came from one.",
    )

    objects = FindingQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "reference"]
        constraints = [
            models.CheckConstraint(condition=models.Q(state__in=FindingState.values), name="finding_state_known")
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class FindingUpdateQuerySet(VisibleQuerySet["FindingUpdate"]):
    organisation_path = "finding__case__participation__organisation"


class FindingUpdate(models.Model):
    """One step of a finding's life (who, when, from what to what, and why); written by its workflow."""

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="updates")
    name = models.CharField(max_length=40)
    from_state = models.CharField(max_length=16, choices=FindingState.choices)
    to_state = models.CharField(max_length=16, choices=FindingState.choices)
    at = models.DateTimeField()
    actor_name = models.CharField(max_length=200)
    comment = models.TextField(blank=True)

    objects = FindingUpdateQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.finding.reference}: {self.from_state} → {self.to_state}"


class RecommendationQuerySet(VisibleQuerySet["BodyRecommendation"]):
    organisation_path = CASE_ORG


class BodyRecommendation(models.Model):
    """A Code Body's recommendation to its approving authority on a Final QAD submission (append-only history;
    the latest per body on the latest Final submission is the one that counts)."""

    case = models.ForeignKey(QualificationCase, on_delete=models.PROTECT, related_name="recommendations")
    submission = models.ForeignKey(QadSubmission, on_delete=models.PROTECT, related_name="recommendations")
    body = models.CharField(max_length=8, choices=Body.choices)
    recommendation = models.CharField(max_length=24, choices=Recommendation.choices)
    rationale = models.TextField()
    conditions = models.TextField(blank=True)
    recorded_at = models.DateTimeField()
    recorded_by_id = models.BigIntegerField(null=True, blank=True)
    recorded_by_name = models.CharField(max_length=200)

    objects = RecommendationQuerySet.as_manager()

    class Meta:
        ordering = ["recorded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(recommendation__in=Recommendation.values), name="recommendation_known"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case.reference} {self.body}: {self.recommendation}"


class ReviewCompletionQuerySet(VisibleQuerySet["ReviewCompletion"]):
    organisation_path = "submission__case__participation__organisation"


class ReviewCompletion(models.Model):
    """A Code Body's statement that its review of a submission is complete (DOMAIN.md §4: the Final QAD is agreed
    only when every body that reviews the case's sections has completed its review).

    One per submission and body, recorded by an assessor of that body; a new submission needs a new one.
    """

    submission = models.ForeignKey(QadSubmission, on_delete=models.PROTECT, related_name="review_completions")
    body = models.CharField(max_length=8, choices=Body.choices)
    completed_at = models.DateTimeField()
    recorded_by_id = models.BigIntegerField(null=True, blank=True)
    recorded_by_name = models.CharField(max_length=200)
    note = models.TextField(blank=True)

    objects = ReviewCompletionQuerySet.as_manager()

    class Meta:
        ordering = ["completed_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "body"],
                name="one_review_completion_per_submission_and_body",
                violation_error_message="This body has already completed its review of this submission.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.submission.reference} {self.body}: review complete"


class BoardMeeting(PublicIdModel):
    """A scheduled meeting of an approving authority (BSC PAB, REC Code Manager, DIP Manager): the board calendar.

    Meetings are the Code Bodies' own business, so only staff see them; a participant sees the decisions taken on
    its own cases.
    """

    reference = models.CharField(max_length=24, unique=True, help_text="Human reference, e.g. BSC-2026-11-26.")
    body = models.CharField(max_length=8, choices=Body.choices)
    meets_on = models.DateField(db_index=True)
    title = models.CharField(max_length=200)
    papers_due_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["meets_on", "body"]
        constraints = [models.UniqueConstraint(fields=["body", "meets_on"], name="one_meeting_per_body_per_day")]

    def __str__(self) -> str:
        return f"{self.title} ({self.meets_on:%d %b %Y})"


class AgendaItemQuerySet(VisibleQuerySet["AgendaItem"]):
    organisation_path = CASE_ORG


class AgendaItem(TimestampedModel):
    """A case going to a meeting for decision."""

    meeting = models.ForeignKey(BoardMeeting, on_delete=models.PROTECT, related_name="agenda")
    case = models.ForeignKey(QualificationCase, on_delete=models.PROTECT, related_name="agenda_items")
    added_by_name = models.CharField(max_length=200)

    objects = AgendaItemQuerySet.as_manager()

    class Meta:
        ordering = ["meeting__meets_on", "case__reference"]
        constraints = [models.UniqueConstraint(fields=["meeting", "case"], name="case_once_per_meeting")]

    def __str__(self) -> str:
        return f"{self.meeting} — {self.case.reference}"


class DecisionQuerySet(VisibleQuerySet["BoardDecision"]):
    organisation_path = CASE_ORG


class BoardDecision(PublicIdModel):
    """An approving authority's decision on a case, with minutes, conditions and effective-from date (DOMAIN.md §6).

    Each body's decision is its own, recorded by its own decision-makers. The BSC PAB decides at its meetings, so its
    decisions name the agenda item (the meeting); the DIP Manager and the REC Code Manager approve as dated decisions
    of their own, a meeting optional. ``decided_on`` is the decision's date (the meeting's, when there is one).
    ``round`` is the case's "send to the approving bodies" step the decision answers; a body decides once per round
    (enforced by the database, so of two racing approvals exactly one is recorded). A deferral does not settle the
    round: the case resumes awaiting the deferring body's decision in the same round, so the other bodies' decisions
    on the unchanged Final QAD stand and the deferring body decides again. A rejection's reasons are its findings.

    A decided approval is void if what it approved changes (DOMAIN.md §6): a new Final QAD submission marks every
    approval recorded before it void (``voided_at``, who, why and the submission that voided it). A void approval
    stays on record and is shown as void, but counts toward nothing, and its body decides again.
    """

    reference = models.CharField(max_length=16, unique=True, help_text="Human reference, e.g. DEC-000123.")
    agenda_item = models.OneToOneField(
        AgendaItem, on_delete=models.PROTECT, related_name="decision", null=True, blank=True
    )
    decided_on = models.DateField(help_text="The date of the decision (the meeting's date when taken at one).")
    case = models.ForeignKey(QualificationCase, on_delete=models.PROTECT, related_name="board_decisions")
    body = models.CharField(max_length=8, choices=Body.choices)
    round = models.ForeignKey(CaseTransition, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(max_length=24, choices=Recommendation.choices)
    minutes = models.TextField()
    conditions = models.TextField(blank=True)
    effective_from = models.DateField(null=True, blank=True)
    decided_at = models.DateTimeField()
    recorded_by_id = models.BigIntegerField(null=True, blank=True)
    recorded_by_name = models.CharField(max_length=200)
    voided_at = models.DateTimeField(null=True, blank=True, help_text="When a new Final QAD made this approval void.")
    voided_by_name = models.CharField(max_length=200, blank=True)
    void_reason = models.TextField(blank=True)
    voided_by_submission = models.ForeignKey(
        QadSubmission,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The Final QAD submission that changed what this approval approved.",
    )

    objects = DecisionQuerySet.as_manager()

    class Meta:
        ordering = ["decided_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "body"],
                condition=~models.Q(outcome="DEFER") & models.Q(voided_at__isnull=True),
                name="one_decision_per_body_per_round",
            ),
            models.CheckConstraint(
                condition=~models.Q(body=Body.BSC) | models.Q(agenda_item__isnull=False),
                name="bsc_pab_decides_at_a_meeting",
                violation_error_message="The BSC PAB decides at its meetings: a BSC decision names its meeting.",
            ),
            models.CheckConstraint(condition=models.Q(outcome__in=Recommendation.values), name="decision_known"),
            models.CheckConstraint(
                condition=models.Q(voided_at__isnull=True) | (~models.Q(void_reason="")),
                name="void_decision_has_reason",
                violation_error_message="A void decision says why it is void.",
            ),
            models.CheckConstraint(
                condition=~models.Q(outcome__in=["APPROVE", "APPROVE_WITH_CONDITIONS"])
                | models.Q(effective_from__isnull=False),
                name="approval_has_effective_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.case.reference} {self.body}: {self.outcome}"

    @property
    def is_void(self) -> bool:
        return self.voided_at is not None


class ActivationStepQuerySet(VisibleQuerySet["ActivationStep"]):
    organisation_path = CASE_ORG


class ActivationStep(TimestampedModel):
    """One completed item of the service activation checklist, with its evidence (DOMAIN.md §4)."""

    case = models.ForeignKey(QualificationCase, on_delete=models.PROTECT, related_name="activation_steps")
    item = models.CharField(max_length=32, choices=ActivationItem.choices)
    evidence_reference = models.CharField(max_length=300, help_text="e.g. a DIP change ticket or a publication id.")
    evidence_note = models.TextField(blank=True)
    evidence_name = models.CharField(max_length=160, blank=True)
    evidence_storage_name = models.CharField(max_length=300, blank=True)
    evidence_sha256 = models.CharField(max_length=64, blank=True)
    evidence_size = models.PositiveBigIntegerField(null=True, blank=True)
    effective_date = models.DateField(null=True, blank=True, help_text="The agreed date (effective date item).")
    recorded_by_id = models.BigIntegerField(null=True, blank=True)
    recorded_by_name = models.CharField(max_length=200)

    objects = ActivationStepQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["case", "item"], name="activation_item_once_per_case")]

    def __str__(self) -> str:
        return f"{self.case.reference} {self.item}"


class QueryReminder(models.Model):
    """That a reminder of a kind was sent for a query on a day, so the daily job never sends it twice."""

    query = models.ForeignKey(Query, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=40)
    due_on = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["query", "kind", "due_on"], name="one_reminder_per_query_kind_due")
        ]

    def __str__(self) -> str:
        return f"{self.query.reference} {self.kind} {self.due_on}"
