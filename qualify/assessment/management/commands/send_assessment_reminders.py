"""Send the daily query reminders: due soon and overdue to the participant, an overdue reply to the reviewer.

Run daily from cron; safe to run again. Each reminder is recorded against its query, kind and due date, so a second
run the same day (or any later day) sends nothing more for it, while a follow-up with a new due date earns new ones.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from qualify.assessment import choices as ch
from qualify.assessment.services import reminders_send


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"{text!r} is not a date (YYYY-MM-DD).") from exc


class Command(BaseCommand):
    help = "Remind people of assessment queries that are due soon or overdue (each reminder is sent once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--date", type=_date, default=None, help="Run as on this UK day (YYYY-MM-DD); default: today."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today: dt.date = options["date"] or timezone.localdate()
        sent = reminders_send(today=today)
        soon = sent.get(ch.NOTICE_QUERY_DUE_SOON, 0)
        overdue = sent.get(ch.NOTICE_QUERY_OVERDUE, 0)
        self.stdout.write(f"{today:%Y-%m-%d}: {soon} due-soon reminder(s), {overdue} overdue reminder(s) sent")
