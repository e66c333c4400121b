"""Settings for the dispatch coverage portal.

One module, driven by the environment (django-environ). Production differs from a
developer's machine only through environment variables; see .env.example.
"""

from __future__ import annotations

import importlib.util
import sys
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from portal import base_url, error_reporting, logs, queues

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

# Under the test runner the test client speaks plain HTTP and passwords hash fast;
# everything else stays as production would have it.
TESTING = "pytest" in sys.modules or sys.argv[1:2] == ["test"]

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.str(
    "DJANGO_SECRET_KEY",
    # Only good for a developer's machine: `check --deploy` flags this value.
    default="django-insecure-dev-only-key-change-me-3b1f6c0e9d2a4f7e8c5b",
)
ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "portal",
    "policies",
    "coverage",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "ninja",
    "csp",
    "django_tasks",
    "django_tasks_db",
    # Accounts (see "Sign-in security" below).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
]

MIDDLEWARE = [
    "portal.request_ids.RequestIdMiddleware",
    # Just inside the request id: times everything else, logs the access line and
    # observes the latency histogram (portal/request_log.py).
    "portal.request_log.AccessLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "portal.two_factor.SecondFactorMiddleware",
    "portal.local_time.LocalTimeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "portal.api_edges.ApiEdgeMiddleware",
    "portal.idempotency.IdempotencyMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "portal.context_processors.navigation",
            ],
        },
    }
]

