"""``manage.py recover_jobs``: retry or fail background jobs whose worker is gone, and remove their temporary files.

Schedule it (e.g. every five minutes, from cron or a systemd timer) beside the ``db_worker`` processes; each worker
also runs it once when it starts. See ``qualify/core/jobs.py``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from qualify.core.jobs import STALE_AFTER, Recovery, jobs_recover


class Command(BaseCommand):
    help = (
        "Queue again (or fail, after too many attempts) every running background job whose heartbeat is older than "
        "--stale-after seconds, and remove leftover temporary files of finished or abandoned jobs."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--stale-after",
            type=float,
            default=STALE_AFTER.total_seconds(),
            help="Seconds without a heartbeat after which a running job's worker is taken to be gone "
            "(default: %(default)s).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        recovery = jobs_recover(stale_after=dt.timedelta(seconds=max(0.0, options["stale_after"])))
        report_recovery(self, recovery)


def report_recovery(command: BaseCommand, recovery: Recovery) -> None:
    for label in recovery.retried:
        command.stdout.write(f"queued again: {label}")
    for label in recovery.failed:
        command.stdout.write(f"failed (too many attempts): {label}")
    command.stdout.write(
        f"{len(recovery.retried)} job(s) queued again, {len(recovery.failed)} failed, "
        f"{len(recovery.removed)} leftover work folder(s) removed."
    )
