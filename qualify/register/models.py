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
