"""Settings of bench/webhooks_fanout.py and its workers: the test settings with the database task backend (as in
production), plain-HTTP loopback receivers allowed, and the production timeouts; never used by the product."""

from config.settings.test import *  # noqa: F403  (settings modules layer on one another by design)

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
QUALIFY_WEBHOOK_ALLOW_PRIVATE = True
QUALIFY_WEBHOOK_TIMEOUT_SECONDS = 5
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
