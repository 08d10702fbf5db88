"""Production: PostgreSQL from DATABASE_URL, secrets from the environment or *_FILE, HTTPS everywhere."""

from __future__ import annotations

from typing import Any

from config import env

from .base import *  # noqa: F403  (settings modules layer on one another by design)

DEBUG = False
SECRET_KEY = env.string("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.string_list("ALLOWED_HOSTS", [])
# The audit chain's key (base.py): required, and long enough not to be guessed.
QUALIFY_AUDIT_KEY = env.secret("QUALIFY_AUDIT_KEY", min_length=32)

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.boolean("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env.integer("SECURE_HSTS_SECONDS", 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
# A persistent connection is checked with a `SELECT 1` round trip before each request's first query. That keeps a
# connection the database dropped (restart, idle timeout) from failing one request, at the price of a round trip on
# every request; set false where the database is steady and latency matters (bench/register_load.py reports both).
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.boolean("DATABASE_CONN_HEALTH_CHECKS", True)  # noqa: F405

# Outermost, so that it sees the whole first request through before it freezes what start-up left alive.
MIDDLEWARE = ["qualify.core.middleware.FreezeStartupObjectsMiddleware", *MIDDLEWARE]  # noqa: F405

SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True

EMAIL_BACKEND = env.string("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env.string("EMAIL_HOST", "localhost")
EMAIL_PORT = env.integer("EMAIL_PORT", 25)
EMAIL_HOST_USER = env.string("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env.string("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env.boolean("EMAIL_USE_TLS", True)

# QAD evidence in S3-compatible object storage (django-storages) when a bucket is named; local disk otherwise.
QUALIFY_S3_BUCKET = env.string("QUALIFY_S3_BUCKET", "")
if QUALIFY_S3_BUCKET:
    _EVIDENCE_STORAGE: Any = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": QUALIFY_S3_BUCKET,
            "endpoint_url": env.string("QUALIFY_S3_ENDPOINT_URL", "") or None,
            "region_name": env.string("QUALIFY_S3_REGION", "") or None,
            "access_key": env.string("QUALIFY_S3_ACCESS_KEY_ID", "") or None,
            "secret_key": env.string("QUALIFY_S3_SECRET_ACCESS_KEY", "") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
    STORAGES = {**STORAGES, "default": _EVIDENCE_STORAGE}  # noqa: F405
