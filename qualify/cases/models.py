"""The qualification case: one per market participation (organisation, MPID, role), DOMAIN.md §4."""

from __future__ import annotations

from django.db import models

from qualify.cases.choices import CaseState
from qualify.core.models import PublicIdModel, VisibleQuerySet
from qualify.participants.models import MarketParticipation
from qualify.plan.models import Wave


class CaseQuerySet(VisibleQuerySet["QualificationCase"]):
    organisation_path = "participation__organisation"


class QualificationCase(PublicIdModel):
    """A participation's way through qualification. Its state changes only through the workflow engine."""

    reference = models.CharField(max_length=16, unique=True, help_text="Human reference, e.g. QC-000123.")
    # One first case per participation (the constraint below); a disclosed change that the Code Bodies find needs
    # re-qualification opens another case for the same participation, linked to the case it re-qualifies.
    participation = models.ForeignKey(MarketParticipation, on_delete=models.PROTECT, related_name="qualification_cases")
    requalifies = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requalifications",
        help_text="The qualified case this re-qualifies after a disclosed change (empty for a first case).",
    )
    wave = models.ForeignKey(Wave, on_delete=models.PROTECT, null=True, blank=True, related_name="cases")
    state = models.CharField(max_length=24, choices=CaseState.choices, default=CaseState.DRAFT, db_index=True)
    state_changed_at = models.DateTimeField(null=True, blank=True)
    target_migration_date = models.DateField(null=True, blank=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["reference"]
        constraints = [
            models.CheckConstraint(condition=models.Q(state__in=CaseState.values), name="case_state_known"),
            models.UniqueConstraint(
                fields=["participation"],
                condition=models.Q(requalifies__isnull=True),
                name="one_first_case_per_participation",
                violation_error_message="This participation already has a qualification case.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.participation}"


class CaseTransitionQuerySet(VisibleQuerySet["CaseTransition"]):
    organisation_path = "case__participation__organisation"


class CaseTransition(models.Model):
    """Who moved a case, when, from what to what, and why. Written by the workflow engine only."""

    case = models.ForeignKey(QualificationCase, on_delete=models.CASCADE, related_name="transitions")
    name = models.CharField(max_length=40)
    from_state = models.CharField(max_length=24, choices=CaseState.choices)
    to_state = models.CharField(max_length=24, choices=CaseState.choices)
    at = models.DateTimeField()
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_name = models.CharField(max_length=200)
    comment = models.TextField(blank=True)
    effective_date = models.DateField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    wave = models.ForeignKey(
        Wave,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The case's wave when the step was taken (a deferred case resumes only in a later one).",
    )

    objects = CaseTransitionQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.case.reference}: {self.from_state} → {self.to_state}"
