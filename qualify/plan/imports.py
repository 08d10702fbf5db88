"""Importing Programme milestones from CSV (``manage.py import_milestones FILE``), issue 5.

CSV with exactly the columns ``code,name,date,meaning,segments`` (any order):

- ``code`` (e.g. M14) and ``name`` are required; ``date`` is an ISO date (YYYY-MM-DD, 2000-01-01..2100-12-31) or
  empty while no date is published;
- ``meaning`` is one of MIGRATION_START, ALL_SUPPLIERS_QUALIFIED, MIGRATION_END, or empty when no rule depends on
  the milestone;
- ``segments`` is a ``;``-separated subset of SMART, ADVANCED, UMS that a MIGRATION_START applies to (empty: every
  segment); other meanings take no segments.

Milestones are created or updated through ``milestone_upsert``, so a changed date is kept as a move in the
milestone's history (DOMAIN.md §7); a milestone that already matches its row is left untouched, so re-importing the
same file changes nothing. All or nothing, one transaction; errors name the row (first data row = 1, on line
row + 1) and the column.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from qualify.core.actor import Actor
from qualify.core.csvimport import Problem, import_failed, parse_date, read_csv_rows
from qualify.core.errors import DomainError
from qualify.plan.choices import MilestoneMeaning, Segment
from qualify.plan.models import Milestone
from qualify.plan.permissions import can_manage_plan
from qualify.plan.services import milestone_upsert

COLUMNS = ("code", "name", "date", "meaning", "segments")


@dataclass(frozen=True)
class MilestoneRow:
    row: int
    code: str
    name: str
    date: dt.date | None
    meaning: str
    segments: tuple[str, ...]


@dataclass(frozen=True)
class MilestoneImportResult:
    rows: int
    created: int
    updated: int
    unchanged: int


def parse_milestones_csv(text: str) -> tuple[list[MilestoneRow], list[Problem]]:
    raw_rows, problems = read_csv_rows(text, COLUMNS)
    rows: list[MilestoneRow] = []
    first_row_of: dict[str, int] = {}
    for number, raw in raw_rows:
        found: list[Problem] = []
        code, name, meaning = raw["code"].upper(), raw["name"], raw["meaning"].upper()
        if not code:
            found.append(Problem(number, "code", "empty; every milestone has a code, e.g. M14"))
        elif code in first_row_of:
            found.append(Problem(number, "code", f"{code} is already on row {first_row_of[code]}"))
        else:
            first_row_of[code] = number
        if not name:
            found.append(Problem(number, "name", "empty; every milestone has a name"))
        date: dt.date | None = None
        if raw["date"]:
            parsed = parse_date(raw["date"])
            if isinstance(parsed, str):
                found.append(Problem(number, "date", parsed))
            else:
                date = parsed
        meanings = [m for m in MilestoneMeaning.values if m]
        if meaning not in MilestoneMeaning.values:
            found.append(Problem(number, "meaning", f"{raw['meaning']!r} is not one of {', '.join(meanings)} or empty"))
        segments = tuple(sorted({s.strip().upper() for s in raw["segments"].split(";") if s.strip()}))
        unknown = [s for s in segments if s not in Segment.values]
        if unknown:
            found.append(
                Problem(number, "segments", f"{', '.join(unknown)}: segments are among {', '.join(Segment.values)}")
            )
        elif segments and meaning != MilestoneMeaning.MIGRATION_START:
            found.append(Problem(number, "segments", "only a MIGRATION_START applies to segments"))
        if found:
            problems += found
        else:
            rows.append(MilestoneRow(number, code, name, date, meaning, segments))
    return rows, problems


@transaction.atomic
def milestones_import(*, actor: Actor, text: str, source_name: str) -> MilestoneImportResult:
    """Create or update the milestones of a file (format in the module docstring), all or nothing.

    Raises ``ValidationFailed`` with ``details["problems"]`` and writes nothing when any row is wrong.
    """
    can_manage_plan(actor).enforce()
    rows, problems = parse_milestones_csv(text)
    if problems:
        raise import_failed(source_name, problems)
    existing = {m.code: m for m in Milestone.objects.filter(code__in=[r.code for r in rows])}
    created = updated = unchanged = 0
    for row in rows:
        current = existing.get(row.code)
        if current is not None and (current.name, current.date, current.meaning, sorted(current.segments)) == (
            row.name,
            row.date,
            row.meaning,
            list(row.segments),
        ):
            unchanged += 1
            continue
        try:
            milestone_upsert(
                actor=actor,
                code=row.code,
                name=row.name,
                date=row.date,
                meaning=row.meaning,
                segments=row.segments,
            )
        except DomainError as error:
            raise import_failed(source_name, [Problem(row.row, None, error.message)]) from error
        created += current is None
        updated += current is not None
    return MilestoneImportResult(rows=len(rows), created=created, updated=updated, unchanged=unchanged)
