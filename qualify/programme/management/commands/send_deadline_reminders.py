"""Send the daily wave-deadline notices: a week before, the day before, and the day after a missed deadline.

Run daily from cron; safe to run again. Each notice is recorded against its case, deadline kind and due date, so a
second run the same day sends nothing more, while a deadline that moves earns notices of its own.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from qualify.core import clock
from qualify.programme.choices import DeadlineNotice
from qualify.programme.services import deadline_reminders_send


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"{text!r} is not a date (YYYY-MM-DD).") from exc


class Command(BaseCommand):
    help = "Remind case leads of wave deadlines a week and a day ahead, and tell them of a missed one (once each)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--date", type=_date, default=None, help="Run as on this UK day (YYYY-MM-DD); default: today."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today: dt.date = options["date"] or clock.today()
        sent = deadline_reminders_send(today=today)
        self.stdout.write(
            f"{today:%Y-%m-%d}: {sent[DeadlineNotice.WEEK_BEFORE]} week-ahead, {sent[DeadlineNotice.DAY_BEFORE]} "
            f"day-ahead and {sent[DeadlineNotice.MISSED]} missed-deadline notice(s) sent"
        )
