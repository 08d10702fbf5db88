"""``manage.py gate EVENTS --out RESULT [--known-at INSTANT]``: decide a bulk events file against the register
(issue 5), as it stands now or as it stood at a past instant (issue 11)."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any, TextIO

from django.core.management.base import BaseCommand, CommandError, CommandParser

from qualify.core.instants import BadInstant, parse_instant
from qualify.gating.io import EventsFileError, gate_file
from qualify.gating.loading import load_gating_context


class ProgressBar:
    """A one-line progress bar, redrawn in place; only drawn on a terminal."""

    def __init__(self, stream: TextIO, width: int = 30) -> None:
        self.stream = stream
        self.width = width
        self.started = time.monotonic()

    def __call__(self, done: int, total: int | None) -> None:
        elapsed = time.monotonic() - self.started
        if total:
            filled = int(self.width * done / total)
            bar = "#" * filled + "." * (self.width - filled)
            text = f"\r[{bar}] {100 * done / total:5.1f}%  {done:,} / {total:,} events  {elapsed:5.1f} s"
        else:
            text = f"\r{done:,} events  {elapsed:5.1f} s"
        self.stream.write(text)
        self.stream.flush()

    def finish(self) -> None:
        self.stream.write("\n")
        self.stream.flush()


class Command(BaseCommand):
    help = (
        "Decide every event of EVENTS (CSV or Parquet: ref,kind,mpan,date,segment,supplier,mem,data_service,"
        "settlement) and write ref,outcome,reasons,gsp_group to RESULT (CSV or Parquet by extension), all or "
        "nothing. gsp_group is _A.._P from the MPAN's distributor id 10-23, IDNO for any other, empty if invalid. "
        "Errors name the row (first event = row 1) and the column."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("events", type=Path, help="The events file (.csv or .parquet).")
        parser.add_argument("--out", type=Path, required=True, help="The result file (.csv or .parquet).")
        parser.add_argument(
            "--known-at",
            default=None,
            help="Decide as the register and the milestones stood at this instant (ISO 8601 with its time zone, "
            "e.g. 2026-03-01T09:30:00Z): only register events recorded by then count. Default: now.",
        )
        parser.add_argument(
            "--progress",
            choices=["auto", "always", "never"],
            default="auto",
            help="Progress bar on standard error: auto draws it on a terminal only.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        events: Path = options["events"]
        out: Path = options["out"]
        show = options["progress"] == "always" or (options["progress"] == "auto" and sys.stderr.isatty())
        bar = ProgressBar(sys.stderr) if show else None
        try:
            known_at = parse_instant(options["known_at"], name="--known-at") if options["known_at"] else None
        except BadInstant as error:
            raise CommandError(error.message) from error
        context = load_gating_context(known_at=known_at)
        started = time.monotonic()
        try:
            summary = gate_file(events, out, context, progress=bar)
        except EventsFileError as error:
            raise CommandError(f"{error.message} Nothing was written.") from error
        finally:
            if bar is not None:
                bar.finish()
        seconds = time.monotonic() - started
        self.stdout.write(f"Wrote {out} in {seconds:.1f} s.")
        if known_at is not None:
            self.stdout.write(f"Decided as the register stood at {known_at.isoformat()}.")
        for line in summary.lines():
            self.stdout.write(line)
