"""The records of the Programme's control room: non-completion ladders and records (QA&P Annex 4, DOMAIN.md §10).

A ``NonCompletionRecord`` is opened on a case when the plan shows a miss (a wave deadline, a QAD submission, M14 for a
Supplier). It runs the steps of the ladder it was opened under (kept with it, so a later ladder version does not
change a running record), one ``StepDecision`` per step taken, and closes resolved (the case resumes where it was)
or sanctioned. Its state changes only through the workflow engine (qualify/oversight/workflow.py).
"""

from __future__ import annotations

from typing import Any

from django.db import models

from qualify.cases.models import QualificationCase
from qualify.core.models import PublicIdModel, VisibleQuerySet
from qualify.oversight.choices import LeadsTo, RecordState, TriggerKind
from qualify.oversight.ladder import LadderSpec, StepSpec


class NonCompletionLadder(PublicIdModel):
    """One loaded version of the ladder file; records opened from now on follow the latest loaded version."""

    version = models.CharField(max_length=8, unique=True)
    title = models.CharField(max_length=200)
    definition = models.JSONField(help_text="The checked ladder (LadderSpec.as_data).")
    source_name = models.CharField(max_length=200, blank=True)
    source_sha256 = models.CharField(max_length=64)
    loaded_by_name = models.CharField(max_length=200)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Non-completion ladder v{self.version}"

    @property
    def spec(self) -> LadderSpec:
        cached: LadderSpec | None = getattr(self, "_spec", None)
        if cached is None:
            cached = LadderSpec.from_data(self.definition)
            self._spec = cached
        return cached


class RecordQuerySet(VisibleQuerySet["NonCompletionRecord"]):
    organisation_path = "case__participation__organisation"


class NonCompletionRecord(PublicIdModel):
    """A participant's non-completion of qualification on one case, run through the ladder (Annex 4)."""

    reference = models.CharField(max_length=16, unique=True, help_text="Human reference, e.g. NC-000012.")
    case = models.ForeignKey(QualificationCase, on_delete=models.PROTECT, related_name="non_completion_records")
    ladder = models.ForeignKey(NonCompletionLadder, on_delete=models.PROTECT, related_name="records")
    state = models.CharField(max_length=16, choices=RecordState.choices, default=RecordState.OPEN, db_index=True)
    state_changed_at = models.DateTimeField(null=True, blank=True)
    step = models.CharField(max_length=32, blank=True, help_text="The ladder step now open ('' once closed).")
    step_due = models.DateField(null=True, blank=True)
    case_state_before = models.CharField(max_length=24, help_text="Where the case was when the record opened.")
    opened_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)
    sanction = models.CharField(max_length=32, blank=True)
    sanction_label = models.CharField(max_length=200, blank=True)

    objects = RecordQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(state__in=RecordState.values), name="nc_record_state_known"),
            # One open record per case: a further miss while one is open is added to it (services.records_detect).
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(state=RecordState.OPEN),
                name="nc_one_open_record_per_case",
                violation_error_message="This case already has an open non-completion record.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.case.reference}"

    @property
    def current_step(self) -> StepSpec | None:
        return self.ladder.spec.step(self.step) if self.step else None


class TriggerQuerySet(VisibleQuerySet["NonCompletionTrigger"]):
    organisation_path = "case__participation__organisation"


class NonCompletionTrigger(models.Model):
    """One miss the plan showed (a deadline of a wave, a submission, M14). Once recorded for a case, a key never
    opens a record again, whatever became of the record (so re-runs do not duplicate and a resolved miss stays so)."""

    case = models.ForeignKey(QualificationCase, on_delete=models.CASCADE, related_name="non_completion_triggers")
    record = models.ForeignKey(NonCompletionRecord, on_delete=models.CASCADE, related_name="triggers")
    kind = models.CharField(max_length=16, choices=TriggerKind.choices)
    key = models.CharField(max_length=80, help_text="What was missed, e.g. W1:INITIAL_QAD:2027-02-01.")
    due_on = models.DateField(null=True, blank=True, help_text="The date that was missed.")
    detail = models.CharField(max_length=300)
    detected_on = models.DateField()

    objects = TriggerQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "key"],
                name="nc_trigger_once_per_case",
                violation_error_message="This miss is already recorded for this case.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case.reference} {self.key}"


class DecisionQuerySet(VisibleQuerySet["StepDecision"]):
    organisation_path = "record__case__participation__organisation"


class StepDecision(models.Model):
    """One ladder step taken: its outcome, who recorded it, and where it led. Written by the workflow engine only."""

    record = models.ForeignKey(NonCompletionRecord, on_delete=models.CASCADE, related_name="decisions")
    position = models.PositiveSmallIntegerField(help_text="1 for the record's first decision, then 2, 3, ...")
    step = models.CharField(max_length=32)
    step_label = models.CharField(max_length=200)
    step_due = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=32)
    outcome_label = models.CharField(max_length=200)
    leads_to = models.CharField(max_length=16, choices=LeadsTo.choices)
    next_step = models.CharField(max_length=32, blank=True)
    sanction = models.CharField(max_length=32, blank=True)
    comment = models.TextField(blank=True)
    effective_date = models.DateField(null=True, blank=True)
    at = models.DateTimeField()
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_name = models.CharField(max_length=200)
    request_id = models.CharField(max_length=64, blank=True)

    objects = DecisionQuerySet.as_manager()

    class Meta:
        ordering = ["record", "position"]
        constraints = [
            # Belt and braces behind the row lock: one decision per position of a record.
            models.UniqueConstraint(fields=["record", "position"], name="nc_one_decision_per_position")
        ]

    def __str__(self) -> str:
        return f"{self.record.reference} {self.step}: {self.outcome}"


class RemediationPlan(models.Model):
    """The participant's remediation plan (Annex 4): what it will do, who owns it, and dated milestones."""

    record = models.ForeignKey(NonCompletionRecord, on_delete=models.CASCADE, related_name="plans")
    decision = models.OneToOneField(StepDecision, on_delete=models.CASCADE, related_name="plan")
    summary = models.TextField()
    owner = models.CharField(max_length=200)
    # [{"title": str, "owner": str, "due": "YYYY-MM-DD"}, ...] in due-date order.
    milestones = models.JSONField(default=list)
    submitted_at = models.DateTimeField()
    submitted_by_name = models.CharField(max_length=200)

    class Meta:
        ordering = ["-submitted_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.record.reference} plan ({len(self.milestones)} milestones)"

    @property
    def milestone_rows(self) -> list[dict[str, Any]]:
        return list(self.milestones)


class StepReminder(models.Model):
    """A reminder sent for a step (kind, step, due date): sent once, however often the daily job runs."""

    record = models.ForeignKey(NonCompletionRecord, on_delete=models.CASCADE, related_name="reminders")
    step = models.CharField(max_length=32)
    kind = models.CharField(max_length=48)
    due_on = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["record", "step", "kind", "due_on"], name="nc_reminder_once")]

    def __str__(self) -> str:
        return f"{self.record.reference} {self.step} {self.kind} {self.due_on}"
