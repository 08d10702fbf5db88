"""Settings of a real ``db_worker`` process started by the worker tests (``test_worker_pg.py``): the test settings
with production's database task backend, on the test database (``DATABASE_URL``) and the test process's media and
work folders (from the environment)."""

from __future__ import annotations

import os
from pathlib import Path

from config.settings.test import *  # noqa: F403  (settings modules layer on one another by design)

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
MEDIA_ROOT = Path(os.environ["QUALIFY_TEST_MEDIA_ROOT"])
QUALIFY_JOB_WORK_DIR = os.environ["QUALIFY_TEST_JOB_WORK_DIR"]
# Holds a run at its first progress report, so a test can kill the worker mid-job.
QUALIFY_JOB_TEST_PAUSE_SECONDS = float(os.environ.get("QUALIFY_TEST_JOB_PAUSE", "0"))
