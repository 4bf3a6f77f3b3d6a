"""pamilu settings: one file, every value from the environment, parsed strictly.

With nothing set, pamilu runs on the embedded default: SQLite under var/ and Celery
with a filesystem broker (no Redis server). Production (DEBUG off) refuses to start
without SECRET_KEY.
"""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from pamilu.env import env_bool, env_database, env_int, env_list, env_redis, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("PAMILU_VAR_DIR") or BASE_DIR / "var")

DEBUG = env_bool("DEBUG", default=False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-only-key-set-SECRET_KEY-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "django_htmx",
    "csp",
    "accounts",
    "audit",
    "operations",
    "personnel",
    "reports",
    "summaries",
    "dashboard",
    "demo",
    "testbed",
    "pwa",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "pamilu.query_guard.QueryGuardMiddleware",
    # Degraded modes (pamilu.resilience): excess load and a lost database answer 503.
    "pamilu.resilience.ConcurrencyLimitMiddleware",
    "pamilu.resilience.DatabaseUnavailableMiddleware",
    # Pages travel compressed over a weak island link (Django pads against BREACH).
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "accounts.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.sessions.SessionLifetimeMiddleware",
    "accounts.middleware.UserTimezoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "pamilu.urls"
WSGI_APPLICATION = "pamilu.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "summaries.context_processors.notices",
                "reports.context_processors.returned_reports",
                "pwa.context_processors.offline",
            ],
        },
    },
]

DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env_int("DB_CONN_MAX_AGE", 0, minimum=0)
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Language and time: Bahasa Indonesia first, English available; stored in UTC,
# shown in the user's unit's zone (accounts.middleware).
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or VAR_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Security. Production defaults are strict; each can be relaxed explicitly.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
    if env_bool("BEHIND_TLS_PROXY", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Client address and sign-in throttle (accounts.signin). The address is REMOTE_ADDR unless
# pamilu runs behind reverse proxies: then TRUSTED_PROXY_COUNT says how many entries of
# X-Forwarded-For (from the right) were written by them; the rest is the client's say-so.
PAMILU_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)
PAMILU_SIGNIN_FAILURES_PER_ACCOUNT_ADDRESS = env_int(
    "SIGNIN_FAILURES_PER_ACCOUNT_ADDRESS", 5, minimum=1
)
PAMILU_SIGNIN_FAILURES_PER_ADDRESS = env_int("SIGNIN_FAILURES_PER_ADDRESS", 20, minimum=1)
PAMILU_SIGNIN_WINDOW_SECONDS = env_int("SIGNIN_WINDOW_SECONDS", 900, minimum=1)

# Sessions (accounts.sessions): idle limit, absolute lifetime, the wall-screen display session.
PAMILU_SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30, minimum=1)
PAMILU_SESSION_MAX_HOURS = env_int("SESSION_MAX_HOURS", 12, minimum=1)
PAMILU_DISPLAY_SESSION_HOURS = env_int("DISPLAY_SESSION_HOURS", 24, minimum=1)
SESSION_COOKIE_AGE = max(PAMILU_SESSION_MAX_HOURS, PAMILU_DISPLAY_SESSION_HOURS) * 3600

# Content-Security-Policy: no inline script or style anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *env_list("MAP_TILE_HOSTS", [])],
        "connect-src": ["'self'"],
        # The service worker (/sw.js, pwa) and the web app manifest.
        "worker-src": ["'self'"],
        "manifest-src": ["'self'"],
        "font-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# Celery: Redis when REDIS_URL is set, otherwise a filesystem broker that needs no server.
REDIS_URL = env_redis("REDIS_URL")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # A dead Redis must fail a publish at once, not hold the user's request: kombu's
    # producer connection otherwise retries until broker_connection_timeout. The worker
    # reconnects on its own terms (broker_connection_retry); the work stays in the
    # database as stale marks that beat picks up.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": 3600,
        "socket_connect_timeout": 0.5,
        "socket_timeout": 2,
        "max_retries": 1,
        "interval_start": 0,
        "interval_step": 0.2,
        "interval_max": 0.2,
    }
    CELERY_BROKER_CONNECTION_TIMEOUT = 1
