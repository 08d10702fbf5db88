"""The qualification register: dated status events per market participation (DOMAIN.md §6, §8, §11).

Two times per event (issue 11, "a register that remembers what it knew"): the date it takes effect
(``effective_date``) and the instant it was recorded (``recorded_at``). The first answers "what was the status of
MPID X for role R on date D" for any D, and lets a board decision take effect from a later date; the second answers
"what did the register say about D when asked at instant T" (only events recorded at or before T count), so a
gating decision can be re-run as it was known then.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from qualify.core.jobs import BackgroundJob, BackgroundJobQuerySet, job_constraints
from qualify.core.models import VisibleQuerySet
from qualify.participants.models import MarketParticipation
from qualify.register.choices import RegisterEventKind, RegisterEventSource


class RegisterEventQuerySet(VisibleQuerySet["RegisterEvent"]):
    organisation_path = "participation__organisation"


class RegisterEvent(models.Model):
    """One dated status event. Append-only: a mistake is corrected by a later event, never by editing history.

    ``seq`` numbers events in commit order (assigned under a lock), so systems that keep a copy can follow the
    change feed with a cursor and never miss an event that committed late. ``recorded_at`` is set by
    ``register_event_record`` under the same lock (so it rises with ``seq``) and never edited. An event that takes
    effect more than ``QUALIFY_REGISTER_BACKDATE_DAYS`` before the day it is recorded is ``backdated`` and carries
    the ``reason`` it was recorded late.
    """

    seq = models.PositiveBigIntegerField(unique=True)
    participation = models.ForeignKey(MarketParticipation, on_delete=models.PROTECT, related_name="register_events")
    kind = models.CharField(max_length=20, choices=RegisterEventKind.choices)
    effective_date = models.DateField()
    source = models.CharField(max_length=10, choices=RegisterEventSource.choices)
    reference = models.CharField(max_length=100, blank=True, help_text="Case reference, decision or file name.")
    note = models.TextField(blank=True)
    recorded_at = models.DateTimeField(editable=False, help_text="When the register learnt of the event.")
    recorded_by_name = models.CharField(max_length=200)
    backdated = models.BooleanField(
        default=False, help_text="Took effect more than the allowed number of days before it was recorded."
    )
    reason = models.TextField(
        blank=True, default="", help_text="Why a back-dated event was recorded late (empty otherwise)."
    )

    objects = RegisterEventQuerySet.as_manager()

    class Meta:
        ordering = ["effective_date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["participation", "kind", "effective_date"],
                name="register_event_once_per_day",
                violation_error_message="This event is already recorded for this date.",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=RegisterEventKind.values), name="register_event_kind_known"
            ),
            models.CheckConstraint(
                condition=models.Q(backdated=False) | ~models.Q(reason=""),
                name="register_event_backdated_has_reason",
                violation_error_message="A back-dated register event needs the reason it was recorded late.",
            ),
        ]
        indexes = [models.Index(fields=["participation", "effective_date"], name="register_event_by_date")]

    def __str__(self) -> str:
        return f"{self.participation} {self.kind} from {self.effective_date}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise RuntimeError("Register events are append-only; record a later event instead.")
        super().save(*args, **kwargs)


class RegisterSequence(models.Model):
    """One row, locked by each writer so that ``RegisterEvent.seq`` follows commit order."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="register_sequence_singleton")]

    def __str__(self) -> str:
        return f"register sequence at {self.last_seq}"


class RegisterImportJobQuerySet(BackgroundJobQuerySet["RegisterImportJob"]):
    """Seen by the programme administrator who uploaded the file and by the other programme administrators."""


class RegisterImportJob(BackgroundJob):
    """A register CSV uploaded through the API and imported in the background (issue 14: "large imports run as
    background jobs"), with the progress, heartbeat and recovery of every background job (``core.jobs``).

    The file is kept in the default storage under a generated name; the import itself is ``imports.register_import``
    (all or nothing), run as the administrator who uploaded it. A done job keeps the counts (``result``); a failed
    one the message and the first ``PROBLEMS_KEPT`` problems (row, column, message) with their total.
    """

    PROBLEMS_KEPT = 100

    reference = models.CharField(max_length=16, unique=True, help_text="Human reference, e.g. RI-000123.")
    original_name = models.CharField(max_length=200, help_text="The uploaded file's name, for display only.")
    input_name = models.CharField(max_length=300, help_text="Storage name of the uploaded CSV.")
    input_size = models.BigIntegerField()
    reason = models.TextField(blank=True, help_text="The file's reason for back-dated rows that give none.")
    result = models.JSONField(default=dict, blank=True, help_text="What the import created, once done.")
    problems = models.JSONField(default=list, blank=True, help_text="The first problems found, when refused.")
    problem_count = models.PositiveIntegerField(default=0, help_text="How many problems were found in all.")

    objects = RegisterImportJobQuerySet.as_manager()

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = job_constraints("register_import_job", "register import job")
        indexes = [models.Index(fields=["requested_by_id", "-created_at"], name="register_import_requester")]

    def __str__(self) -> str:
        return f"{self.reference} {self.original_name}"
