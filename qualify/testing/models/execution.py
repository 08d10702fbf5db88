"""Test executions, defects and result imports (DOMAIN.md §10a "During QT").

An execution is one run of one required test case, pinned to the catalogue version the case was scoped on (its
``catalogue_case`` belongs to that version). Runs are kept; ``is_latest`` marks the one that counts, so progress is one
grouped query however many runs there are.
"""

from __future__ import annotations

from django.db import models

from qualify.assessment.choices import Severity
from qualify.assessment.models import Finding
from qualify.cases.models import QualificationCase
from qualify.core.models import PublicIdModel, VisibleQuerySet
from qualify.qad.models import EvidenceFile
from qualify.testing.choices import (
    Assurance,
    DefectState,
    ExecutionSource,
    ExecutionStatus,
    ImportKind,
    ImportState,
)
from qualify.testing.models.catalogue import CatalogueCase
from qualify.testing.models.scoping import CASE_ORG, ScopeRecord


class ResultImportQuerySet(VisibleQuerySet["ResultImport"]):
    organisation_path = CASE_ORG


class ResultImport(PublicIdModel):
    """One uploaded results file (JUnit XML or an Azure DevOps test-run CSV): previewed, then applied atomically.

    ``preview`` keeps what the apply will do (counts, the first problems with their row and column); applying the
    same file again changes nothing, because each row's ``row_key`` is already on an execution.
    """

    case = models.ForeignKey(QualificationCase, on_delete=models.PROTECT, related_name="result_imports")
    kind = models.CharField(max_length=16, choices=ImportKind.choices)
    source_name = models.CharField(max_length=160)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField(default=0)
    state = models.CharField(max_length=12, choices=ImportState.choices, default=ImportState.PREVIEWED)
    preview = models.JSONField(default=dict)
    rows_total = models.PositiveIntegerField(default=0)
    rows_refused = models.PositiveIntegerField(default=0)
    rows_applied = models.PositiveIntegerField(default=0)
    uploaded_by_name = models.CharField(max_length=200)
    applied_at = models.DateTimeField(null=True, blank=True)

    objects = ResultImportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(state__in=ImportState.values), name="result_import_state_known")
        ]

    def __str__(self) -> str:
        return f"{self.source_name} for {self.case.reference}"


class ExecutionQuerySet(VisibleQuerySet["Execution"]):
    organisation_path = CASE_ORG


class Execution(PublicIdModel):
    """One run of a required test case: status, run date, tester, evidence, and the assurance it got."""

    case = models.ForeignKey(QualificationCase, on_delete=models.PROTECT, related_name="executions")
    scope = models.ForeignKey(ScopeRecord, on_delete=models.PROTECT, related_name="executions")
    catalogue_case = models.ForeignKey(CatalogueCase, on_delete=models.PROTECT, related_name="executions")
    test_case_id = models.CharField("test case id", max_length=8, help_text="Repeats catalogue_case.case_id.")
    batch = models.CharField(max_length=24, help_text="Repeats catalogue_case.batch, for the queues.")
    status = models.CharField(max_length=16, choices=ExecutionStatus.choices, default=ExecutionStatus.NOT_RUN)
    not_applicable_reason = models.TextField(blank=True)
    run_date = models.DateField(null=True, blank=True)
    tester = models.CharField(max_length=200, blank=True)
    comment = models.TextField(blank=True)
    evidence = models.ManyToManyField(EvidenceFile, blank=True, related_name="+")
    source = models.CharField(max_length=16, choices=ExecutionSource.choices, default=ExecutionSource.MANUAL)
    result_import = models.ForeignKey(
        ResultImport, on_delete=models.PROTECT, null=True, blank=True, related_name="executions"
    )
    row_key = models.CharField(max_length=64, blank=True, help_text="SHA-256 of an imported row, for idempotency.")
    is_latest = models.BooleanField(default=True)
    recorded_by_name = models.CharField(max_length=200)
    assurance = models.CharField(max_length=12, choices=Assurance.choices, default=Assurance.PENDING)
    assured_by_body = models.CharField(max_length=12, blank=True, help_text="BSC, REC, DIP or PROGRAMME.")
    assured_by_name = models.CharField(max_length=200, blank=True)
    assured_at = models.DateTimeField(null=True, blank=True)
    assurance_comment = models.TextField(blank=True)

    objects = ExecutionQuerySet.as_manager()

    class Meta:
        ordering = ["case", "test_case_id", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ExecutionStatus.values), name="execution_status_known"
            ),
            models.CheckConstraint(
                condition=~models.Q(status=ExecutionStatus.NOT_APPLICABLE) | ~models.Q(not_applicable_reason=""),
                name="execution_not_applicable_has_reason",
                violation_error_message="A test case marked not applicable says why.",
            ),
            models.UniqueConstraint(
                fields=["case", "test_case_id"],
                condition=models.Q(is_latest=True),
                name="execution_one_latest_per_test_case",
                violation_error_message="Only one run of a test case counts at a time.",
            ),
            models.UniqueConstraint(
                fields=["case", "row_key"],
                condition=~models.Q(row_key=""),
                name="execution_imported_row_once",
                violation_error_message="An imported row is recorded once.",
            ),
        ]
        indexes = [
            models.Index(fields=["case", "is_latest", "status"], name="execution_progress"),
            models.Index(fields=["batch", "assurance"], name="execution_assurance_queue"),
        ]

    def __str__(self) -> str:
        return f"{self.test_case_id} {self.status} ({self.case.reference})"


class DefectQuerySet(VisibleQuerySet["Defect"]):
    organisation_path = CASE_ORG


class Defect(PublicIdModel):
    """A defect found in testing: severity, state, owner and dates (DOMAIN.md §10a).

    A defect still open when the case leaves testing must be covered by a work-off plan. The plan is an assessment
    finding (``finding``), the one mechanism the Code Bodies already agree and track.
    """

    reference = models.CharField(max_length=16, unique=True, help_text="Human reference, e.g. DEF-000123.")
    case = models.ForeignKey(QualificationCase, on_delete=models.PROTECT, related_name="defects")
    execution = models.ForeignKey(Execution, on_delete=models.PROTECT, null=True, blank=True, related_name="defects")
    test_case_id = models.CharField("test case id", max_length=8, blank=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    severity = models.CharField(max_length=8, choices=Severity.choices, default=Severity.MEDIUM)
    state = models.CharField(max_length=8, choices=DefectState.choices, default=DefectState.OPEN, db_index=True)
    state_changed_at = models.DateTimeField(null=True, blank=True)
    owner = models.CharField(max_length=200)
    raised_on = models.DateField()
    target_date = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    raised_by_name = models.CharField(max_length=200)
    finding = models.OneToOneField(
        Finding,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="defect",
        help_text="The work-off plan covering the defect, as an assessment finding.",
    )

    objects = DefectQuerySet.as_manager()

    class Meta:
        ordering = ["case", "reference"]
        constraints = [
            models.CheckConstraint(condition=models.Q(state__in=DefectState.values), name="defect_state_known"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"