# SQLite in the project folder is the zero-setup default for trying the portal;
# PostgreSQL (psycopg 3) is the real database whenever DATABASE_URL names it.
# An empty DATABASE_URL (a blank line in an .env file, `DATABASE_URL= make run`) means
# unset, not "a database with no engine".
DATABASES = {
    "default": env.db_url_config(
        env.str("DATABASE_URL", default="") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault(
        "CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60)
    )
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Parameters stay bound by psycopg on the client (Django's default). Binding on
    # the server would let PostgreSQL keep prepared statements (the board and the
    # write path 5-10 % faster, measured), but it caps a statement at 65,535
    # parameters, and Django splits neither an IN list nor a prefetch for
    # PostgreSQL: a month's reconciliation (280,000 dispatch ids) failed with it.
    # tests/portal/test_settings.py holds the line.
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for the write lock instead of failing at once when the worker and the
    # server write together.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("timeout", 20)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "portal.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sign-in security (issue 14). django-axes counts failed sign-ins in the database
# (so every web host sees the same count) and locks the username after
# AXES_FAILURE_LIMIT of them for AXES_COOLOFF_TIME; a success resets the count.
# Support unlocks early in the admin (Axes → Access attempts: delete the row).
# Locked by username (guesses spread over many addresses still count) or by one
# client, address and browser together (one client trying many usernames); not by
# address alone, so one office behind one address is not locked out by one user.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # The user loads with their platform (and so its time zone): one query per request.
    "portal.local_time.UserWithPlatformBackend",
]
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
# Lockouts are logged as warnings; its per-request INFO lines would only be noise.
AXES_VERBOSE = False
AXES_FAILURE_LIMIT = env.int("DJANGO_LOGIN_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = timedelta(
    minutes=env.int("DJANGO_LOGIN_LOCKOUT_MINUTES", default=30)
)
AXES_LOCKOUT_PARAMETERS = ["username", ["ip_address", "user_agent"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "portal.lockout.lockout_response"
# Second factor (django-otp, TOTP): required for support and underwriters, who see
# and change everything; a dispatcher may turn it on (then it is required for them
# too). portal.two_factor.SecondFactorMiddleware sends an unverified session to the
# setup or verify page. The issuer is what authenticator apps show.
OTP_TOTP_ISSUER = env.str("DJANGO_OTP_ISSUER", default="Dispatch Coverage")
# Password reset links (Django's own views) are valid this long.
PASSWORD_RESET_TIMEOUT = 60 * 60 * 3

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["portal.formats"]

STATIC_URL = "static/"
# Where `collectstatic` gathers the hashed, compressed files served with debug off.
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / "media")
# Uploaded and generated files (certificate PDFs) go through Django's storage API:
# the local media folder by default ("files"); on several hosts a private S3-compatible
# bucket ("s3", portal/s3.py, the `s3` extra), e.g. DJANGO_STORAGE_BACKEND=s3 and
# DJANGO_STORAGE_OPTIONS='{"bucket_name": "coi", "endpoint_url": "https://…"}'; or
# any storage's dotted path (see README, "Production"). Files are served through
# views, never by URL.
STORAGE_BACKENDS = {
    "files": "django.core.files.storage.FileSystemStorage",
    "s3": "portal.s3.PrivateS3Storage",
}
STORAGE_BACKEND = env.str("DJANGO_STORAGE_BACKEND", default="") or "files"
STORAGES = {
    "default": {
        "BACKEND": STORAGE_BACKENDS.get(STORAGE_BACKEND, STORAGE_BACKEND),
        "OPTIONS": env.json("DJANGO_STORAGE_OPTIONS", default={}),
    },
    "staticfiles": {
        # The manifest needs `collectstatic`; tests and `make run` serve from the
        # finders (WHITENOISE_USE_FINDERS) so they need no build step.
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not (DEBUG or TESTING)
        else "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING

# The portal's public address. Certificate PDFs print their verification URL on it
# and the API's certificate links use it; both are made where no request is at hand
# (background tasks, events). Unset, it is the address runserver was started on.
PORTAL_BASE_URL = env.str(
    "DJANGO_BASE_URL", default=base_url.from_command_line(sys.argv)
)

# Background work goes on a queue by kind (portal.queues: renders, webhooks, email,
# default), each with workers of its own. DJANGO_TASKS_BACKEND picks the engine:
# "database" (the default; `manage.py db_worker`, the task row written in the writing
# transaction) or "rq" (Redis at DJANGO_TASKS_REDIS_URL, `manage.py rqworker`; needs the
# "rq" extra). Tests run tasks immediately. README: Background work.
TASK_QUEUES = list(queues.ALL)
TASKS_BACKEND = env.str("DJANGO_TASKS_BACKEND", default="database")
TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "rq": "django_tasks_rq.RQBackend",
}
if TASKS_BACKEND not in TASK_BACKENDS:
    raise ImproperlyConfigured(
        f"DJANGO_TASKS_BACKEND must be one of {', '.join(TASK_BACKENDS)}, "
        f"not {TASKS_BACKEND!r}"
    )
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
        if TESTING
        else TASK_BACKENDS[TASKS_BACKEND],
        "QUEUES": TASK_QUEUES,
    }
}
if TASKS_BACKEND == "rq":
    TASKS_REDIS_URL = env.str("DJANGO_TASKS_REDIS_URL", default="")
    if not TASKS_REDIS_URL:
        raise ImproperlyConfigured(
            "DJANGO_TASKS_BACKEND=rq needs DJANGO_TASKS_REDIS_URL "
            "(e.g. redis://127.0.0.1:6379/0)"
        )
    if importlib.util.find_spec("django_tasks_rq") is None:
        raise ImproperlyConfigured(
            "DJANGO_TASKS_BACKEND=rq needs the rq extra: pip install '.[rq]' "
            "(requirements.lock has it)"
        )
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    RQ_QUEUES = {
        # A render of many certificates may take a while; nothing takes 10 minutes.
        name: {"URL": TASKS_REDIS_URL, "DEFAULT_TIMEOUT": 600}
        for name in TASK_QUEUES
    }
    RQ = {
        # portal.outbox enqueues after the commit itself; RQ must not delay it again.
        "COMMIT_MODE": "auto",
        # `manage.py rqworker` runs django-tasks' jobs without --job-class.
        "JOB_CLASS": "django_tasks_rq.Job",
    }

# E-mail to contractors (coverage.notices): EMAIL_URL, e.g.
# smtp+tls://user:password@smtp.example.com:587; the console in debug (make run).
EMAIL_CONFIG = env.email_url(
    "EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25"
)
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="coverage@localhost")

# Premium collection (coverage.payments): "sandbox" (test cards, no network) or
# "stripe". Debug (make run) and tests use the sandbox; anywhere else it must be said,
# so a production deployment never silently takes fake payments.
PAYMENT_PROCESSORS = ("sandbox", "stripe")
PAYMENT_PROCESSOR = env.str(
    "DJANGO_PAYMENT_PROCESSOR", default="sandbox" if (DEBUG or TESTING) else ""
)
if PAYMENT_PROCESSOR not in PAYMENT_PROCESSORS:
    raise ImproperlyConfigured(
        "Set DJANGO_PAYMENT_PROCESSOR to one of "
        + ", ".join(PAYMENT_PROCESSORS)
        + f" (got {PAYMENT_PROCESSOR!r}); with debug off it has no default."
    )
# Stripe (DJANGO_PAYMENT_PROCESSOR=stripe): the secret key; STRIPE_API_BASE only to
# point the library at a stand-in (tests); the library's own retries.
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
# The hosted card page's Stripe Elements field (Stripe.js) loads with this key.
STRIPE_PUBLISHABLE_KEY = env.str("STRIPE_PUBLISHABLE_KEY", default="")
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="")
STRIPE_MAX_NETWORK_RETRIES = env.int("STRIPE_MAX_NETWORK_RETRIES", default=2)
if PAYMENT_PROCESSOR == "stripe" and not (STRIPE_SECRET_KEY and STRIPE_PUBLISHABLE_KEY):
    raise ImproperlyConfigured(
        "DJANGO_PAYMENT_PROCESSOR=stripe needs STRIPE_SECRET_KEY and "
        "STRIPE_PUBLISHABLE_KEY."
    )

# Secrets at rest (portal.encryption: contractors' tax ids). FIELD_ENCRYPTION_KEYS is a
# comma-separated list of Fernet keys, newest first: the first encrypts, all decrypt
# (rotate by prepending a key, `manage.py reencrypt_fields`, then dropping the old).
# Make one with: python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"
# Debug (make run) and tests fall back to a published key; anywhere else it must be
# set: `check --deploy` fails without it and reading or writing a tax id raises
# ImproperlyConfigured (commands that touch none, like makemigrations, still run).
DEV_FIELD_ENCRYPTION_KEY = "KNfFCnGs7_LymuwlXWwM00i24oOG2Eye2Xk_ZZbdNG0="
FIELD_ENCRYPTION_KEYS = env.list(
    "FIELD_ENCRYPTION_KEYS",
    default=[DEV_FIELD_ENCRYPTION_KEY] if (DEBUG or TESTING) else [],
)

