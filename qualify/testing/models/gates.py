"""What the testing gates read: prerequisites, RTTM snapshots and the Test Completion Report (DOMAIN.md §4, §10a)."""

from __future__ import annotations

from typing import Any

from django.db import models

from qualify.cases.models import QualificationCase
from qualify.core.models import PublicIdModel, TimestampedModel, VisibleQuerySet
from qualify.qad.models import EvidenceFile
from qualify.testing.choices import Gate, Prerequisite, PrerequisiteState, ReportState
from qualify.testing.models.catalogue import ImmutableError
from qualify.testing.models.scoping import CASE_ORG, ScopeRecord


class PrerequisiteRecordQuerySet(VisibleQuerySet["PrerequisiteRecord"]):
    organisation_path = CASE_ORG


class PrerequisiteRecord(TimestampedModel):
    """One prerequisite of entering (or, for the SIT route, leaving) testing, recorded by the participant with its
    date and evidence, then accepted or sent back by a Code Body (for LDSOs, the Programme's test manager).

    One row per case and kind: recording it again replaces what was recorded and asks for acceptance afresh.
    """

    case = models.ForeignKey(QualificationCase, on_delete=models.PROTECT, related_name="prerequisites")
    kind = models.CharField(max_length=24, choices=Prerequisite.choices)
    completed_on = models.DateField()
    note = models.TextField(blank=True)
    evidence = models.ManyToManyField(EvidenceFile, blank=True, related_name="+")
    state = models.CharField(max_length=12, choices=PrerequisiteState.choices, default=PrerequisiteState.RECORDED)
    recorded_by_name = models.CharField(max_length=200)
    reviewed_by_name = models.CharField(max_length=200, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField(blank=True)

    objects = PrerequisiteRecordQuerySet.as_manager()

    class Meta:
        ordering = ["case", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind"],
                name="prerequisite_once_per_case",
                violation_error_message="Each prerequisite is recorded once per case; record it again to replace it.",
            ),
            models.CheckConstraint(condition=models.Q(kind__in=Prerequisite.values), name="prerequisite_kind_known"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} of {self.case.reference}"


class RttmSnapshotQuerySet(VisibleQuerySet["RttmSnapshot"]):
    organisation_path = CASE_ORG

    def update(self, **kwargs: Any) -> int:
        raise ImmutableError("An RTTM snapshot never changes once taken.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ImmutableError("An RTTM snapshot is never removed.")


class RttmSnapshot(PublicIdModel):
    """The Requirements-to-Test Traceability Matrix frozen at a gate: requirement ↔ test case ↔ QAD question ↔
    evidence, with each test case's status, computed from the records and hashed. Never changed once taken."""

    case = models.ForeignKey(QualificationCase, on_delete=models.PROTECT, related_name="rttm_snapshots")
    gate = models.CharField(max_length=12, choices=Gate.choices)
    sequence = models.PositiveIntegerField(help_text="1 for the first snapshot at this gate, then 2, ...")
    scope = models.ForeignKey(ScopeRecord, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    rows = models.JSONField(default=list)
    summary = models.JSONField(default=dict)
    sha256 = models.CharField(max_length=64)
    taken_by_name = models.CharField(max_length=200)

    objects = RttmSnapshotQuerySet.as_manager()

    class Meta:
        ordering = ["case", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "gate", "sequence"],
                name="rttm_snapshot_numbered_per_gate",
                violation_error_message="A gate's snapshots are numbered once each.",
            ),
            models.CheckConstraint(condition=models.Q(gate__in=Gate.values), name="rttm_gate_known"),
        ]

    def __str__(self) -> str:
        return f"RTTM {self.gate} #{self.sequence} of {self.case.reference}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ImmutableError("An RTTM snapshot never changes once taken.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ImmutableError("An RTTM snapshot is never removed.")


class CompletionReportQuerySet(VisibleQuerySet["CompletionReport"]):
    organisation_path = CASE_ORG


class CompletionReport(PublicIdModel):
    """A Test Completion Report generated from the records (Word and PDF) and, once submitted, part of the Final
    QAD's evidence: its files are evidence files, bound by their SHA-256 (DOMAIN.md §10a "Leaving QT")."""

    case = models.ForeignKey(QualificationCase, on_delete=models.PROTECT, related_name="completion_reports")
    sequence = models.PositiveIntegerField()
    scope = models.ForeignKey(ScopeRecord, on_delete=models.PROTECT, related_name="+")
    facts = models.JSONField(default=dict, help_text="What the report says, as data.")
    facts_sha256 = models.CharField(max_length=64)
    word = models.ForeignKey(EvidenceFile, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    pdf = models.ForeignKey(EvidenceFile, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    state = models.CharField(max_length=12, choices=ReportState.choices, default=ReportState.GENERATED)
    generated_by_name = models.CharField(max_length=200)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by_name = models.CharField(max_length=200, blank=True)

    objects = CompletionReportQuerySet.as_manager()

    class Meta:
        ordering = ["case", "-sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "sequence"],
                name="completion_report_numbered",
                violation_error_message="A case's completion reports are numbered once each.",
            ),
            models.CheckConstraint(condition=models.Q(state__in=ReportState.values), name="completion_report_state"),
        ]

    def __str__(self) -> str:
        return f"TCR {self.sequence} of {self.case.reference}"
