"""Settings of a real ``db_worker`` process started by ``test_worker_pg.py``: the test settings with production's
database task backend, on the test database (``DATABASE_URL``), a one-second sender lease, and a pause before each
post (``QUALIFY_TEST_WEBHOOK_PAUSE``) so the test can kill the worker between the commit and the send."""

from __future__ import annotations

import os

from config.settings.test import *  # noqa: F403  (settings modules layer on one another by design)

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
QUALIFY_WEBHOOK_LEASE_SECONDS = 1
QUALIFY_WEBHOOK_TEST_PAUSE_SECONDS = float(os.environ.get("QUALIFY_TEST_WEBHOOK_PAUSE", "0"))
