"""Base models and the tenancy-aware queryset every organisation-owned model uses."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any, ClassVar, Self, TypeVar

from django.db import models

from qualify.core import clock

if TYPE_CHECKING:
    from qualify.core.actor import Actor

_M = TypeVar("_M", bound=models.Model)


class VisibleQuerySet(models.QuerySet[_M]):
    """A queryset that knows the path from its model to the owning organisation.

    ``visible_to(actor)`` is the only way views, the API and selectors start a query (STYLE.md rule 5): staff with an
    all-seeing role get every row, a participant's people get their own organisations' rows, anyone else none (a
    machine client too: it has no memberships and is not staff). ``register_visible_to(actor)`` is the register's
    reading of the same rows: a machine client reads the whole register as staff do (``Actor.reads_whole_register``).
    Subclasses set ``organisation_path`` ("" for the Organisation model itself).
    """

    organisation_path: ClassVar[str] = "organisation"

    def visible_to(self, actor: Actor) -> Self:
        if not actor.is_authenticated:
            return self.none()
        if actor.sees_everything:
            return self.all()
        if not actor.organisation_ids:
            return self.none()
        field = f"{self.organisation_path}__in" if self.organisation_path else "pk__in"
        return self.filter(**{field: actor.organisation_ids})

    def register_visible_to(self, actor: Actor) -> Self:
        """The rows as the register publishes them: all of them to whoever reads the whole register (staff and
        machine clients), otherwise as ``visible_to``. Only the register's reads use it."""
        if actor.is_authenticated and actor.reads_whole_register:
            return self.all()
        return self.visible_to(actor)


class ClockDateTimeField(models.DateTimeField):  # type: ignore[type-arg]
    """``auto_now``/``auto_now_add`` read from ``core.clock`` (so the demo loader's replayed history is dated as it
    happened); to migrations it is a plain DateTimeField, so swapping it in changed no schema."""

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        if self.auto_now or (self.auto_now_add and add):
            value = clock.now()
            setattr(model_instance, self.attname, value)
            return value
        return super().pre_save(model_instance, add)

    def deconstruct(self) -> Any:
        name, _, args, kwargs = super().deconstruct()
        return name, "django.db.models.DateTimeField", args, kwargs


class TimestampedModel(models.Model):
    created_at = ClockDateTimeField(auto_now_add=True)
    updated_at = ClockDateTimeField(auto_now=True)

    class Meta:
        abstract = True


class PublicIdModel(TimestampedModel):
    """URLs and payloads carry ``uuid`` (or a human reference), never the sequential primary key (rule 8)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        abstract = True
