"""The process's key ring, loaded from conf (directory or environment) and reloaded when the
directory's index changes (a rotation by `zqt ecode_rotate_keys` reaches every worker on its
next request without a restart)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from zqt.ecode import conf
from zqt.ecode.codec import TrustedKey
from zqt.ecode.keyring import INDEX_FILE, KeyRing
from zqt.ecode.signing import verifier_for

_lock = threading.Lock()
_cache: dict[str, tuple[float, KeyRing, dict[bytes, TrustedKey]]] = {}
# The key directory's index is checked for a rotation at most this often per process (a stat
# per scan showed up in the verify API's profile); a rotation reaches workers within a second.
CHECK_EVERY_S = 1.0
_checked: dict[str, float] = {}


def _trusted(ring: KeyRing) -> dict[bytes, TrustedKey]:
    keys: dict[bytes, TrustedKey] = {}
    for key in ring.keys:
        if key.role != "code":
            continue
        verifier = verifier_for(key.algorithm, key.public_key) if key.verifies else None
        keys[key.kid_bytes] = TrustedKey(status=key.status, verifier=verifier)
    return keys


def _load() -> tuple[KeyRing, dict[bytes, TrustedKey]]:
    env = conf.keyring_env()
    source = f"env:{hash(env)}" if env else str(conf.key_dir())
    cached = _cache.get(source)
    now = time.monotonic()
    if cached is not None and now - _checked.get(source, -CHECK_EVERY_S) < CHECK_EVERY_S:
        return cached[1], cached[2]
    _checked[source] = now
    if env:
        stamp = 0.0
    else:
        index = Path(source) / INDEX_FILE
        stamp = index.stat().st_mtime_ns if index.exists() else -1.0
    cached = _cache.get(source)
    if cached is not None and cached[0] == stamp:
        return cached[1], cached[2]
    with _lock:
        ring = KeyRing.from_env(env) if env else KeyRing.load_dir(Path(source))
        if not env:
            stamp = (Path(source) / INDEX_FILE).stat().st_mtime_ns
        entry = (stamp, ring, _trusted(ring))
        _cache[source] = entry
        return ring, entry[2]


def key_ring() -> KeyRing:
    return _load()[0]


def trusted_keys() -> dict[bytes, TrustedKey]:
    """Online verification keys: verifying keys with a verifier, retired and compromised ones
    without (so their codes get "key_revoked" rather than "unknown_key")."""
    return _load()[1]


def reset_cache() -> None:
    _cache.clear()
    _checked.clear()
