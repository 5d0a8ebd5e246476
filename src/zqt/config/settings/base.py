"""Settings shared by every environment; values come from the environment (12-factor).

Environment variables:
  DATABASE_URL      e.g. postgres://postgres@127.0.0.1:5432/zqt (default: SQLite under ZQT_VAR_DIR)
  SECRET_KEY        required in production
  ALLOWED_HOSTS     comma-separated
  ZQT_VAR_DIR       where SQLite, uploads, keys and outbound mail/SMS files live (default ./var)
  ZQT_DEBUG         1 to turn DEBUG on (never in production)
  ZQT_ECODE_KEY_DIR / ZQT_ECODE_KEYRING   enterprise-code private keys: a directory of PEM files
                    (default VAR_DIR/ecode-keys) or a JSON key ring in the environment
  ZQT_ECODE_BASE_URL, ZQT_ECODE_DYNAMIC_TTL_S, ZQT_ECODE_CLOCK_SKEW_S, ZQT_ECODE_LIST_TTL_S,
  ZQT_ECODE_LIST_WARN_S   see zqt/ecode/conf.py
  ZQT_CREDIT_REPAIR_MIN_MONTHS   (settings only) publicity months before credit repair, per record
                    kind, default {"*": 3}; ZQT_DRAW_MIN_COMMIT_SECONDS: commit-to-draw delay (0)
  ZQT_ALLOW_DEMO_DATA  1 to let `zqt load_demo` write demo accounts (on in local/test settings)
  ZQT_TASK_LEASE_SECONDS / ZQT_TASK_HEARTBEAT_SECONDS / ZQT_TASK_MAX_RECLAIMS
                    task worker lease (60), heartbeat (15) and re-queues of a stalled task (3)
  ZQT_NOTIFICATION_MAX_ATTEMPTS / _RETRY_BASE_SECONDS / _RETRY_MAX_SECONDS
                    SMS/e-mail delivery retries (5 attempts, backoff 60 s doubling to 3600 s)
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parents[2]  # src/zqt
PROJECT_DIR = BASE_DIR.parents[1]
VAR_DIR = Path(os.environ.get("ZQT_VAR_DIR", PROJECT_DIR / "var")).resolve()


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("ZQT_DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "zqt.core",
    "zqt.taskqueue",
    "zqt.accounts",
    "zqt.audit",
    "zqt.notifications",
    "zqt.enterprises",
    "zqt.ecode",
    "zqt.catalog",
    "zqt.bundles",
    "zqt.appeals",
    "zqt.policies",
    "zqt.supervision",
    "zqt.credit",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "zqt.config.urls"
WSGI_APPLICATION = "zqt.config.wsgi.application"
ASGI_APPLICATION = "zqt.config.asgi.application"

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
                "zqt.core.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'zqt.sqlite3'}"),
        conn_max_age=int(os.environ.get("ZQT_DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server and the task worker share the file without "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:home"

# Login throttling (django-axes): lock a username+IP pair after 5 failures for 15 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("ZQT_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "zqt.accounts.views.lockout_response"
AXES_VERBOSE = False

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT: Path | None = Path(os.environ.get("ZQT_STATIC_ROOT", PROJECT_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Background work: django.tasks API (backport) on the database queue, see docs/decisions/0002.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "notifications", "sweeps"],
    }
}

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "zqt",
    }
}

SESSION_COOKIE_AGE = 8 * 3600
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Notifications: outbound SMS and e-mail are pluggable; the default writes to files under var/.
ZQT_SMS_BACKEND = os.environ.get("ZQT_SMS_BACKEND", "zqt.notifications.backends.FileSmsBackend")
ZQT_EMAIL_BACKEND = os.environ.get(
    "ZQT_EMAIL_BACKEND", "zqt.notifications.backends.FileEmailBackend"
)
ZQT_OUTBOX_DIR = VAR_DIR / "outbox"

# Enterprise-space reminders: days before a licence expires.
ZQT_LICENCE_REMINDER_DAYS = (60, 30)

# Cards other modules add to the enterprise space (enterprises.space.SpaceSection).
ZQT_SPACE_SECTIONS = [
    "zqt.bundles.selectors:space_section",
    "zqt.credit.selectors:space_section",
    "zqt.policies.selectors:space_section",
]

# Demo accounts have published passwords: never load them into a real deployment by accident.
ZQT_ALLOW_DEMO_DATA = env_bool("ZQT_ALLOW_DEMO_DATA", False)

ZQT_TASK_LEASE_SECONDS = int(os.environ.get("ZQT_TASK_LEASE_SECONDS", "60"))
ZQT_TASK_HEARTBEAT_SECONDS = int(os.environ.get("ZQT_TASK_HEARTBEAT_SECONDS", "15"))
ZQT_TASK_MAX_RECLAIMS = int(os.environ.get("ZQT_TASK_MAX_RECLAIMS", "3"))
ZQT_NOTIFICATION_MAX_ATTEMPTS = int(os.environ.get("ZQT_NOTIFICATION_MAX_ATTEMPTS", "5"))
ZQT_NOTIFICATION_RETRY_BASE_SECONDS = int(
    os.environ.get("ZQT_NOTIFICATION_RETRY_BASE_SECONDS", "60")
)
ZQT_NOTIFICATION_RETRY_MAX_SECONDS = int(
    os.environ.get("ZQT_NOTIFICATION_RETRY_MAX_SECONDS", "3600")
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("ZQT_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "jieba": {"level": "WARNING"},
    },
}

NINJA_PAGINATION_PER_PAGE = 20
