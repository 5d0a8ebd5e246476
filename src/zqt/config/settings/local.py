"""Quick-start / developer settings: SQLite by default, DEBUG on, demo secret key."""

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = env_bool("ZQT_DEBUG", True)
SECRET_KEY = SECRET_KEY or "zqt-local-development-key-not-for-production"  # noqa: F405, S105
ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost"]  # noqa: F405
