"""Reads of DIP specifications and validation runs, as far as the person may see (``visible_to``)."""

from __future__ import annotations

import uuid as uuid_mod

from django.db.models import QuerySet

from qualify.cases.models import QualificationCase
from qualify.core.actor import Actor
from qualify.core.errors import NotFound
from qualify.dip.models import MessageResult, Specification, ValidationRun
from qualify.participants.models import Organisation
from qualify.testing.choices import Assurance
from qualify.testing.models import Execution

LIST_LIMIT = 100


def _uuid(key: object) -> uuid_mod.UUID | None:
    try:
        return uuid_mod.UUID(str(key))
    except ValueError:
        return None


def specification_list(*, actor: Actor) -> QuerySet[Specification]:
    return Specification.objects.visible_to(actor).select_related("organisation")


def specification_get(*, actor: Actor, key: object) -> Specification:
    found = _uuid(key)
    spec = specification_list(actor=actor).filter(uuid=found).first() if found else None
    if spec is None:
        raise NotFound("No such specification.")
    return spec


def run_list(*, actor: Actor, specification: Specification | None = None) -> QuerySet[ValidationRun]:
    runs = ValidationRun.objects.visible_to(actor).select_related("specification", "organisation")
    return runs.filter(specification=specification) if specification is not None else runs


def run_get(*, actor: Actor, key: object) -> ValidationRun:
    found = _uuid(key)
    run = run_list(actor=actor).filter(uuid=found).first() if found else None
    if run is None:
        raise NotFound("No such validation run.")
    return run


def run_results(*, run: ValidationRun) -> QuerySet[MessageResult]:
    return MessageResult.objects.filter(run=run).order_by("position")


def organisation_names(*, ids: list[int | None]) -> dict[int | None, str]:
    names: dict[int | None, str] = {None: "The whole programme"}
    names.update(Organisation.objects.filter(pk__in=[i for i in ids if i is not None]).values_list("pk", "name"))
    return names


def attach_cases(*, actor: Actor, run: ValidationRun) -> QuerySet[QualificationCase]:
    """The run's organisation's cases the person may see: where its report can go as QAD evidence."""
    if run.organisation_id is None:
        return QualificationCase.objects.none()
    cases = QualificationCase.objects.visible_to(actor).filter(participation__organisation_id=run.organisation_id)
    return cases.select_related("participation").order_by("reference")


def attach_executions(*, actor: Actor, run: ValidationRun) -> QuerySet[Execution]:
    """The latest test runs of the run's organisation's cases still awaiting assurance: where its report can go as
    QT evidence."""
    if run.organisation_id is None:
        return Execution.objects.none()
    runs = Execution.objects.visible_to(actor).filter(
        case__participation__organisation_id=run.organisation_id, is_latest=True, assurance=Assurance.PENDING
    )
    return runs.select_related("case").order_by("case__reference", "test_case_id")[:LIST_LIMIT]
