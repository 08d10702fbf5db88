"""Remind whoever takes each open non-completion step that it is due soon or overdue (each reminder sent once)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from qualify.core import clock
from qualify.oversight import choices as ch
from qualify.oversight.management.commands.detect_non_completion import _date
from qualify.oversight.services import reminders_send


class Command(BaseCommand):
    help = "Remind people of non-completion steps that are due soon or overdue (in-app and e-mail, once each)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", type=_date, default=None, help="Run as on this UK day; default: today.")

    def handle(self, *args: Any, **options: Any) -> None:
        today: dt.date = options["date"] or clock.today()
        sent = reminders_send(today=today)
        self.stdout.write(
            f"{today:%Y-%m-%d}: {sent[ch.NOTICE_DUE_SOON]} due-soon reminder(s), "
            f"{sent[ch.NOTICE_OVERDUE]} overdue reminder(s) sent"
        )
