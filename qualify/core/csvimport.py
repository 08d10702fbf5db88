"""Strict reading of small CSV import files, shared by every import (milestones, the register, ...).

Errors name the data row (the first data row is 1, on line row + 1 of the file) and the column, and are collected
rather than stopping at the first, so a person can fix a file in one pass. What a refused import answers is bounded
whatever the file: at most ``LISTED_PROBLEMS`` problems, each message at most ``MESSAGE_LIMIT`` characters, and the
total count; a file of more than ``QUALIFY_IMPORT_MAX_ROWS`` rows is refused without reading on.
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

from django.conf import settings
from django.core.management.base import CommandError

from qualify.core.errors import ValidationFailed
from qualify.core.text import one_line

EARLIEST_DATE = dt.date(2000, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
SHOWN_PROBLEMS = 5  # in the error's message
LISTED_PROBLEMS = 50  # in its details, with the count of all
MESSAGE_LIMIT = 300  # characters of one problem's message (a cell quoted in it can be any length)


def max_rows() -> int:
    """``QUALIFY_IMPORT_MAX_ROWS`` (read by ``config/env.py``): the most data rows one CSV import file may hold."""
    return int(settings.QUALIFY_IMPORT_MAX_ROWS)


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
    """The error for a refused import: the first few problems in the message, the first ``LISTED_PROBLEMS`` in
    ``details["problems"]`` and the count of all in ``details["problem_count"]``; bounded however bad the file."""
    listed = [
        Problem(
            p.row,
            None if p.column is None else one_line(p.column, limit=100),
            one_line(p.message, limit=MESSAGE_LIMIT, mark_cut=True),
        )
        for p in problems[:LISTED_PROBLEMS]
    ]
    shown = "; ".join(str(p) for p in listed[:SHOWN_PROBLEMS])
    more = f" (and {len(problems) - SHOWN_PROBLEMS} more)" if len(problems) > SHOWN_PROBLEMS else ""
    return ValidationFailed(
        f"{one_line(source_name, limit=200)}: {shown}{more}. Nothing was imported.",
        details={
            "problems": [{"row": p.row, "column": p.column, "message": p.message} for p in listed],
            "problem_count": len(problems),
        },
    )


def read_csv_rows(
    text: str, columns: Sequence[str], optional: Sequence[str] = (), *, limit: int | None = None
) -> tuple[list[tuple[int, dict[str, str]]], list[Problem]]:
    """(row number, cells by column) of a CSV whose header must be exactly ``columns`` (any order); cells stripped.

    A column in ``optional`` may also be given; when it is not, every row reads it as empty. A cell holding a NUL
    character is a problem of its row (no database stores one). A file of more than ``limit`` data rows (default
    ``QUALIFY_IMPORT_MAX_ROWS``) is refused as a whole, without reading past the limit.
    """
    limit = max_rows() if limit is None else limit
    text = text.removeprefix("\ufeff")
    if not text.strip():
        return [], [Problem(None, None, "the file is empty; expected a header and at least one row")]
    reader = csv.reader(io.StringIO(text))
    try:
        header = [name.strip() for name in next(reader)]
    except csv.Error as exc:
        return [], [Problem(None, None, f"not a readable CSV: {exc}")]
    problems = [Problem(None, name, "unknown column") for name in header if name not in (*columns, *optional)]
    problems += [Problem(None, name, "missing column") for name in columns if name not in header]
    problems += [Problem(None, name, "column given twice") for name in sorted(set(header)) if header.count(name) > 1]
    if problems:
        return [], problems
    rows: list[tuple[int, dict[str, str]]] = []
    number = 0
    try:
        for number, cells in enumerate(reader, start=1):
            if number > limit:
                return [], [Problem(None, None, f"more than {limit} rows; split the file")]
            if not any(cell.strip() for cell in cells):
                problems.append(Problem(number, None, "empty row"))
            elif len(cells) != len(header):
                problems.append(Problem(number, None, f"{len(cells)} fields; the header has {len(header)}"))
            elif nul := [name for name, cell in zip(header, cells, strict=True) if "\x00" in cell]:
                problems += [Problem(number, name, "holds a NUL character") for name in nul]
            else:
                cells_by_name = {name: "" for name in optional}
                cells_by_name.update({name: cell.strip() for name, cell in zip(header, cells, strict=True)})
                rows.append((number, cells_by_name))
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
