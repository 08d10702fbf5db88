"""The regulator's fortnightly report, as generated: its period, what it says (as data) and its two files.

A report is written once and never changed (the service only creates them), so what was sent stays on record; the
files are kept in the database with the row, so a report is never half-written or separated from its facts.
"""

from __future__ import annotations

from django.db import models

from qualify.core.models import PublicIdModel


class RegulatorReport(PublicIdModel):
    reference = models.CharField(max_length=24, unique=True, help_text="e.g. RPT-2026-11-30-1.")
    period_start = models.DateField()
    period_end = models.DateField()
    facts = models.JSONField(default=dict)
    sha256 = models.CharField(max_length=64, help_text="SHA-256 of the canonical facts.")
    pdf = models.BinaryField()
    xlsx = models.BinaryField()
    generated_by_name = models.CharField(max_length=200)

    class Meta:
        ordering = ["-period_end", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="report_period_in_order",
                violation_error_message="A report's period ends on or after it starts.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.period_start:%d %b} to {self.period_end:%d %b %Y})"
