"""The test suite: fast hashing, in-memory mail, tasks run at once, and the database from DATABASE_URL."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403  (settings modules layer on one another by design)
from .base import STORAGES

DEBUG = False
SECRET_KEY = "test-only-not-a-secret"
QUALIFY_AUDIT_KEY = "test-only-audit-key-not-a-secret"
QUALIFY_AUDIT_CHECKPOINT_DIR = Path(tempfile.mkdtemp(prefix="qualify-test-audit-checkpoints-"))
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="qualify-test-media-"))
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
AXES_ENABLED = True
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
STATIC_ROOT = Path(tempfile.mkdtemp(prefix="qualify-test-static-"))
# No API throttling in tests, except where a test turns a scope on (tests/test_api_throttling.py).
QUALIFY_API_THROTTLE_RATES = {"decide": "", "import": "", "export": "", "upload": ""}

# Concurrent runs (a developer's and a helper's, or two CI jobs) must not fight over one PostgreSQL test database.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": f"test_qualify_{os.getpid()}"}  # noqa: F405
    # A test database is thrown away: commits need not wait for the disk (the transactional and browser tests commit).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c synchronous_commit=off"  # noqa: F405
# A second factor is optional in tests, so the suite's force_login sessions reach every page; the identity tests turn
# the requirement on with override_settings (qualify/accounts/tests/test_mfa.py).
QUALIFY_MFA_REQUIRED_ROLES = []
# The browser journeys serve on http://127.0.0.1 / localhost: WebAuthn over plain HTTP is allowed here only.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True
