"""What the engine reads besides the events, reduced from the register and the plan (issue 5; DOMAIN.md §7, §8).

Pure Python over plain values (no database): ``qualify.gating.loading`` reads the models and calls these.

- ``register_table`` evaluates the reference rule ``status_on`` at each distinct event date of each participation.
  Status can only change on a date that carries an event, so these change points give the status on every date;
  histories are small (hundreds of participations), so this stays in plain Python.
- ``calendar_from_milestones`` picks the milestone dates by meaning: per segment, the earliest dated
  MIGRATION_START that covers it (no segments listed: every segment); the earliest dated ALL_SUPPLIERS_QUALIFIED;
  the earliest dated MIGRATION_END. Undated milestones are ignored, so a missing MIGRATION_START means migration
  has not opened for that segment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import polars as pl

from qualify.gating.choices import Segment
from qualify.gating.engine import REGISTER_SCHEMA, GatingContext, MigrationCalendar
from qualify.plan.choices import MilestoneMeaning
from qualify.register.rules import EventFact, status_on

Participation = tuple[str, str]  # (mpid, role)
Histories = Mapping[Participation, Sequence[EventFact]]


@dataclass(frozen=True)
class MilestoneFact:
    code: str
    date: dt.date | None
    meaning: str
    segments: tuple[str, ...] = ()


def register_table(histories: Histories) -> pl.DataFrame:
    """The register as status change points: ``mpid, role, from_date, operational``.

    Each participation starts with a "not operational" row on 0001-01-01 (so one with no events is still known),
    then one row per date on which its status, as ``status_on`` computes it, changes.
    """
    mpids: list[str] = []
    roles: list[str] = []
    dates: list[dt.date] = []
    flags: list[bool] = []
    for (mpid, role), events in sorted(histories.items()):
        current = False
        mpids.append(mpid)
        roles.append(role)
        dates.append(dt.date.min)
        flags.append(current)
        for day in sorted({event.date for event in events}):
            operational = status_on(events, day).operational
            if operational != current:
                mpids.append(mpid)
                roles.append(role)
                dates.append(day)
                flags.append(operational)
                current = operational
    return pl.DataFrame(
        {"mpid": mpids, "role": roles, "from_date": dates, "operational": flags}, schema=REGISTER_SCHEMA
    )


def _earliest(dates: Iterable[dt.date | None]) -> dt.date | None:
    dated = [d for d in dates if d is not None]
    return min(dated) if dated else None


def calendar_from_milestones(milestones: Iterable[MilestoneFact]) -> MigrationCalendar:
    """The dates the rules read, by meaning (see the module docstring)."""
    milestones = list(milestones)
    starts = [m for m in milestones if m.meaning == MilestoneMeaning.MIGRATION_START]
    return MigrationCalendar(
        migration_start={
            segment: _earliest(m.date for m in starts if not m.segments or segment.value in m.segments)
            for segment in Segment
        },
        all_suppliers_qualified=_earliest(
            m.date for m in milestones if m.meaning == MilestoneMeaning.ALL_SUPPLIERS_QUALIFIED
        ),
        migration_end=_earliest(m.date for m in milestones if m.meaning == MilestoneMeaning.MIGRATION_END),
    )


def build_context(
    *, histories: Histories, ldso_by_distributor: Mapping[str, str], milestones: Iterable[MilestoneFact]
) -> GatingContext:
    return GatingContext(
        register=register_table(histories),
        ldso_by_distributor=dict(ldso_by_distributor),
        calendar=calendar_from_milestones(milestones),
    )