else:
    _celery_dir = VAR_DIR / "celery"
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_celery_dir / "queue"),
        "data_folder_out": str(_celery_dir / "queue"),
        "processed_folder": str(_celery_dir / "processed"),
        "control_folder": str(_celery_dir / "control"),
        "store_processed": False,
    }
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_ENABLE_UTC = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "pamilu.api.auth.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "pamilu.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "pamilu.api.filters.StableOrderingFilter",
        "rest_framework.filters.SearchFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "pamilu.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "pamilu.api.errors.exception_handler",
    # JSON only (a body over DATA_UPLOAD_MAX_MEMORY_SIZE: the API's JSON 413); the upload
    # endpoints (attachments, CSV imports) set MultiPartParser themselves.
    "DEFAULT_PARSER_CLASSES": ["pamilu.api.parsers.BoundedJSONParser"],
    "DEFAULT_THROTTLE_RATES": {
        "token": env_str("THROTTLE_TOKEN", "10/min"),
        "user": env_str("THROTTLE_USER", "600/min"),
    },
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.UserRateThrottle"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
REST_KNOX = {
    "TOKEN_TTL": None,  # expiry is chosen per token by the administrator (accounts.ApiToken)
    "AUTO_REFRESH": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "pamilu API",
    "DESCRIPTION": "Operations dashboard for Polri election security. Version 1.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Enums named for what they are (a generated client's types), not "StatusEnum".
    "ENUM_NAME_OVERRIDES": {"ReportStatusEnum": "reports.models.ReportStatus"},
}

# Redis down: the cache (API rate-limit counters) falls back to per-process memory.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    if not REDIS_URL
    else {
        "BACKEND": "pamilu.cache.ResilientRedisCache",
        "LOCATION": REDIS_URL,
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
}

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "")  # empty: reminders stay in the app only
if not EMAIL_BACKEND:
    EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "pamilu@localhost")

# pamilu's own settings.
PAMILU_ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_BYTES", 5 * 1024 * 1024, minimum=1024)
PAMILU_MAP_TILE_URL = env_str("MAP_TILE_URL", "")
PAMILU_REMINDER_MINUTES_BEFORE_DEADLINE = env_int("REMINDER_MINUTES_BEFORE_DEADLINE", 60, minimum=0)
PAMILU_ESCALATION_MINUTES_AFTER_DEADLINE = env_int(
    "ESCALATION_MINUTES_AFTER_DEADLINE", 120, minimum=0
)
# Degraded modes and evidence (issue 14; README, Operations).
PAMILU_RETRY_AFTER_SECONDS = env_int("RETRY_AFTER_SECONDS", 10, minimum=1)
# Requests one process runs at once (0: no limit). Below gunicorn's --threads.
PAMILU_MAX_CONCURRENT_REQUESTS = env_int("MAX_CONCURRENT_REQUESTS", 0, minimum=0)
# /health/: beat is late when no periodic task ran for this long.
PAMILU_HEALTH_BEAT_MAX_AGE_SECONDS = env_int("HEALTH_BEAT_MAX_AGE_SECONDS", 900, minimum=60)
# The audit chain's head is signed with this key, kept outside the database.
PAMILU_AUDIT_SEAL_KEY = env_str("AUDIT_SEAL_KEY", "")
if not PAMILU_AUDIT_SEAL_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("AUDIT_SEAL_KEY must be set when DEBUG is off.")
    PAMILU_AUDIT_SEAL_KEY = "insecure-development-only-audit-seal-key"
# Entries younger than this are sealed by the next run (their transactions may still be open).
PAMILU_AUDIT_SEAL_MARGIN_SECONDS = env_int("AUDIT_SEAL_MARGIN_SECONDS", 60, minimum=0)
# Files of corrected (removed) attachments are kept this long, then purged.
PAMILU_CORRECTION_RETENTION_DAYS = env_int("CORRECTION_RETENTION_DAYS", 3650, minimum=1)
PAMILU_DASHBOARD_REFRESH_SECONDS = env_int("DASHBOARD_REFRESH_SECONDS", 60, minimum=5)
# Benchmark only (bench/national.py): mounts the floor endpoints of testbed under /bench/.
PAMILU_BENCH = env_bool("PAMILU_BENCH", default=False)
# Personnel on duty a unit may report while no sprin covers it yet (reports.rules).
PAMILU_PERSONNEL_CEILING = {
    "mabes": env_int("PERSONNEL_CEILING_MABES", 300_000, minimum=1),
    "polda": env_int("PERSONNEL_CEILING_POLDA", 40_000, minimum=1),
    "polres": env_int("PERSONNEL_CEILING_POLRES", 3_000, minimum=1),
    "polsek": env_int("PERSONNEL_CEILING_POLSEK", 300, minimum=1),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Django's own console handler would print every message a second time.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
