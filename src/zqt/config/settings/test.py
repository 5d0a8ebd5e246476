"""Test settings: fast hashing, in-memory e-mail/SMS, no login lockout noise."""

import os

from .base import *  # noqa: F403
from .base import VAR_DIR

DEBUG = False
SECRET_KEY = "zqt-test-key"  # noqa: S105
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ZQT_SMS_BACKEND = "zqt.notifications.backends.MemorySmsBackend"
ZQT_EMAIL_BACKEND = "zqt.notifications.backends.MemoryEmailBackend"
ZQT_OUTBOX_DIR = VAR_DIR / "test-outbox"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if os.environ.get("ZQT_E2E_LIVE"):
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}

# No collected static files in tests: serve from the finders, no STATIC_ROOT warning.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
ZQT_ALLOW_DEMO_DATA = True
