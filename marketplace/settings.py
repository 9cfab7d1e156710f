"""Kansen settings. Every value comes from the environment, with defaults that let a fresh
clone run `make run` and `make test` (SQLite, database search, in-process tasks, mail to var/mail).
"""

from __future__ import annotations

from pathlib import Path

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from marketplace.env import (
    env_bool,
    env_choice,
    env_database,
    env_email,
    env_float,
    env_int,
    env_list,
    env_secret,
    env_str,
    env_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("KANSEN_VAR_DIR", str(BASE_DIR / "var")))
DATA_DIR = BASE_DIR / "data"

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_secret("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is False.")
    SECRET_KEY = "kansen-development-only-secret-key-never-use-in-production-0123456789"  # noqa: S105
elif not DEBUG and len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters long.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_url("SITE_URL", "http://127.0.0.1:8000", schemes=("http", "https")).rstrip("/")
SITE_NAME = "Kansen"
# OCDS ocids are "<prefix>-<id>". Register a real prefix with the Open Contracting Partnership
# before publishing OCDS data in production; "ocds-kansen" is a placeholder.
OCDS_OCID_PREFIX = env_str("OCDS_OCID_PREFIX", "ocds-kansen")

INSTALLED_APPS = [
    "marketplace.core",
    "tenders",
    "suppliers",
    "search",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "django.contrib.sites",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_celery_beat",
    "allauth",
    "allauth.account",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "marketplace.core.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "marketplace.urls"
WSGI_APPLICATION = "marketplace.wsgi.application"

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
                "marketplace.core.context_processors.site",
            ],
        },
    },
]

# Database: SQLite under var/ unless DATABASE_URL says otherwise.
DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{VAR_DIR / 'kansen.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    if DATABASES["default"]["NAME"] not in ("", ":memory:"):
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
SITE_ID = 1

# django-allauth: accounts are e-mail addresses; verification is mandatory.
ACCOUNT_ADAPTER = "marketplace.core.accounts.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = env_choice(
    "ACCOUNT_EMAIL_VERIFICATION", "mandatory", ("mandatory", "optional", "none")
)
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Kansen] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https") else "http"
if env_bool("KANSEN_TESTING", False):
    ACCOUNT_RATE_LIMITS = False

# Internationalisation: Dutch first, English beside it; Amsterdam time.
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", "Nederlands"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["marketplace.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [p for p in [BASE_DIR / "static"] if p.exists()]
MEDIA_ROOT = VAR_DIR / "media"  # documents; never served directly, only through a permission check
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 30 * 1024 * 1024

# Email: saved as .eml files under var/mail and printed, unless EMAIL_URL names a server.
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Kansen <noreply@kansen.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_MAIL_DIR = VAR_DIR / "mail"
_email = env_email("EMAIL_URL")
if _email is None:
    EMAIL_BACKEND = "marketplace.core.mail.FileAndConsoleBackend"
else:
    EMAIL_BACKEND = _email["EMAIL_BACKEND"]
    EMAIL_HOST = _email.get("EMAIL_HOST") or "localhost"
    EMAIL_PORT = _email.get("EMAIL_PORT") or 25
    EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER") or ""
    EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD") or ""
    EMAIL_USE_TLS = bool(_email.get("EMAIL_USE_TLS"))
    EMAIL_USE_SSL = bool(_email.get("EMAIL_USE_SSL"))
    if _email.get("EMAIL_FILE_PATH"):
        EMAIL_FILE_PATH = _email["EMAIL_FILE_PATH"]
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20, minimum=1)

