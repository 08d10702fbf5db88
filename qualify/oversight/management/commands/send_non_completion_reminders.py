"""Remind whoever takes each open non-completion step that it is due soon or overdue (each reminder sent once)."""

from __future__ import annotations

import datetime as dt

from qualify.core.daily import DailyCommand
from qualify.oversight import choices as ch
from qualify.oversight.services import reminders_send


class Command(DailyCommand):
    help = "Remind people of non-completion steps that are due soon or overdue (in-app and e-mail, once each)."

    def run(self, today: dt.date) -> str:
        sent = reminders_send(today=today)
        return f"{sent[ch.NOTICE_DUE_SOON]} due-soon reminder(s), {sent[ch.NOTICE_OVERDUE]} overdue reminder(s) sent"