# Webhook receivers (coverage.webhooks.targets): events go to public addresses only,
# checked at registration and again when connecting. A self-hosted installation
# whose receiver lives on its own network lists that host here (as written in the
# URL: a name or an address), e.g. DJANGO_WEBHOOK_ALLOWED_INTERNAL_HOSTS=hooks.lan,10.0.0.7
WEBHOOK_ALLOWED_INTERNAL_HOSTS = env.list(
    "DJANGO_WEBHOOK_ALLOWED_INTERNAL_HOSTS", default=[]
)

# HTTPS everywhere unless explicitly served on a trusted network (DJANGO_SECURE=0).
SECURE = env.bool("DJANGO_SECURE", default=not (DEBUG or TESTING))
SECURE_SSL_REDIRECT = SECURE
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_HSTS_SECONDS = 31_536_000 if SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# The portal's own pages load nothing from elsewhere and run no inline script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Secret keys read dcp_sk_test_… / dcp_sk_live_…: the SDKs tell test from live mode
# with the regex sk_(test|live)_.
API_KEY_PRODUCT_PREFIX = "dcp"
IDEMPOTENCY_TTL_HOURS = 24

# --- API rate limits (portal/rate_limits.py) -------------------------------------
# Requests per key per window, shared by every web host through the cache below:
# Redis when DJANGO_CACHE_REDIS_URL is set (e.g. redis://127.0.0.1:6379/1), else the
# database's cache table (`manage.py createcachetable`). 0 turns the limit off, which
# is the test suite's default: the rate-limit tests set their own.
API_RATE_LIMIT_REQUESTS = env.int(
    "API_RATE_LIMIT_REQUESTS", default=0 if TESTING else 600
)
API_RATE_LIMIT_WINDOW_SECONDS = env.int("API_RATE_LIMIT_WINDOW_SECONDS", default=60)
CACHE_REDIS_URL = env.str("DJANGO_CACHE_REDIS_URL", default="")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "rate_limits": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": CACHE_REDIS_URL,
        "KEY_PREFIX": "portal",
    }
    if CACHE_REDIS_URL
    else {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "portal_cache",
    },
}
# ---------------------------------------------------------------------------------

# --- Observability (README: Observability) --------------------------------------
# Logs: one JSON object per line (time, level, logger, message, request_id, task_id,
# the access line's method/path/route/status/duration_ms) for log shippers, the
# default with debug off; DJANGO_LOG_FORMAT=text is the short human form (make run).
LOG_FORMAT = env.str("DJANGO_LOG_FORMAT", default="text" if DEBUG else "json")
LOGGING_CONFIG = "portal.logs.configure"  # dictConfig, and Python warnings into it
LOGGING = logs.logging_settings(
    log_format=LOG_FORMAT, level=env.str("DJANGO_LOG_LEVEL", default="INFO")
)
# Prometheus metrics at /metrics (portal/metrics.py) for a scraper that sends
# "Authorization: Bearer <token>". Unset, the endpoint answers 404: it is off.
METRICS_TOKEN = env.str("DJANGO_METRICS_TOKEN", default="")
# Error reports to Sentry when SENTRY_DSN is set (portal/error_reporting.py: no
# personal data, no frame locals, keys and tax ids scrubbed). Errors only unless
# SENTRY_TRACES_SAMPLE_RATE asks for a share of requests traced too.
SENTRY_ENABLED = error_reporting.configure(
    dsn=env.str("SENTRY_DSN", default=""),
    environment=env.str("SENTRY_ENVIRONMENT", default="production"),
    release=env.str("SENTRY_RELEASE", default=""),
    traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
)
# ---------------------------------------------------------------------------------

# Background workers (portal.workers): each beats a heartbeat row this often, and a
# worker silent for longer than the staleness period counts as dead: its RUNNING
# tasks are re-queued by the others, and /healthz reports no live worker.
WORKER_HEARTBEAT_SECONDS = env.float("DJANGO_WORKER_HEARTBEAT_SECONDS", default=5.0)
WORKER_STALE_SECONDS = env.float("DJANGO_WORKER_STALE_SECONDS", default=15.0)

# Retention (coverage.services.retention, manage.py purge_records), in days.
RETENTION_TASK_RESULT_DAYS = env.int("DJANGO_RETENTION_TASK_RESULT_DAYS", default=14)
RETENTION_WEBHOOK_ATTEMPT_DAYS = env.int(
    "DJANGO_RETENTION_WEBHOOK_ATTEMPT_DAYS", default=30
)
RETENTION_APPLICATION_SESSION_DAYS = env.int(
    "DJANGO_RETENTION_APPLICATION_SESSION_DAYS", default=30
)
