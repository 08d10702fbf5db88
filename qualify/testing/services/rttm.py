"""Freezing the RTTM at a gate (DOMAIN.md §4: "the RTTM is re-submitted at four gates: PIT entry, PIT exit, QT entry,
QT exit"; §10a "Entering QT", "Leaving QT").

A snapshot holds the rows and the summary as they were, with a SHA-256 over their canonical JSON; it is never changed
or removed (the model refuses). Snapshots are numbered per gate: taking another at the same gate adds the next one.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max

from qualify.audit.services import audit_record
from qualify.cases.models import QualificationCase
from qualify.core.actor import Actor
from qualify.core.errors import ValidationFailed
from qualify.testing.choices import Gate
from qualify.testing.models import RttmSnapshot
from qualify.testing.permissions import can_take_rttm_snapshot
from qualify.testing.rttm import snapshot_sha256
from qualify.testing.selectors.rttm import rttm_live


@transaction.atomic
def rttm_snapshot_take(*, actor: Actor, case: QualificationCase, gate: str) -> RttmSnapshot:
    """Freeze the case's RTTM at ``gate``. Refused for an unknown gate or a case with no confirmed scope (there is
    nothing to trace yet)."""
    case = QualificationCase.objects.select_for_update().select_related("participation").get(pk=case.pk)
    organisation_id = int(case.participation.organisation_id)
    can_take_rttm_snapshot(actor, organisation_id).enforce()
    if gate not in Gate.values:
        raise ValidationFailed(
            f"Unknown gate {str(gate)[:20]!r}; choose PIT entry, PIT exit, QT entry or QT exit.",
            details={"gate": str(gate)[:20]},
        )
    live = rttm_live(case)
    if live.scope is None:
        raise ValidationFailed(
            "The case has no confirmed scope yet, so there is no required test set to trace.",
            details={"scope": "not confirmed"},
            code="not_scoped",
        )
    last = RttmSnapshot.objects.filter(case=case, gate=gate).aggregate(n=Max("sequence"))["n"] or 0
    snapshot = RttmSnapshot.objects.create(
        case=case,
        gate=gate,
        sequence=last + 1,
        scope=live.scope,
        rows=live.rows,
        summary=live.summary,
        sha256=snapshot_sha256(case=case.reference, gate=gate, rows=live.rows, summary=live.summary),
        taken_by_name=actor.display_name[:200],
    )
    audit_record(
        actor=actor,
        action="testing.rttm_snapshot_taken",
        target=snapshot,
        organisation_id=organisation_id,
        changes={
            "case": case.reference,
            "gate": gate,
            "sequence": snapshot.sequence,
            "scope": live.scope.sequence,
            "rows": len(live.rows),
            "sha256": snapshot.sha256,
        },
    )
    return snapshot
