"""Reads behind the gates page and API: the case (within the actor's scope) and its prerequisites."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch

from qualify.cases.models import QualificationCase
from qualify.cases.selectors import case_get
from qualify.core.actor import Actor
from qualify.core.errors import NotFound
from qualify.qad.models import EvidenceFile
from qualify.testing import prerequisites as rules
from qualify.testing.choices import Prerequisite
from qualify.testing.models import PrerequisiteRecord


def testing_case_get(*, actor: Actor, key: str) -> QualificationCase:
    """The case by reference or UUID; NotFound outside the actor's scope (404 in HTML and API alike)."""
    return case_get(actor=actor, key=key)


@dataclass(frozen=True)
class PrerequisiteRow:
    kind: str
    label: str
    record: PrerequisiteRecord | None


def prerequisite_rows(*, actor: Actor, case: QualificationCase) -> list[PrerequisiteRow]:
    """Every prerequisite that applies to the case, with what is on record (two queries)."""
    kinds = rules.applicable(case.participation.role, case.participation.route)
    records = {
        r.kind: r
        for r in PrerequisiteRecord.objects.visible_to(actor)
        .filter(case=case)
        .prefetch_related(Prefetch("evidence", queryset=EvidenceFile.objects.order_by("original_name")))
    }
    labels = dict(Prerequisite.choices)
    return [PrerequisiteRow(kind, str(labels[kind]), records.get(kind)) for kind in kinds]


def prerequisite_get(*, actor: Actor, case: QualificationCase, kind: str) -> PrerequisiteRecord:
    found: PrerequisiteRecord | None = (
        PrerequisiteRecord.objects.visible_to(actor)
        .select_related("case__participation")
        .filter(case=case, kind=kind)
        .first()
    )
    if found is None:
        raise NotFound("No such prerequisite on record for this case.")
    return found
