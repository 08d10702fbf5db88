"""The Programme plan: milestones with their date history, and qualification waves with their deadlines.

Every date here is data (DOMAIN.md §7): milestones move by approved change requests, so each move is kept.
"""

from __future__ import annotations

from django.db import models

from qualify.core.models import PublicIdModel, TimestampedModel
from qualify.plan.choices import DeadlineKind, MilestoneMeaning


class Milestone(TimestampedModel):
    """A Programme milestone such as M14. ``meaning`` is what the market rules read (DOMAIN.md §8)."""

    code = models.CharField(max_length=16, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    date = models.DateField(null=True, blank=True, help_text="Empty while no date is published.")
    date_note = models.CharField(max_length=200, blank=True, help_text="e.g. 'as reported', 'approved 24 Sep'.")
    meaning = models.CharField(max_length=32, choices=MilestoneMeaning.choices, blank=True, default="")
    # A list of Segment values a MIGRATION_START applies to; empty means every segment.
    segments = models.JSONField(default=list, blank=True)
    sequence = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sequence", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class MilestoneDateChange(models.Model):
    """One move of a milestone's date and the change request that approved it (e.g. CR055)."""

    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="date_changes")
    old_date = models.DateField(null=True, blank=True)
    new_date = models.DateField(null=True, blank=True)
    change_request = models.CharField(max_length=40, blank=True)
    approved_on = models.DateField(null=True, blank=True)
    reason = models.TextField(blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by_name = models.CharField(max_length=200)

    class Meta:
        ordering = ["recorded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.milestone.code}: {self.old_date} → {self.new_date} ({self.change_request or 'no CR'})"


class Wave(PublicIdModel):
    """A qualification wave (earlier called a tranche or cohort); names and deadlines are data."""

    code = models.CharField(max_length=16, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    sequence = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sequence", "code"]

    def __str__(self) -> str:
        return self.name


class WaveDeadline(models.Model):
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="deadlines")
    kind = models.CharField(max_length=32, choices=DeadlineKind.choices)
    date = models.DateField()
    label = models.CharField(max_length=200, blank=True, help_text="Overrides the kind's name where the wave says so.")

    class Meta:
        ordering = ["date", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["wave", "kind"],
                name="wave_deadline_one_per_kind",
                violation_error_message="This wave already has a deadline of this kind.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.wave.code} {self.display_label}: {self.date:%d %b %Y}"

    @property
    def display_label(self) -> str:
        return self.label or self.get_kind_display()
