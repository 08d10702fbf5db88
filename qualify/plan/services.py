"""Writes to the plan. Milestone dates only move through ``milestone_move`` so their history is kept."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction

from qualify.audit.services import audit_record
from qualify.core.actor import Actor
from qualify.core.errors import ValidationFailed
from qualify.plan.choices import DeadlineKind, MilestoneMeaning, Segment
from qualify.plan.models import Milestone, MilestoneDateChange, Wave, WaveDeadline
from qualify.plan.permissions import can_manage_plan


def _clean_segments(meaning: str, segments: Iterable[str]) -> list[str]:
    cleaned = sorted({s.strip().upper() for s in segments if s.strip()})
    unknown = [s for s in cleaned if s not in Segment.values]
    if unknown:
        raise ValidationFailed(f"Unknown segment(s): {', '.join(unknown)}.", details={"segments": "unknown"})
    if cleaned and meaning != MilestoneMeaning.MIGRATION_START:
        raise ValidationFailed(
            "Segments apply only to a MIGRATION_START milestone.", details={"segments": "not_migration_start"}
        )
    return cleaned


@transaction.atomic
def milestone_upsert(
    *,
    actor: Actor,
    code: str,
    name: str,
    date: dt.date | None,
    meaning: str = "",
    segments: Iterable[str] = (),
    description: str = "",
    date_note: str = "",
    sequence: int | None = None,
    change_request: str = "",
) -> Milestone:
    """Create a milestone, or update it; a changed date is recorded as a move (with its change request)."""
    can_manage_plan(actor).enforce()
    code = code.strip().upper()
    if not code:
        raise ValidationFailed("A milestone needs a code, e.g. M14.", details={"code": "required"})
    if meaning not in MilestoneMeaning.values:
        raise ValidationFailed(f"Unknown milestone meaning {meaning!r}.", details={"meaning": "unknown"})
    cleaned_segments = _clean_segments(meaning, segments)
    milestone = Milestone.objects.select_for_update().filter(code=code).first()
    if milestone is None:
        milestone = Milestone.objects.create(
            code=code,
            name=name.strip(),
            date=date,
            meaning=meaning,
            segments=cleaned_segments,
            description=description,
            date_note=date_note,
            sequence=sequence if sequence is not None else Milestone.objects.count() + 1,
        )
        audit_record(
            actor=actor,
            action="plan.milestone.create",
            target=milestone,
            organisation_id=None,
            changes={"code": code, "date": date, "meaning": meaning, "segments": cleaned_segments},
        )
        return milestone
    before = {
        "name": milestone.name,
        "meaning": milestone.meaning,
        "segments": milestone.segments,
        "description": milestone.description,
        "date_note": milestone.date_note,
    }
    after = {
        "name": name.strip(),
        "meaning": meaning,
        "segments": cleaned_segments,
        "description": description or milestone.description,
        "date_note": date_note or milestone.date_note,
    }
    changed = {k: {"before": before[k], "after": after[k]} for k in before if before[k] != after[k]}
    for key, value in after.items():
        setattr(milestone, key, value)
    if sequence is not None:
        milestone.sequence = sequence
    milestone.save()
    if changed:
        audit_record(
            actor=actor,
            action="plan.milestone.update",
            target=milestone,
            organisation_id=None,
            changes=changed,
        )
    if milestone.date != date:
        milestone_move(actor=actor, milestone=milestone, new_date=date, change_request=change_request)
    return milestone


@transaction.atomic
def milestone_move(
    *,
    actor: Actor,
    milestone: Milestone,
    new_date: dt.date | None,
    change_request: str = "",
    approved_on: dt.date | None = None,
    reason: str = "",
) -> MilestoneDateChange:
    """Move a milestone's date and keep the move (DOMAIN.md §7: dates move by approved change requests)."""
    can_manage_plan(actor).enforce()
    locked = Milestone.objects.select_for_update().get(pk=milestone.pk)
    if locked.date == new_date:
        raise ValidationFailed(f"{locked.code} is already dated {new_date}.", details={"date": "unchanged"})
    change = MilestoneDateChange.objects.create(
        milestone=locked,
        old_date=locked.date,
        new_date=new_date,
        change_request=change_request.strip(),
        approved_on=approved_on,
        reason=reason.strip(),
        recorded_by_name=actor.display_name,
    )
    old = locked.date
    locked.date = new_date
    locked.save(update_fields=["date", "updated_at"])
    milestone.date = new_date
    audit_record(
        actor=actor,
        action="plan.milestone.move",
        target=locked,
        organisation_id=None,
        changes={"date": {"before": old, "after": new_date}, "change_request": change_request},
    )
    return change


@transaction.atomic
def wave_upsert(
    *,
    actor: Actor,
    code: str,
    name: str,
    description: str = "",
    sequence: int = 0,
    deadlines: dict[str, dt.date] | None = None,
) -> Wave:
    """Create or update a wave and set its deadlines (kind → date)."""
    can_manage_plan(actor).enforce()
    code = code.strip().upper()
    if not code or not name.strip():
        raise ValidationFailed("A wave needs a code and a name.", details={"code": "required"})
    wave, created = Wave.objects.update_or_create(
        code=code, defaults={"name": name.strip(), "description": description, "sequence": sequence}
    )
    for kind, date in (deadlines or {}).items():
        if kind not in DeadlineKind.values:
            raise ValidationFailed(f"Unknown deadline kind {kind!r}.", details={"deadlines": "unknown"})
        WaveDeadline.objects.update_or_create(wave=wave, kind=kind, defaults={"date": date})
    audit_record(
        actor=actor,
        action="plan.wave.create" if created else "plan.wave.update",
        target=wave,
        organisation_id=None,
        changes={"code": code, "name": name, "deadlines": deadlines or {}},
    )
    return wave


@transaction.atomic
def wave_deadlines_clear(*, actor: Actor, wave: Wave, kinds: Iterable[str]) -> list[str]:
    """Remove a wave's deadlines of ``kinds`` (a date the Programme no longer sets); returns the kinds removed."""
    can_manage_plan(actor).enforce()
    doomed = WaveDeadline.objects.filter(wave=wave, kind__in=list(kinds))
    removed = sorted(doomed.values_list("kind", flat=True))
    if removed:
        doomed.delete()
        audit_record(
            actor=actor,
            action="plan.wave.clear_deadlines",
            target=wave,
            organisation_id=None,
            changes={"code": wave.code, "removed": removed},
        )
    return removed
