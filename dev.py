#!/usr/bin/env python3
"""ZQT quick start. Needs only Python 3.11+ on Linux; creates ./.venv itself.

    python3 dev.py run     install, migrate, load reference + demo data, start web + worker +
                           scheduler on http://127.0.0.1:8000 (SQLite); Ctrl-C stops all
    python3 dev.py test    install (with dev tools) and run the whole test suite
                           (extra arguments go to pytest; DATABASE_URL selects PostgreSQL)
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("ZQT_VENV", ROOT / ".venv"))
BIN = VENV / "bin"


def _say(message: str) -> None:
    print(f"[zqt] {message}", flush=True)


def ensure_venv(extras: str) -> None:
    if sys.version_info < (3, 11):
        sys.exit("ZQT 需要 Python 3.11 或更高版本 / ZQT needs Python 3.11+")
    if not (BIN / "python").exists():
        _say(f"creating virtualenv {VENV}")
        venv.EnvBuilder(with_pip=True).create(VENV)
    inputs = (ROOT / "pyproject.toml").read_bytes() + (ROOT / "constraints.txt").read_bytes()
    stamp = VENV / f".zqt-installed-{extras or 'base'}"
    digest = hashlib.sha256(inputs).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return
    target = f".[{extras}]" if extras else "."
    _say(f"installing ZQT and pinned dependencies ({target})")
    pip = [str(BIN / "python"), "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "install", "-U", "pip"], check=True, cwd=ROOT)
    subprocess.run(
        [*pip, "install", "-c", "constraints.txt", "-e", target], check=True, cwd=ROOT
    )
    stamp.write_text(digest)


def zqt(*args: str, env: dict[str, str]) -> None:
    subprocess.run([str(BIN / "zqt"), *args], check=True, cwd=ROOT, env=env)


def cmd_run(argv: list[str]) -> int:
    ensure_venv("")
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "zqt.config.settings.local")
    env.setdefault("PYTHONUNBUFFERED", "1")
    zqt("migrate", "--no-input", "-v", "0", env=env)
    zqt("load_demo", env=env)
    addr = argv[0] if argv else "127.0.0.1:8000"
    _say(f"starting web + worker + scheduler on http://{addr}/  (Ctrl-C stops all)")
    # Ctrl-C reaches `zqt serve` too (same process group); it stops web, worker and scheduler
    # itself, so wait for it instead of killing it.
    serve = subprocess.Popen([str(BIN / "zqt"), "serve", addr], cwd=ROOT, env=env)
    while True:
        try:
            code = serve.wait()
            return 0 if code in (0, -signal.SIGINT, 130) else code
        except KeyboardInterrupt:
            continue


def cmd_test(argv: list[str]) -> int:
    ensure_venv("dev")
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "zqt.config.settings.test"
    args = argv or ["-q", "-n", "2", "--dist", "loadfile"]
    return subprocess.run([str(BIN / "pytest"), *args], cwd=ROOT, env=env).returncode


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in {"run", "test"}:
        print(__doc__)
        return 2
    command, rest = sys.argv[1], sys.argv[2:]
    return cmd_run(rest) if command == "run" else cmd_test(rest)


if __name__ == "__main__":
    sys.exit(main())
