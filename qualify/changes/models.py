"""Maintenance of qualification: changes a qualified participant discloses, and the Code Bodies' assessments.

A qualified participant discloses a change to its systems, provider, processes, ownership or volumes, with the date
it takes effect; each Code Body that approves the role assesses whether it needs re-qualification and of what (QAD
sections, QT test cases). If any body requires it, the platform opens a re-qualification case for the same
participation, linked to the qualified one, scoped to what the bodies named. The participant stays qualified
meanwhile; the register shows the disclosure beside its status (DOMAIN.md §4, §6, §11).
"""

from __future__ import annotations

from django.db import models

from qualify.cases.models import QualificationCase
from qualify.changes.choices import ChangeKind, DisclosureState
from qualify.core.models import PublicIdModel, VisibleQuerySet
from qualify.qad.choices import Body

CASE_ORG = "case__participation__organisation"


class DisclosureQuerySet(VisibleQuerySet["ChangeDisclosure"]):
    organisation_path = CASE_ORG


class ChangeDisclosure(PublicIdModel):
    """A change a qualified participant disclosed, and where its assessment stands. State moves only through
    ``changes/workflow.py``."""

    reference = models.CharField(max_length=16, unique=True, help_text="Human reference, e.g. CHG-000123.")
    case = models.ForeignKey(QualificationCase, on_delete=models.PROTECT, related_name="change_disclosures")
    kind = models.CharField(max_length=12, choices=ChangeKind.choices)
    effective_on = models.DateField(help_text="When the change takes (or took) effect.")
    description = models.TextField()
    disclosed_at = models.DateTimeField()
    disclosed_by_id = models.BigIntegerField(null=True, blank=True)
    disclosed_by_name = models.CharField(max_length=200)
    state = models.CharField(
        max_length=24, choices=DisclosureState.choices, default=DisclosureState.DISCLOSED, db_index=True
    )
    state_changed_at = models.DateTimeField(null=True, blank=True)
    bodies = models.JSONField(default=list, help_text="The Code Bodies that approve the role, so assess the change.")
    requalification_case = models.OneToOneField(
        QualificationCase,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requalification_of",
        help_text="The case opened to re-qualify what the change touched, when a body required it.",
    )

    objects = DisclosureQuerySet.as_manager()

    class Meta:
        ordering = ["-disclosed_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=ChangeKind.values), name="change_kind_known"),
            models.CheckConstraint(
                condition=models.Q(state__in=DisclosureState.values), name="change_disclosure_state_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.case.reference} {self.get_kind_display()}"


class AssessmentQuerySet(VisibleQuerySet["ChangeAssessment"]):
    organisation_path = "disclosure__case__participation__organisation"


class ChangeAssessment(models.Model):
    """One Code Body's assessment of a disclosed change: does it need re-qualification, and of what.

    Each body's assessment is its own (DOMAIN.md §6), recorded once by one of its assessors; the sections named are
    the body's own QAD sections and the test cases are QT catalogue ids (``QT-093``).
    """

    disclosure = models.ForeignKey(ChangeDisclosure, on_delete=models.CASCADE, related_name="assessments")
    body = models.CharField(max_length=8, choices=Body.choices)
    requalification_needed = models.BooleanField()
    reason = models.TextField()
    sections = models.JSONField(default=list, blank=True, help_text="QAD section numbers to re-submit.")
    test_cases = models.JSONField(default=list, blank=True, help_text="QT test case ids to run again.")
    assessed_at = models.DateTimeField()
    assessed_by_id = models.BigIntegerField(null=True, blank=True)
    assessed_by_name = models.CharField(max_length=200)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["body"]
        constraints = [
            models.UniqueConstraint(
                fields=["disclosure", "body"],
                name="one_assessment_per_disclosure_and_body",
                violation_error_message="This body has already assessed this change.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.disclosure.reference} {self.body}: {'re-qualify' if self.requalification_needed else 'no'}"
