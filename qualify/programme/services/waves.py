"""Waves as plans: a wave's windows and deadlines, and moving cases between waves with a reason (issue 13)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction

from qualify.cases.models import QualificationCase
from qualify.cases.services import case_assign_wave
from qualify.core.actor import Actor
from qualify.core.errors import ValidationFailed
from qualify.plan.choices import DeadlineKind
from qualify.plan.models import Wave
from qualify.plan.permissions import can_manage_plan
from qualify.plan.services import wave_deadlines_clear, wave_upsert
from qualify.programme.choices import WINDOWS
from qualify.programme.text import bounded


@transaction.atomic
def wave_plan_save(
    *,
    actor: Actor,
    code: str,
    name: str,
    description: str = "",
    sequence: int = 0,
    deadlines: dict[str, dt.date | None],
) -> Wave:
    """Create or edit a wave with every one of its dates: a kind given no date is removed from the wave.

    Each window (PIT, QT, Initial to Final QAD) must open on or before it closes.
    """
    can_manage_plan(actor).enforce()
    unknown = sorted(set(deadlines) - set(DeadlineKind.values))
    if unknown:
        raise ValidationFailed(f"Unknown deadline kind(s): {', '.join(unknown)}.", details={"deadlines": unknown})
    for opens, closes in WINDOWS:
        start, end = deadlines.get(opens), deadlines.get(closes)
        if start and end and start > end:
            raise ValidationFailed(
                f"{DeadlineKind(opens).label} ({start:%d %b %Y}) falls after {DeadlineKind(closes).label} "
                f"({end:%d %b %Y}).",
                details={"deadlines": {opens: "after_" + closes}},
            )
    if sequence < 0 or sequence > 32767:
        raise ValidationFailed("The wave's order is a number from 0 to 32767.", details={"sequence": "range"})
    wave = wave_upsert(
        actor=actor,
        code=bounded(code, 16),
        name=bounded(name, 200),
        description=bounded(description, 4000),
        sequence=sequence,
        deadlines={k: v for k, v in deadlines.items() if v is not None},
    )
    wave_deadlines_clear(actor=actor, wave=wave, kinds=[k for k, v in deadlines.items() if v is None])
    return wave


@transaction.atomic
def cases_move_wave(
    *, actor: Actor, cases: Sequence[QualificationCase], wave: Wave, reason: str
) -> list[QualificationCase]:
    """Move cases to ``wave``, all or none, each audited with the reason (which moving always needs)."""
    reason = bounded(reason, 2000)
    if not reason:
        raise ValidationFailed("Say why the cases move to another wave.", details={"reason": "required"})
    if not cases:
        raise ValidationFailed("Choose at least one case to move.", details={"cases": "required"})
    return [case_assign_wave(actor=actor, case=case, wave=wave, reason=reason) for case in cases]
