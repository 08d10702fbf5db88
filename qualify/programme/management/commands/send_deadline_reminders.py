"""Send the daily wave-deadline notices: a week before, the day before, and the day after a missed deadline.

Run daily from cron; safe to run again. Each notice is recorded against its case, deadline kind and due date, so a
second run the same day sends nothing more, while a deadline that moves earns notices of its own.
"""

from __future__ import annotations

import datetime as dt

from qualify.core.daily import DailyCommand
from qualify.programme.choices import DeadlineNotice
from qualify.programme.services import deadline_reminders_send


class Command(DailyCommand):
    help = "Remind case leads of wave deadlines a week and a day ahead, and tell them of a missed one (once each)."

    def run(self, today: dt.date) -> str:
        sent = deadline_reminders_send(today=today)
        return (
            f"{sent[DeadlineNotice.WEEK_BEFORE]} week-ahead, {sent[DeadlineNotice.DAY_BEFORE]} "
            f"day-ahead and {sent[DeadlineNotice.MISSED]} missed-deadline notice(s) sent"
        )
