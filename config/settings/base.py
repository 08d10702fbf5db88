"""Settings shared by every environment. Environment-specific files import this and override."""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF

from config import env
from qualify.core.roles import HUMAN_STAFF_ROLES, MACHINE_ROLES, MembershipRole, StaffRole

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
    "django.contrib.humanize",  # allauth's security-key and session lists say "3 minutes ago"
    "django_htmx",
    "ninja",  # serves the Swagger UI assets locally (no CDN)
    "axes",
    # Before django_tasks_db: its db_worker command is qualify.core's (recovers abandoned jobs at start-up).
    "qualify.core",
    "django_tasks",
    "django_tasks_db",
    "qualify.audit",
    "qualify.notifications",
    "qualify.webhooks",
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
    "qualify.dip",
    "qualify.changes",
    "qualify.search",
    "qualify.demo",
    # Sign-in, second factors and the list of one's sessions (django-allauth; docs/architecture.md "Identity"),
    # after qualify.accounts, whose templates give its pages the site's layout.
    # socialaccount and its OpenID Connect provider are installed for single sign-on, configured separately.
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A NUL or other control character in the path, query or form body is a 400 before anything else reads it.
    "qualify.core.middleware.RefuseControlCharactersMiddleware",
    # A service's NotFound that leaves an HTML view is the 404 page, a bad list filter a 400 (the API has handlers).
    # It only has process_exception, which Django calls wherever it stands; here it leaves the hot read's list alone.
    "qualify.core.middleware.ErrorPagesMiddleware",
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
    "allauth.account.middleware.AccountMiddleware",
    # Keeps each signed-in session's address, browser and "last seen" (allauth.usersessions) up to date, writing at
    # most every five minutes, where allauth's own UserSessionsMiddleware would write on every request.
    "qualify.accounts.middleware.SessionActivityMiddleware",
    # A person whose role requires a second factor and who has none is sent to enrol before anything else.
    "qualify.accounts.middleware.MandatoryMfaMiddleware",
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
    "qualify.accounts.backends.PeopleBackend",  # ModelBackend, refusing machine clients (no sign-in, no session)
    "qualify.core.backends.StaffReadOnlyBackend",  # is_staff people may read (never change) records in the admin
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

# --- Sign-in through django-allauth (docs/architecture.md "Identity") ------------------------------------------------
# People sign in with their e-mail address and password, then a second factor when they have one. Accounts are made by
# administrators and onboarding invitations, never by sign-up (the adapter closes it); the addresses are the ones
# those administrators entered, so allauth's e-mail verification is off and a second factor may be added without it.
ACCOUNT_ADAPTER = "qualify.accounts.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[qualify] "
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False  # a reset asked for an unknown address sends nothing (no mail to strangers)
# Failed sign-ins are counted and locked out by django-axes (below), one mechanism with one lock-out page; allauth's own
# failed-login limit would refuse the same attempts with a different message first.
ACCOUNT_RATE_LIMITS = {"login_failed": ""}
# A sensitive step (a board decision, a QAD sign-off, a new API token, a revocation) needs a sign-in or second factor
# this recent (seconds); otherwise the person confirms again first (qualify/accounts/reauth.py).
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
MFA_ADAPTER = "qualify.accounts.adapters.MfaAdapter"
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_ALLOW_UNVERIFIED_EMAIL = True  # the addresses come from administrators (above)
MFA_TOTP_ISSUER = "qualify"
# Security keys are a second factor after the password, not a password replacement: a passkey sign-in would skip the
# password lock-out and the per-role rules, for little gain to people who sign in a few times a week.
MFA_PASSKEY_LOGIN_ENABLED = False
MFA_PASSKEY_SIGNUP_ENABLED = False
USERSESSIONS_TRACK_ACTIVITY = True  # the sessions page shows "last seen" (kept by SessionActivityMiddleware)

# Single sign-on (issue 16): allauth's OpenID Connect apps are the identity providers a programme administrator
# configures (accounts.IdentityProvider); the adapter admits only existing people of the provider's e-mail domains and
# never creates an account. Passwords stay available to everyone.
SOCIALACCOUNT_ADAPTER = "qualify.accounts.sso.QualifySocialAccountAdapter"
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # accounts.sso links by e-mail itself, under its own rules
SOCIALACCOUNT_STORE_TOKENS = False  # the provider's tokens are needed only to sign in
SOCIALACCOUNT_REQUESTS_TIMEOUT = 10  # seconds for each call to a provider (discovery, token, keys, userinfo)

