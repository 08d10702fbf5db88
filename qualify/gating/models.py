"""Bulk gating jobs: an events file uploaded through the web UI or the API, decided in the background (issue 5).

A job is not owned by an organisation: gating is a Programme and market-system feature (``can_gate``). A job is
seen by the person or system that asked for it and by programme administrators, who support the market systems.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q

from qualify.core.jobs import FINISHED_STATES, BackgroundJob, BackgroundJobQuerySet, JobState, job_constraints

__all__ = ["FINISHED_STATES", "GatingJob", "GatingJobQuerySet", "InputFormat", "JobState"]


class InputFormat(models.TextChoices):
    CSV = "csv", "CSV"
    PARQUET = "parquet", "Parquet"


class GatingJobQuerySet(BackgroundJobQuerySet["GatingJob"]):
    """Seen by the requester and programme administrators (``BackgroundJobQuerySet.visible_to``): the all-seeing
    staff roles must not read each other's files (a job's input names every metering point)."""


class GatingJob(BackgroundJob):
    """One uploaded events file and its decisions: queued → running → done | failed (``workflow.py``).

    The input and the result are kept in the default storage under generated names (``storage_name``-style, never a
    name the uploader chose) and served only through guarded views. A failed job has no result file (a constraint);
    a done job's result is written by the same locked step that marks it done (``workflow.record``), after the state,
    so "done has a result" is kept by that step rather than by a row constraint. State, progress, heartbeat and
    attempts are every background job's (``core.jobs``): a run whose worker dies is retried or failed by recovery.
    """

    reference = models.CharField(max_length=16, unique=True, help_text="Human reference, e.g. GJ-000123.")
    original_name = models.CharField(max_length=200, help_text="The uploaded file's name, for display only.")
    input_format = models.CharField(max_length=10, choices=InputFormat.choices)
    input_name = models.CharField(max_length=300, help_text="Storage name of the events file.")
    input_size = models.BigIntegerField()
    result_name = models.CharField(max_length=300, blank=True, help_text="Storage name of the result, once done.")
    summary = models.JSONField(default=dict, blank=True, help_text="Counts by outcome and by reason.")
    known_at = models.DateTimeField(
        null=True, blank=True, help_text="Decide as the register stood at this instant; empty: when the job runs."
    )

    objects = GatingJobQuerySet.as_manager()

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = [
            *job_constraints("gating_job", "gating job"),
            models.CheckConstraint(
                condition=~Q(state=JobState.FAILED) | Q(result_name=""),
                name="gating_job_failed_has_no_result",
                violation_error_message="A failed gating job leaves no result file behind.",
            ),
        ]
        indexes = [models.Index(fields=["requested_by_id", "-created_at"], name="gating_job_requester")]

    def __str__(self) -> str:
        return f"{self.reference} {self.original_name}"

    def summary_rows(self) -> dict[str, Any]:
        """The summary as ordered (code, explanation, count) lists for display, every outcome and reason shown."""
        from qualify.gating.reasons import Outcome, Reason, explain

        by_outcome = self.summary.get("by_outcome", {})
        by_reason = self.summary.get("by_reason", {})
        return {
            "outcomes": [(o.value, explain(o), by_outcome.get(o.value, 0)) for o in Outcome],
            "reasons": [(r.value, explain(r), by_reason.get(r.value, 0)) for r in Reason],
        }
