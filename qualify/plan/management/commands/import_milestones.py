"""``manage.py import_milestones FILE``: load the Programme milestones the market rules read (issue 5).

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

The strict CSV reading shared with ``import_register`` lives here because the plan app sits below the register app
in the layers (tests/test_architecture.py): the register command may import it, not the other way round.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from qualify.core.actor import Actor, system_actor
from qualify.core.errors import DomainError, ValidationFailed
from qualify.plan.choices import MilestoneMeaning, Segment
from qualify.plan.models import Milestone
from qualify.plan.permissions import can_manage_plan
from qualify.plan.services import milestone_upsert

COLUMNS = ("code", "name", "date", "meaning", "segments")
EARLIEST_DATE = dt.date(2000, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
SHOWN_PROBLEMS = 5


# --- strict CSV reading, shared with import_register ---------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an import file: where (data row counted from 1, column) and what."""

    row: int | None  # None: the file as a whole (e.g. its header)
    column: str | None
    message: str

    def __str__(self) -> str:
        place = [f"row {self.row} (line {self.row + 1})"] if self.row else []
        place += [f"column {self.column}"] if self.column else []
        return f"{', '.join(place)}: {self.message}" if place else self.message

    @classmethod
    def from_details(cls, details: dict[str, Any] | list[Any]) -> list[Problem]:
        """The problems carried by a ``ValidationFailed`` raised by ``import_failed``."""
        listed = details.get("problems", []) if isinstance(details, dict) else []
        return [cls(p["row"], p["column"], p["message"]) for p in listed]


def import_failed(source_name: str, problems: Sequence[Problem]) -> ValidationFailed:
    """The error for a refused import: the first few problems in the message, every one in ``details``."""
    shown = "; ".join(str(p) for p in problems[:SHOWN_PROBLEMS])
    more = f" (and {len(problems) - SHOWN_PROBLEMS} more)" if len(problems) > SHOWN_PROBLEMS else ""
    return ValidationFailed(
        f"{source_name}: {shown}{more}. Nothing was imported.",
        details={"problems": [{"row": p.row, "column": p.column, "message": p.message} for p in problems]},
    )


def read_csv_rows(text: str, columns: Sequence[str]) -> tuple[list[tuple[int, dict[str, str]]], list[Problem]]:
    """(row number, cells by column) of a CSV whose header must be exactly ``columns`` (any order); cells stripped."""
    text = text.removeprefix("\ufeff")
    if not text.strip():
        return [], [Problem(None, None, "the file is empty; expected a header and at least one row")]
    reader = csv.reader(io.StringIO(text))
    try:
        header = [name.strip() for name in next(reader)]
    except csv.Error as exc:
        return [], [Problem(None, None, f"not a readable CSV: {exc}")]
    problems = [Problem(None, name, "unknown column") for name in header if name not in columns]
    problems += [Problem(None, name, "missing column") for name in columns if name not in header]
    problems += [Problem(None, name, "column given twice") for name in sorted(set(header)) if header.count(name) > 1]
    if problems:
        return [], problems
    rows: list[tuple[int, dict[str, str]]] = []
    number = 0
    try:
        for number, cells in enumerate(reader, start=1):
            if not any(cell.strip() for cell in cells):
                problems.append(Problem(number, None, "empty row"))
            elif len(cells) != len(header):
                problems.append(Problem(number, None, f"{len(cells)} fields; the header has {len(header)}"))
            else:
                rows.append((number, {name: cell.strip() for name, cell in zip(header, cells, strict=True)}))
    except csv.Error as exc:
        problems.append(Problem(number + 1, None, f"not a readable CSV: {exc}"))
    if not rows and not problems:
        problems.append(Problem(None, None, "no rows; the file has a header only"))
    return rows, problems


def parse_date(text: str) -> dt.date | str:
    """The ISO date in ``text``, or why it is not one (format, calendar, or outside 2000..2100)."""
    if not ISO_DATE.fullmatch(text):
        return f"{text!r} is not a date as YYYY-MM-DD"
    try:
        date = dt.date.fromisoformat(text)
    except ValueError:
        return f"{text!r} is not a calendar date"
    if not EARLIEST_DATE <= date <= LATEST_DATE:
        return f"{date} is outside {EARLIEST_DATE}..{LATEST_DATE}"
    return date


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"Cannot read {path}: {exc}") from exc


# --- milestones ------------------------------------------------------------------------------------------------


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


class Command(BaseCommand):
    help = (
        "Load milestones from a CSV with columns code,name,date,meaning,segments. All or nothing; "
        "re-importing the same file changes nothing; a changed date is kept as a move."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        text = read_text(path)
        try:
            result = milestones_import(actor=system_actor("milestone import"), text=text, source_name=path.name)
        except DomainError as error:
            for problem in Problem.from_details(error.details):
                self.stderr.write(f"{path}: {problem}")
            raise CommandError(error.message) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.rows} milestone(s) read: {result.created} created, {result.updated} updated, "
                f"{result.unchanged} unchanged."
            )
        )
