"""Settings of the enterprise code, each overridable in Django settings or the environment:

ZQT_ECODE_KEY_DIR        key directory (default <ZQT_VAR_DIR>/ecode-keys, created on first use)
ZQT_ECODE_KEYRING        the key ring as JSON with seeds (production; see keyring.py); wins
                         over the directory when set
ZQT_ECODE_BASE_URL       scheme and host printed in codes (default HTTPS://QZ.ZQT.GOV.CN)
ZQT_ECODE_DYNAMIC_TTL_S  validity of a dynamic code, seconds (default 60)
ZQT_ECODE_CLOCK_SKEW_S   clock tolerance, seconds (default 10)
ZQT_ECODE_LIST_TTL_S     time-to-live of the published trust and status lists (default 24 h)
ZQT_ECODE_LIST_WARN_S    warn when the newest published list expires within this (default 6 h)
ZQT_ECODE_LOGIN_LIMIT_IP       login codes one IP address may create per window (default 30)
ZQT_ECODE_LOGIN_LIMIT_SESSION  login codes one browser session may create per window (default 10)
ZQT_ECODE_LOGIN_WINDOW_S       the window of both limits, seconds (default 600)
"""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings


def _get(name: str, default: str) -> str:
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name, default)
    return str(value)


def key_dir() -> Path:
    return Path(_get("ZQT_ECODE_KEY_DIR", str(Path(settings.VAR_DIR) / "ecode-keys")))


def keyring_env() -> str:
    return _get("ZQT_ECODE_KEYRING", "")


def base_url() -> str:
    return _get("ZQT_ECODE_BASE_URL", "HTTPS://QZ.ZQT.GOV.CN").rstrip("/").upper()


def dynamic_ttl() -> int:
    return int(_get("ZQT_ECODE_DYNAMIC_TTL_S", "60"))


def clock_skew() -> int:
    return int(_get("ZQT_ECODE_CLOCK_SKEW_S", "10"))


def list_ttl() -> int:
    return int(_get("ZQT_ECODE_LIST_TTL_S", str(24 * 3600)))


def list_warn_before() -> int:
    return int(_get("ZQT_ECODE_LIST_WARN_S", str(6 * 3600)))


def login_limit_ip() -> int:
    # Offices share one public IP behind NAT, hence the higher per-IP allowance.
    return int(_get("ZQT_ECODE_LOGIN_LIMIT_IP", "30"))


def login_limit_session() -> int:
    return int(_get("ZQT_ECODE_LOGIN_LIMIT_SESSION", "10"))


def login_window() -> int:
    return int(_get("ZQT_ECODE_LOGIN_WINDOW_S", "600"))
