"""Send the daily query reminders: due soon and overdue to the participant, an overdue reply to the reviewer.

Run daily from cron; safe to run again. Each reminder is recorded against its query, kind and due date, so a second
run the same day (or any later day) sends nothing more for it, while a follow-up with a new due date earns new ones.
"""

from __future__ import annotations

import datetime as dt

from qualify.assessment import choices as ch
from qualify.assessment.services import reminders_send
from qualify.core.daily import DailyCommand


class Command(DailyCommand):
    help = "Remind people of assessment queries that are due soon or overdue (each reminder is sent once)."

    def run(self, today: dt.date) -> str:
        sent = reminders_send(today=today)
        soon = sent.get(ch.NOTICE_QUERY_DUE_SOON, 0)
        overdue = sent.get(ch.NOTICE_QUERY_OVERDUE, 0)
        return f"{soon} due-soon reminder(s), {overdue} overdue reminder(s) sent"
