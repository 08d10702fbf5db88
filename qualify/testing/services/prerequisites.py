"""Recording, accepting and sending back a case's testing prerequisites (DOMAIN.md §10a "Entering QT").

The participant's lead or a contributor records a prerequisite with its completion date, a note and evidence files
held in the case's QAD evidence store (uploaded with the same checks as any QAD evidence); a Code Body assessor, or
for an LDSO the Programme's test manager, accepts it or sends it back with a comment. Recording again replaces the
record and asks for acceptance afresh. State changes go through testing/prerequisites_workflow.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import IO

from django.db import transaction

from qualify.audit.services import audit_record
from qualify.cases.models import QualificationCase
from qualify.core import clock
from qualify.core.actor import Actor
from qualify.core.errors import ValidationFailed
from qualify.core.workflow import TransitionInput, apply_transition
from qualify.qad.models import EvidenceFile
from qualify.qad.services import evidence_upload, response_open
from qualify.testing import prerequisites as rules
from qualify.testing.choices import Prerequisite
from qualify.testing.models import PrerequisiteRecord
from qualify.testing.permissions import can_record_prerequisite
from qualify.testing.prerequisites_workflow import PREREQUISITE_WORKFLOW

MAX_NOTE = 4000
MAX_COMMENT = 2000
MAX_EVIDENCE = 20


def _applicable_kind(case: QualificationCase, kind: str) -> str:
    participation = case.participation
    kinds = rules.applicable(participation.role, participation.route)
    if kind not in kinds:
        label = dict(Prerequisite.choices).get(kind, kind[:40])
        raise ValidationFailed(
            f"“{label}” is not a prerequisite for a {participation.get_role_display()} on the "
            f"{participation.get_route_display()}.",
            details={"kind": kind[:40], "applicable": list(kinds)},
            code="prerequisite_not_applicable",
        )
    return kind


def _case_evidence(case: QualificationCase, evidence: Iterable[EvidenceFile]) -> list[EvidenceFile]:
    files = list(dict.fromkeys(evidence))
    if len(files) > MAX_EVIDENCE:
        raise ValidationFailed(f"Attach at most {MAX_EVIDENCE} evidence files.", details={"evidence": "too many"})
    foreign = [f for f in files if f.response.case_id != case.pk]
    if foreign:
        raise ValidationFailed(
            "Evidence must be a file held for this case.", details={"evidence": [str(f.uuid) for f in foreign]}
        )
    return files


@transaction.atomic
def prerequisite_record(
    *,
    actor: Actor,
    case: QualificationCase,
    kind: str,
    completed_on: dt.date,
    note: str = "",
    evidence: Iterable[EvidenceFile] = (),
) -> PrerequisiteRecord:
    """Record (or record again) one prerequisite of the case; it then awaits acceptance."""
    case = QualificationCase.objects.select_for_update().select_related("participation").get(pk=case.pk)
    can_record_prerequisite(actor, case).enforce()
    kind = _applicable_kind(case, kind)
    if completed_on > clock.today():
        raise ValidationFailed(
            "The completion date cannot be in the future.", details={"completed_on": completed_on.isoformat()}
        )
    note = note.strip()[:MAX_NOTE]
    files = _case_evidence(case, evidence)
    existing = PrerequisiteRecord.objects.filter(case=case, kind=kind).first()
    if existing is not None:
        return apply_transition(
            PREREQUISITE_WORKFLOW,
            actor=actor,
            instance=existing,
            name="record_again",
            data=TransitionInput(extra={"completed_on": completed_on, "note": note, "evidence": files}),
        )
    record = PrerequisiteRecord.objects.create(
        case=case, kind=kind, completed_on=completed_on, note=note, recorded_by_name=actor.display_name[:200]
    )
    record.evidence.set(files)
    audit_record(
        actor=actor,
        action="testing.prerequisite_recorded",
        target=record,
        organisation_id=int(case.participation.organisation_id),
        changes={
            "case": case.reference,
            "kind": kind,
            "completed_on": completed_on.isoformat(),
            "evidence": [f.sha256 for f in files],
        },
    )
    return record


def prerequisite_accept(*, actor: Actor, record: PrerequisiteRecord, comment: str = "") -> PrerequisiteRecord:
    """Accept a recorded prerequisite (a Code Body assessor; for an LDSO, the Programme's test manager)."""
    return apply_transition(
        PREREQUISITE_WORKFLOW,
        actor=actor,
        instance=record,
        name="accept",
        data=TransitionInput(comment=comment.strip()[:MAX_COMMENT]),
    )


def prerequisite_send_back(*, actor: Actor, record: PrerequisiteRecord, comment: str) -> PrerequisiteRecord:
    """Send a recorded prerequisite back, saying what is missing."""
    return apply_transition(
        PREREQUISITE_WORKFLOW,
        actor=actor,
        instance=record,
        name="send_back",
        data=TransitionInput(comment=comment.strip()[:MAX_COMMENT]),
    )


def prerequisite_evidence_upload(
    *, actor: Actor, case: QualificationCase, upload: IO[bytes], name: str, size: int
) -> EvidenceFile:
    """Store a prerequisite's evidence file in the case's QAD evidence store, with the same checks as any evidence
    (name, size, content sniffed, hashed while copied); the QAD is opened first if it was not yet."""
    can_record_prerequisite(actor, case).enforce()
    response = response_open(actor=actor, case=case)
    return evidence_upload(
        actor=actor, response=response, upload=upload, name=name, size=size, evidence_as_of=clock.today()
    )
