"""The service activation checklist; its last item activates the service in the register (DOMAIN.md §4)."""

from __future__ import annotations

import datetime as dt
import uuid as uuid_mod
from typing import IO, Any

from django.core.files import File
from django.db import transaction

from qualify.assessment import choices as ch
from qualify.assessment import permissions as perm
from qualify.assessment import rules
from qualify.assessment.models import (
    ActivationStep,
)
from qualify.assessment.services.common import S, locked_case, org_id_of
from qualify.audit.services import audit_record
from qualify.cases.models import QualificationCase
from qualify.cases.services import case_transition
from qualify.core import storedfiles
from qualify.core.actor import Actor, system_actor
from qualify.core.errors import TransitionNotAllowed, ValidationFailed
from qualify.qad import evidence as ev

# --- service activation ----------------------------------------------------------------------------------------------

ACTIVATABLE = frozenset({S.QUALIFIED, S.SERVICE_ACTIVATION})
_CHECKLIST = "service activation checklist"


def activation_record(
    *,
    actor: Actor,
    case: QualificationCase,
    item: str,
    evidence_reference: str,
    evidence_note: str = "",
    effective_date: dt.date | None = None,
    upload: IO[bytes] | None = None,
    upload_name: str = "",
    upload_size: int = 0,
) -> ActivationStep:
    """Record one service activation step with its evidence; the last step activates the service in the register.

    The first step moves a qualified case into service activation. The agreed effective date is the activation's
    effective date and cannot precede the qualification's. An optional evidence file is checked like QAD evidence
    and stored before the transaction under a pending name, promoted when the step commits (removed again if the
    transaction fails).
    """
    if item not in ch.ActivationItem.values:
        raise ValidationFailed(f"Unknown activation item {item!r}.", details={"item": "unknown"})
    perm.can_record_activation(actor, item).enforce()
    stored: dict[str, Any] = {}
    if upload is not None:
        display_name, extension = ev.check_name(upload_name)
        ev.check_content(upload, extension, upload_size)
        reader = ev.HashingReader(upload, upload_size)
        content = File(reader, name=display_name)  # type: ignore[arg-type]  # a file-like reader
        stored_name = storedfiles.stage(f"activation/{case.uuid}/{uuid_mod.uuid4().hex}.{extension}", content)
        if reader.read_bytes != upload_size:
            storedfiles.discard(stored_name)
            raise ValidationFailed("The file changed while it was being stored; upload it again.")
        stored = {
            "evidence_name": display_name,
            "evidence_storage_name": stored_name,
            "evidence_sha256": reader.hexdigest(),
            "evidence_size": upload_size,
        }
    try:
        return _activation_record(
            actor=actor,
            case=case,
            item=item,
            evidence_reference=evidence_reference,
            evidence_note=evidence_note,
            effective_date=effective_date,
            stored=stored,
        )
    except BaseException:
        if stored:
            storedfiles.discard(stored["evidence_storage_name"])
        raise


@transaction.atomic
def _activation_record(
    *,
    actor: Actor,
    case: QualificationCase,
    item: str,
    evidence_reference: str,
    evidence_note: str,
    effective_date: dt.date | None,
    stored: dict[str, Any],
) -> ActivationStep:
    case = locked_case(case)
    if case.state not in ACTIVATABLE:
        raise TransitionNotAllowed(
            f"Service activation follows qualification; {case.reference} is {case.get_state_display().lower()}.",
            details={"state": case.state},
        )
    if not evidence_reference.strip():
        raise ValidationFailed("Give the evidence reference for this step.", details={"evidence_reference": "required"})
    if ActivationStep.objects.filter(case=case, item=item).exists():
        raise ValidationFailed(
            f"“{ch.ActivationItem(item).label}” is already recorded for {case.reference}.", details={"item": "done"}
        )
    if item == ch.ActivationItem.EFFECTIVE_DATE_AGREED:
        qualified_from = rules.qualified_from(case)
        if effective_date is None:
            raise ValidationFailed("Give the agreed effective date.", details={"effective_date": "required"})
        if qualified_from is not None and effective_date < qualified_from:
            raise ValidationFailed(
                f"The service cannot be effective before qualification ({qualified_from:%d %b %Y}).",
                details={"effective_date": "before_qualification"},
            )
    elif effective_date is not None:
        raise ValidationFailed("Only the effective-date step takes a date.", details={"effective_date": "not_here"})
    step = ActivationStep.objects.create(
        case=case,
        item=item,
        evidence_reference=evidence_reference.strip()[:300],
        evidence_note=evidence_note.strip(),
        effective_date=effective_date,
        recorded_by_id=actor.user_id,
        recorded_by_name=actor.display_name[:200],
        **stored,
    )
    if stored:
        storedfiles.promote_on_commit(stored["evidence_storage_name"])
    audit_record(
        actor=actor,
        action="assessment.activation.record",
        target=case,
        organisation_id=org_id_of(case),
        changes={
            "item": item,
            "evidence_reference": step.evidence_reference,
            **({"evidence_sha256": stored["evidence_sha256"]} if stored else {}),
            **({"effective_date": effective_date.isoformat()} if effective_date else {}),
        },
    )
    label = ch.ActivationItem(item).label
    # The checklist moves the case on behalf of whoever completes it; the case's own record names the checklist,
    # and this step's audit event (above) names the person.
    mover = system_actor(_CHECKLIST)
    if case.state == S.QUALIFIED:
        case = case_transition(
            actor=mover, case=case, name="start_service_activation", comment=f"{label}: {actor.display_name}"
        )
    done = {s.item: s for s in ActivationStep.objects.filter(case=case)}
    if all(i in done for i in ch.ActivationItem.values):
        agreed = done[ch.ActivationItem.EFFECTIVE_DATE_AGREED].effective_date
        case_transition(
            actor=mover,
            case=case,
            name="activate",
            comment="Service activation checklist complete: "
            + "; ".join(f"{ch.ActivationItem(i).label} ({done[i].evidence_reference})" for i in ch.ActivationItem),
            effective_date=agreed,
        )
    return step