# Celery: with no broker, tasks run eagerly in-process.
CELERY_BROKER_URL = env_url(
    "CELERY_BROKER_URL", "", schemes=("redis", "rediss", "amqp", "memory", "sentinel")
)
CELERY_RESULT_BACKEND = env_url("CELERY_RESULT_BACKEND", "", schemes=("redis", "rediss")) or None
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_ON_FAILURE_OR_TIMEOUT = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 300}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE: dict = {
    "alerts-daily-digest": {
        "task": "suppliers.tasks.digests_send_task",
        "schedule": crontab(hour=8, minute=0),
        "args": ("daily",),
    },
    "alerts-weekly-digest": {
        "task": "suppliers.tasks.digests_send_task",
        "schedule": crontab(hour=8, minute=0, day_of_week="mon"),
        "args": ("weekly",),
    },
    "alerts-deadline-reminders": {
        "task": "suppliers.tasks.reminders_send_task",
        "schedule": crontab(minute=5),
    },
    "alerts-outbox-sweep": {
        "task": "suppliers.tasks.outbox_sweep_task",
        "schedule": 60.0,
    },
    "search-catch-up": {
        "task": "search.tasks.search_catch_up_task",
        "schedule": 300.0,
    },
    "opportunities-close-sweep": {
        "task": "tenders.tasks.opportunity_close_sweep_task",
        "schedule": 300.0,
    },
}

# Search: the database backend unless SEARCH_BACKEND=elasticsearch.
SEARCH_BACKEND = env_choice("SEARCH_BACKEND", "database", ("database", "elasticsearch"))
ELASTICSEARCH_URL = env_url("ELASTICSEARCH_URL", "", schemes=("http", "https"))
ELASTICSEARCH_INDEX_PREFIX = env_str("ELASTICSEARCH_INDEX_PREFIX", "kansen")
ELASTICSEARCH_TIMEOUT = env_float("ELASTICSEARCH_TIMEOUT", 5.0)
if SEARCH_BACKEND == "elasticsearch" and not ELASTICSEARCH_URL:
    raise ImproperlyConfigured("SEARCH_BACKEND=elasticsearch needs ELASTICSEARCH_URL.")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "marketplace.core.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_SCHEMA_CLASS": "marketplace.core.schema.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "marketplace.core.pagination.PageNumberPagination",
    "PAGE_SIZE": env_int("API_PAGE_SIZE", 20, minimum=1),
    "EXCEPTION_HANDLER": "marketplace.core.errors.api_exception_handler",
    "DEFAULT_THROTTLE_RATES": {"token": "20/minute"},
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Kansen API",
    "DESCRIPTION": (
        "Opportunities (tenders, funding calls, co-creation calls and test locations) from public "
        "parties in the Amsterdam region, search, matching, applications and saved searches."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "OrganisationKindEnum": "marketplace.core.models.Organisation.Kind",
        "OpportunityKindEnum": "tenders.models.opportunities.Opportunity.Kind",
        "OpportunityStatusEnum": "tenders.models.opportunities.Opportunity.Status",
        "ApplicationStatusEnum": "tenders.models.applications.Application.Status",
        "ApplicationQuestionTypeEnum": "tenders.models.applications.ApplicationQuestion.Type",
    },
}

# Production hardening; `check --deploy` is clean when DEBUG is off.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "elastic_transport": {"level": "WARNING"},
        "django.db.backends": {"level": "WARNING"},
    },
}

# Alerts: delivery tuning (seconds unless named otherwise).
ALERTS_CLAIM_TIMEOUT = env_int("ALERTS_CLAIM_TIMEOUT", 120, minimum=1)
ALERTS_RETRY_BASE = env_int("ALERTS_RETRY_BASE", 60, minimum=1)
ALERTS_RETRY_MAX = env_int("ALERTS_RETRY_MAX", 3600, minimum=1)
ALERTS_MAX_ATTEMPTS = env_int("ALERTS_MAX_ATTEMPTS", 8, minimum=1)
ALERTS_BOUNCE_LIMIT = env_int("ALERTS_BOUNCE_LIMIT", 3, minimum=1)
ALERTS_DIGEST_CAP = env_int("ALERTS_DIGEST_CAP", 10, minimum=1)
ALERTS_BATCH_SIZE = env_int("ALERTS_BATCH_SIZE", 50, minimum=1)
ALERTS_EVENT_GRACE = env_int("ALERTS_EVENT_GRACE", 30, minimum=0)

# Product knobs.
KANSEN_DEMO_PASSWORD = "kansen-demo"  # noqa: S105  (public demo accounts, refused when DEBUG is off)
KANSEN_TESTING = env_bool("KANSEN_TESTING", False)
