"""``manage.py webhooks_sweep``: start a sender for every webhook with deliveries due and no live sender.

Schedule it beside ``recover_jobs`` (e.g. every minute, from cron or a systemd timer). It is what sends the
deliveries a dead process left behind: a sender killed between the commit and the post (once its lease has lapsed),
a commit whose wake-up task was never queued, or a retry whose deferred task was lost. See
``qualify/webhooks/dispatch.py``.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from qualify.webhooks.dispatch import sweep


class Command(BaseCommand):
    help = "Queue a webhook sender for every subscription with due deliveries and no live sender."

    def handle(self, *args: Any, **options: Any) -> None:
        woken = sweep()
        self.stdout.write(f"{len(woken)} webhook sender(s) queued.")
