"""What every daily command shares: a ``--date`` to run as on another UK day (default: today, from ``core.clock``),
and one line saying what it did. Reminder and detection commands are run from cron and are safe to run again."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from qualify.core import clock


def iso_date(text: str) -> dt.date:
    """A YYYY-MM-DD argument, or the command's error naming what was given."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"{text[:40]!r} is not a date (YYYY-MM-DD).") from exc


class DailyCommand(BaseCommand):
    """Subclasses set ``help`` and implement ``run(today)``, returning the line to print."""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--date", type=iso_date, default=None, help="Run as on this UK day (YYYY-MM-DD); default: today."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today: dt.date = options["date"] or clock.today()
        self.stdout.write(f"{today:%Y-%m-%d}: {self.run(today)}")

    def run(self, today: dt.date) -> str:
        raise NotImplementedError
