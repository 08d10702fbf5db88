"""``manage.py db_worker``: django-tasks-db's worker, which first recovers the jobs a previous worker left behind.

Before taking its first task the worker runs the job recovery (``core.jobs.jobs_recover``): a job still marked
running by a worker with this ``--worker-id`` is retried or failed at once (worker ids are unique in the pool, so
that run died with its process), and so is any job whose heartbeat is stale. Give each worker a fixed
``--worker-id`` (e.g. ``worker-1``) so that a restarted worker recovers its own jobs without waiting for the
heartbeat to go stale. This command replaces django-tasks-db's own (``qualify.core`` is listed before it in
``INSTALLED_APPS``); everything else is that command's.
"""

from __future__ import annotations

import logging
from typing import Any

from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from qualify.core.jobs import jobs_recover
from qualify.core.text import error_text

logger = logging.getLogger("qualify.core.jobs")


class Command(DatabaseWorkerCommand):
    help = "Run a database background worker, after recovering jobs whose worker is gone."

    def handle(self, **options: Any) -> None:
        try:
            recovery = jobs_recover(worker_id=options.get("worker_id") or "")
        except Exception as error:  # a recovery problem must not keep the worker from starting
            logger.error("job recovery at worker start-up failed: %s", error_text(error))
        else:
            if recovery.retried or recovery.failed or recovery.removed:
                logger.warning(
                    "worker start-up: %d job(s) queued again, %d failed, %d work folder(s) removed",
                    len(recovery.retried),
                    len(recovery.failed),
                    len(recovery.removed),
                )
        super().handle(**options)
