"""Development on a laptop: SQLite and local files by default, console e-mail, debug pages."""

from __future__ import annotations

import os

from config import env

from .base import *  # noqa: F403  (settings modules layer on one another by design)
from .base import STORAGES

DEBUG = env.boolean("DEBUG", True)  # bin/start sets it false: the demo shows the site's own error pages
SECRET_KEY = env.string("DJANGO_SECRET_KEY", "local-development-only-not-a-secret")
QUALIFY_AUDIT_KEY = env.string("QUALIFY_AUDIT_KEY", "local-development-only-audit-key-not-a-secret")
# Plain static storage: no collectstatic needed to run the development server.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
# WhiteNoise serves the static files straight from the apps, so they are served with DEBUG off too (bin/start).
WHITENOISE_USE_FINDERS = True
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
QUALIFY_SITE_URL = env.string("QUALIFY_SITE_URL", "http://127.0.0.1:8000")  # where bin/start serves it
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405  (WhiteNoise warns when the folder is missing)
# The demo's printed logins sign in with their password alone: a second factor is offered (Account → Two-factor
# authentication), not required. Setting QUALIFY_MFA_REQUIRED_ROLES (read in base.py) turns the rule on, as in
# production.
if "QUALIFY_MFA_REQUIRED_ROLES" not in os.environ:
    QUALIFY_MFA_REQUIRED_ROLES = []
