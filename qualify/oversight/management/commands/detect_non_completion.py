"""Open non-completion records (QA&P Annex 4) for the plan's new misses. Run daily from cron; safe to run again."""

from __future__ import annotations

import datetime as dt

from qualify.core.daily import DailyCommand
from qualify.oversight.services import records_detect


class Command(DailyCommand):
    help = "Detect missed wave deadlines, QAD submissions and M14, opening one non-completion record per case."

    def run(self, today: dt.date) -> str:
        found = records_detect(today=today)
        return f"{len(found.opened)} record(s) opened, {found.added} miss(es) added to open records"
