"""Settings shared by every environment. Environment-specific files import this and override."""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF

from config import env

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env.string("QUALIFY_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = False
SECRET_KEY = env.string("DJANGO_SECRET_KEY", "")
ALLOWED_HOSTS = env.string_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.string_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",  # serves the Swagger UI assets locally (no CDN)
    "axes",
    "django_tasks",
    "django_tasks_db",
    "qualify.core",
    "qualify.audit",
    "qualify.notifications",
    "qualify.accounts",
    "qualify.participants",
    "qualify.plan",
    "qualify.library",
    "qualify.register",
    "qualify.cases",
    "qualify.qad",
    "qualify.programme",
    "qualify.testing",
    "qualify.assessment",
    "qualify.gating",
    "qualify.reporting",
    "qualify.oversight",
    "qualify.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "qualify.core.middleware.RequestIdMiddleware",
    # The register's hot read answers its common case here, ahead of the rest (qualify/register/hot.py).
    "qualify.register.hot.HotReadMiddleware",
    # The Content-Security-Policy header on every response (CONTENT_SECURITY_POLICY below; the hot read sets its own).
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "qualify" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "qualify.core.context_processors.actor",
                "qualify.notifications.context_processors.unread_notifications",
                "csp.context_processors.nonce",  # CSP_NONCE, for an inline <script> that cannot be a static file
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env.database_url(f"sqlite:///{VAR_DIR / 'qualify.sqlite3'}"),
        conn_max_age=env.integer("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets the web process read while the task worker writes; IMMEDIATE avoids lock upgrades mid-transaction.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # must be first: refuses locked-out credentials before checking them
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "cases:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Failed-login throttling: five failures for one e-mail from one address lock that pair out for 15 minutes.
AXES_FAILURE_LIMIT = env.integer("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"  # market deadlines are UK local time; storage is UTC
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = Path(env.string("QUALIFY_MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

EMAIL_BACKEND = env.string("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.string("DEFAULT_FROM_EMAIL", "qualify@localhost")

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

NINJA_PAGINATION_PER_PAGE = 50
# Every limit/offset list endpoint answers at most this many items at a time (a larger limit is a 422 naming the
# bound); without it one request could ask for a whole table.
NINJA_PAGINATION_MAX_LIMIT = 200

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.string("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# QAD evidence (issue 3): the largest evidence file accepted, checked while the upload streams in. Uploads are always
# spooled to disk (never held in memory), and evidence is served only through a guarded view, never from MEDIA_URL.
QUALIFY_EVIDENCE_MAX_BYTES = env.integer("QUALIFY_EVIDENCE_MAX_BYTES", 250 * 1024 * 1024, minimum=1)
# The director's declaration (issue 11): how many days an invitation link works before the lead must send it again.
QUALIFY_DECLARATION_INVITATION_DAYS = env.integer("QUALIFY_DECLARATION_INVITATION_DAYS", 14, minimum=1)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # Django's default, stated: larger files go to a temporary file on disk

# The register (issue 11): an event taking effect more than this many days before the day it is recorded is
# back-dated, needs a reason and is flagged in the change feed.
QUALIFY_REGISTER_BACKDATE_DAYS = env.integer("QUALIFY_REGISTER_BACKDATE_DAYS", 5, minimum=0)

# The address people reach the platform at, put in front of the links in e-mails (notices, invitations to declare)
# that are not sent from a request; without it those links stay site paths.
QUALIFY_SITE_URL = env.string("QUALIFY_SITE_URL", "")

# --- Content-Security-Policy (django-csp; issue 14) -----------------------------------------------------------------
# Everything the pages load comes from this site: scripts only from static files (or an inline <script> carrying
# nonce="{{ CSP_NONCE }}"), styles only from stylesheets (no style="" attributes, no <style> blocks), no plugins, no
# framing, and forms post only back here. Images may also be data: URIs (the API's Swagger page draws its icons so).
# htmx runs under it: base.html turns off its injected indicator <style> and its eval (no hx-on, no js: values).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
