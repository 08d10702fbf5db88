"""Open non-completion records (QA&P Annex 4) for the plan's new misses. Run daily from cron; safe to run again."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from qualify.core import clock
from qualify.oversight.services import records_detect


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"{text!r} is not a date (YYYY-MM-DD).") from exc


class Command(BaseCommand):
    help = "Detect missed wave deadlines, QAD submissions and M14, opening one non-completion record per case."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", type=_date, default=None, help="Run as on this UK day; default: today.")

    def handle(self, *args: Any, **options: Any) -> None:
        today: dt.date = options["date"] or clock.today()
        found = records_detect(today=today)
        self.stdout.write(
            f"{today:%Y-%m-%d}: {len(found.opened)} record(s) opened, {found.added} miss(es) added to open records"
        )
