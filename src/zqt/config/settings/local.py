"""Quick-start / developer settings: SQLite by default, DEBUG on, demo secret key."""

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = env_bool("ZQT_DEBUG", True)
SECRET_KEY = SECRET_KEY or "zqt-local-development-key-not-for-production"  # noqa: F405
ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost"]  # noqa: F405

# The quick start does not run collectstatic: WhiteNoise serves straight from the finders.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
ZQT_ALLOW_DEMO_DATA = True