# Failed-login throttling: five failures for one e-mail from one address lock that pair out for 15 minutes.
AXES_FAILURE_LIMIT = env.integer("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
# allauth's sign-in form names the address "login" and hands it to the backends as "email"; the admin's form names it
# "username": one callable reads whichever is there, lower-cased (qualify/accounts/backends.py).
AXES_USERNAME_CALLABLE = "qualify.accounts.backends.axes_username"

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
CSRF_FAILURE_VIEW = "qualify.core.views.csrf_failure"  # the site's own 403 page (JSON under /api/)
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

FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # Django's default, stated: larger files go to a temporary file on disk
# Where those temporary copies go (the system's temporary folder when unset). Set it to a folder of qualify's own and
# `sweep_orphan_files` also removes copies a killed upload left there (qualify/core/storedfiles.py).
FILE_UPLOAD_TEMP_DIR = env.string("QUALIFY_UPLOAD_TEMP_DIR", "") or None

# --- The platform's own settings (CONTRIBUTING and docs/deployment.md list them) --------------------------------------
# Each is read from the environment here and only here; the apps read ``settings.QUALIFY_…`` and keep no default of
# their own, so a value set for a machine reaches every place that uses it.

# The address people reach the platform at, in front of every link in an e-mail (notices, invitations). Required in
# production: ``check --deploy`` fails without it (qualify/core/checks.py); bin/start serves on 127.0.0.1:8000.
QUALIFY_SITE_URL = env.string("QUALIFY_SITE_URL", "")
# The WebAuthn relying party: security keys are bound to this host name. Empty: the host of QUALIFY_SITE_URL, or when
# that is unset the host the request came to (development). Changing it makes every enrolled security key unusable.
QUALIFY_WEBAUTHN_RP_ID = env.string("QUALIFY_WEBAUTHN_RP_ID", "")

# Who must use a second factor (issue 16): staff roles (StaffRole values) and participant membership roles
# (MembershipRole values). Default: every human staff role (qualify.core.roles.HUMAN_STAFF_ROLES) and participants'
# qualification leads. A signed-in person holding one of them without a second factor is walked through enrolment
# before any other page (qualify/accounts/middleware.py). "none": a second factor is optional for everyone.
QUALIFY_MFA_REQUIRED_ROLES = env.choice_list(
    "QUALIFY_MFA_REQUIRED_ROLES",
    [*sorted(str(role) for role in HUMAN_STAFF_ROLES), MembershipRole.LEAD.value],
    allowed=[role.value for role in (*StaffRole, *MembershipRole) if role.value and role not in MACHINE_ROLES],
)

# Upload limits. QAD evidence (issue 3): checked while the upload streams in; uploads are always spooled to disk (never
# held in memory) and evidence is served only through a guarded view, never from MEDIA_URL. A gating job's events file
# (CSV or Parquet).
QUALIFY_EVIDENCE_MAX_BYTES = env.integer("QUALIFY_EVIDENCE_MAX_BYTES", 250 * 1024 * 1024, minimum=1)
QUALIFY_GATING_MAX_BYTES = env.integer("QUALIFY_GATING_MAX_BYTES", 3 * 1024**3, minimum=1)

# Invitation links: how many days an invitation to declare on a Final QAD (issue 11) and an invitation to an
# organisation's first account work before they must be sent again.
QUALIFY_DECLARATION_INVITATION_DAYS = env.integer("QUALIFY_DECLARATION_INVITATION_DAYS", 14, minimum=1)
QUALIFY_INVITATION_DAYS = env.integer("QUALIFY_INVITATION_DAYS", 7, minimum=1)

# The register (issue 11): an event taking effect more than this many days before the day it is recorded is
# back-dated, needs a reason and is flagged in the change feed.
QUALIFY_REGISTER_BACKDATE_DAYS = env.integer("QUALIFY_REGISTER_BACKDATE_DAYS", 5, minimum=0)

# Background jobs (qualify/core/jobs.py): where a running job keeps its temporary files on the worker's machine;
# empty: <system temp>/qualify-jobs.
QUALIFY_JOB_WORK_DIR = env.string("QUALIFY_JOB_WORK_DIR", "")
# A test hook, never set in production: the worker tests hold a run at its first progress report to kill it mid-job.
QUALIFY_JOB_TEST_PAUSE_SECONDS = 0.0
# Webhooks (qualify/webhooks): endpoints must be https:// and public unless ALLOW_PRIVATE (on in local development and
# tests: http:// and loopback); each network step's timeout; tries before a delivery is failed; the first retry's
# wait (doubling each time); how long a sender's lease on a subscription lasts before the sweep replaces it.
QUALIFY_WEBHOOK_ALLOW_PRIVATE = env.boolean("QUALIFY_WEBHOOK_ALLOW_PRIVATE", False)
QUALIFY_WEBHOOK_TIMEOUT_SECONDS = env.integer("QUALIFY_WEBHOOK_TIMEOUT_SECONDS", 5, minimum=1)
QUALIFY_WEBHOOK_MAX_ATTEMPTS = env.integer("QUALIFY_WEBHOOK_MAX_ATTEMPTS", 8, minimum=1)
QUALIFY_WEBHOOK_BACKOFF_SECONDS = env.integer("QUALIFY_WEBHOOK_BACKOFF_SECONDS", 30, minimum=1)
QUALIFY_WEBHOOK_LEASE_SECONDS = env.integer("QUALIFY_WEBHOOK_LEASE_SECONDS", 60, minimum=1)
# A test hook, never set in production: the worker tests hold a sender before each post to kill it there.
QUALIFY_WEBHOOK_TEST_PAUSE_SECONDS = 0.0
# CSV imports (register, milestones, bulk case set-up): the most data rows one file may hold; a larger file is refused
# as a whole (split it). Large enough for the whole register's history; a refused file's error lists 50 problems.
QUALIFY_IMPORT_MAX_ROWS = env.integer("QUALIFY_IMPORT_MAX_ROWS", 500_000, minimum=1)

# The audit chain (issue 14). Its events are hashed with this key (HMAC-SHA256), which lives outside the database
# (a secret store, given as QUALIFY_AUDIT_KEY or QUALIFY_AUDIT_KEY_FILE): whoever can write to the database cannot
# re-hash the chain without it. Production refuses to start without one; changing it breaks verification of every
# event hashed with the old one. ``manage.py audit_checkpoint`` appends signed checkpoints of the chain's head to a
# file in QUALIFY_AUDIT_CHECKPOINT_DIR, which belongs on storage the database's administrators cannot rewrite.
QUALIFY_AUDIT_KEY = env.string("QUALIFY_AUDIT_KEY", "")
QUALIFY_AUDIT_CHECKPOINT_DIR = Path(env.string("QUALIFY_AUDIT_CHECKPOINT_DIR", str(VAR_DIR / "audit-checkpoints")))

# API throttling (issue 14): per token (or signed-in person), per scope of expensive operations (config/api.py lists
# them). Over the rate the API answers 429 with Retry-After; a rate of "off" turns a scope off.
QUALIFY_API_THROTTLE_RATES = {
    "decide": env.rate("QUALIFY_API_THROTTLE_DECIDE", "120/min"),  # gating decisions and gating jobs
    "import": env.rate("QUALIFY_API_THROTTLE_IMPORT", "20/min"),  # register, onboarding, catalogue and results imports
    "export": env.rate("QUALIFY_API_THROTTLE_EXPORT", "60/min"),  # CSV, Excel, Word and PDF exports
    "upload": env.rate("QUALIFY_API_THROTTLE_UPLOAD", "60/min"),  # evidence uploads
}

# The assessment clocks (calendar days): a participant's answer to a query, the assessor's review of that answer, the
# review of a submitted QAD, the work-off plans after a rejection, and how near a due date counts as "due soon".
QUALIFY_QUERY_RESPONSE_DAYS = env.integer("QUALIFY_QUERY_RESPONSE_DAYS", 10, minimum=1)
QUALIFY_QUERY_REVIEW_DAYS = env.integer("QUALIFY_QUERY_REVIEW_DAYS", 5, minimum=1)
QUALIFY_REVIEW_DAYS = env.integer("QUALIFY_REVIEW_DAYS", 20, minimum=1)
QUALIFY_REJECTION_PLAN_DAYS = env.integer("QUALIFY_REJECTION_PLAN_DAYS", 20, minimum=1)
QUALIFY_QUERY_DUE_SOON_DAYS = env.integer("QUALIFY_QUERY_DUE_SOON_DAYS", 2, minimum=0)

# Back-scheduling (oversight): days between one kind of wave deadline and the next, for the stages given, e.g.
# "INITIAL_QAD=40,QT_START=90"; the stages not given keep the demo plan's spacing (qualify/oversight/backschedule.py).
QUALIFY_BACKSCHEDULE_DAYS = env.integer_map("QUALIFY_BACKSCHEDULE_DAYS")
# --- end of the platform's own settings -------------------------------------------------------------------------------

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
