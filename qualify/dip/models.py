"""Interface specifications people upload and the validation runs of sample messages against them.

The platform ships no DIP specification (the published one carries no licence): a participant uploads the one it
holds, for its own organisation, or the DIP Manager uploads one for the whole programme, which every participant
may then validate against. A run checks a set of sample messages against one specification and keeps, per message,
the schema it matched or the violations found; its report can be attached to QAD or QT evidence.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

from django.db import models

from qualify.core.models import PublicIdModel, VisibleQuerySet
from qualify.dip.choices import Outcome
from qualify.participants.models import Organisation

if TYPE_CHECKING:
    from qualify.core.actor import Actor


class SpecificationQuerySet(VisibleQuerySet["Specification"]):
    def visible_to(self, actor: Actor) -> Self:
        """An organisation's own specifications, and the programme-wide ones (no organisation) to everyone signed
        in who belongs to a participant; staff see all. A machine client sees none."""
        if not actor.is_authenticated or actor.is_machine:
            return self.none()
        if actor.sees_everything:
            return self.all()
        return self.filter(models.Q(organisation__isnull=True) | models.Q(organisation__in=actor.organisation_ids))


class Specification(PublicIdModel):
    """An OpenAPI 3.0/3.1 document describing DIP messages, checked when uploaded (``dip.validation``).

    ``organisation`` is empty for a programme-wide specification uploaded by the DIP Manager's people.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="dip_specifications"
    )
    title = models.CharField(max_length=200, blank=True)
    version = models.CharField(max_length=64, blank=True, help_text="The document's info.version.")
    openapi = models.CharField("OpenAPI version", max_length=16)
    original_name = models.CharField(max_length=200)
    storage_name = models.CharField(max_length=300, unique=True)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    schema_names = models.JSONField(default=list, help_text="The component schemas, in the document's order.")
    request_schemas = models.JSONField(default=list, help_text="The component schemas request bodies name.")
    uploaded_by_id = models.BigIntegerField(null=True, blank=True)
    uploaded_by_name = models.CharField(max_length=200)

    objects = SpecificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(condition=models.Q(size__gt=0), name="dip_specification_not_empty")]

    def __str__(self) -> str:
        return f"{self.title or self.original_name} {self.version}".strip()

    @property
    def is_programme_wide(self) -> bool:
        return self.organisation_id is None


class ValidationRunQuerySet(VisibleQuerySet["ValidationRun"]):
    def visible_to(self, actor: Actor) -> Self:
        """A run belongs to the organisation it was made for; a run the DIP Manager's people made for the
        programme (no organisation) is seen by staff only."""
        if not actor.is_authenticated or actor.is_machine:
            return self.none()
        if actor.sees_everything:
            return self.all()
        return self.filter(organisation__in=actor.organisation_ids)


class ValidationRun(PublicIdModel):
    """One check of a set of sample messages against one specification, kept as evidence can refer to it."""

    specification = models.ForeignKey(Specification, on_delete=models.PROTECT, related_name="runs")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="dip_runs"
    )
    schema = models.CharField(max_length=200, blank=True, help_text="The schema chosen; empty when detected.")
    messages = models.PositiveIntegerField(default=0)
    valid = models.PositiveIntegerField(default=0)
    invalid = models.PositiveIntegerField(default=0)
    unreadable = models.PositiveIntegerField(default=0)
    summary = models.JSONField(default=dict, help_text="Per schema counts, skipped files and the uploads' names.")
    attachments = models.JSONField(default=list, help_text="Where the run's report was attached as evidence.")
    run_by_id = models.BigIntegerField(null=True, blank=True)
    run_by_name = models.CharField(max_length=200)

    objects = ValidationRunQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(messages=models.F("valid") + models.F("invalid") + models.F("unreadable")),
                name="dip_run_counts_add_up",
                violation_error_message="A run's valid, invalid and unreadable messages add up to its messages.",
            )
        ]

    def __str__(self) -> str:
        return f"DIP validation {str(self.uuid)[:8]} ({self.messages} messages)"

    @property
    def short(self) -> str:
        return str(self.uuid)[:8]


class MessageResultQuerySet(VisibleQuerySet["MessageResult"]):
    organisation_path = "run__organisation"

    def visible_to(self, actor: Actor) -> Self:
        return self.filter(run__in=ValidationRun.objects.visible_to(actor))


class MessageResult(models.Model):
    """What one message of a run came to: the schemas it matched, or the violations against the closest (or the
    chosen) schema, each with its JSON path; or why the file could not be read as JSON."""

    run = models.ForeignKey(ValidationRun, on_delete=models.CASCADE, related_name="results")
    position = models.PositiveIntegerField()
    name = models.CharField(max_length=200)
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    matched = models.JSONField(default=list)
    compared_with = models.CharField(max_length=200, blank=True)
    violation_count = models.PositiveIntegerField(default=0)
    violations: Any = models.JSONField(default=list, help_text="[{path, message, keyword}], at most 50.")
    problem = models.CharField(max_length=400, blank=True)

    objects = MessageResultQuerySet.as_manager()

    class Meta:
        ordering = ["run", "position"]
        constraints = [
            models.UniqueConstraint(fields=["run", "position"], name="dip_result_position_unique"),
            models.CheckConstraint(condition=models.Q(outcome__in=Outcome.values), name="dip_result_outcome_known"),
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.outcome}"
