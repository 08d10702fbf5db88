"""Writes to qualification cases. State changes go through the workflow engine only."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import transaction

from qualify.audit.services import audit_record
from qualify.cases.choices import CLOSED
from qualify.cases.models import QualificationCase
from qualify.cases.permissions import can_assign_wave, can_open_case
from qualify.cases.workflow import CASE_WORKFLOW
from qualify.core.actor import Actor
from qualify.core.errors import ValidationFailed
from qualify.core.workflow import TransitionInput, apply_transition
from qualify.participants.models import MarketParticipation
from qualify.plan.models import Wave


@transaction.atomic
def case_open(
    *,
    actor: Actor,
    participation: MarketParticipation,
    wave: Wave | None = None,
    target_migration_date: dt.date | None = None,
) -> QualificationCase:
    """Open the one qualification case a participation has (DOMAIN.md §4), in draft."""
    can_open_case(actor).enforce()
    if QualificationCase.objects.filter(participation=participation, requalifies__isnull=True).exists():
        raise ValidationFailed(
            f"{participation} already has a qualification case.", details={"participation": "has_case"}
        )
    case = QualificationCase.objects.create(
        participation=participation,
        wave=wave,
        target_migration_date=target_migration_date,
        reference=f"PENDING-{participation.pk}",
    )
    case.reference = f"QC-{case.pk:06d}"
    case.save(update_fields=["reference"])
    audit_record(
        actor=actor,
        action="cases.case.open",
        target=case,
        organisation_id=participation.organisation_id,
        changes={"reference": case.reference, "wave": wave.code if wave else None},
    )
    return case


@transaction.atomic
def case_open_requalification(*, actor: Actor, first: QualificationCase, reason: str) -> QualificationCase:
    """Open a re-qualification case: the same participation, linked to the qualified case it re-qualifies, in draft.

    Taken for the Programme by the platform when the Code Bodies' assessments of a disclosed change require it (the
    changes app), which then scopes it (``open_requalification``). The first case stays as it is: qualified.
    """
    can_open_case(actor).enforce()
    if first.requalifies_id is not None:
        raise ValidationFailed(
            "A re-qualification re-qualifies the first case, not another re-qualification.",
            details={"case": "is_requalification"},
        )
    case = QualificationCase.objects.create(
        participation=first.participation,
        requalifies=first,
        wave=None,
        target_migration_date=None,
        reference=f"PENDING-{uuid.uuid4().hex[:8]}",  # the unique column's placeholder until the id is known
    )
    case.reference = f"QC-{case.pk:06d}"
    case.save(update_fields=["reference"])
    audit_record(
        actor=actor,
        action="cases.case.open_requalification",
        target=case,
        organisation_id=first.participation.organisation_id,
        changes={"reference": case.reference, "requalifies": first.reference, "reason": reason},
    )
    return case


def case_transition(
    *,
    actor: Actor,
    case: QualificationCase,
    name: str,
    comment: str = "",
    effective_date: dt.date | None = None,
) -> QualificationCase:
    """Move a case one step along its lifecycle (locked, checked, recorded and audited by the engine)."""
    return apply_transition(
        CASE_WORKFLOW,
        actor=actor,
        instance=case,
        name=name,
        data=TransitionInput(comment=comment, effective_date=effective_date),
    )


@transaction.atomic
def case_assign_wave(*, actor: Actor, case: QualificationCase, wave: Wave, reason: str = "") -> QualificationCase:
    can_assign_wave(actor).enforce()
    locked = QualificationCase.objects.select_for_update().get(pk=case.pk)
    if locked.state in CLOSED:
        raise ValidationFailed("A closed case cannot move to another wave.", details={"state": locked.state})
    before = locked.wave.code if locked.wave else None
    if before == wave.code:
        return locked
    if before is not None and not reason.strip():
        raise ValidationFailed("Say why the case moves to another wave.", details={"reason": "required"})
    locked.wave = wave
    locked.save(update_fields=["wave", "updated_at"])
    audit_record(
        actor=actor,
        action="cases.case.assign_wave",
        target=locked,
        organisation_id=locked.participation.organisation_id,
        changes={"wave": {"before": before, "after": wave.code}, "reason": reason},
    )
    return locked
