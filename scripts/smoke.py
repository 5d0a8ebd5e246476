#!/usr/bin/env python3
"""Quick-start smoke test: run `python3 dev.py run` on a fresh SQLite file, fetch the home page,
log in as the demo enterprise user, fetch its space, then stop with Ctrl-C (SIGINT).

Usage: python3 scripts/smoke.py [port]      (exit 0 on success)
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 8765
BASE = f"http://127.0.0.1:{PORT}"
DEMO_USER = os.environ.get("ZQT_SMOKE_USER", "demo_enterprise")
DEMO_PASSWORD = os.environ.get("ZQT_SMOKE_PASSWORD", "Zqt@2026demo")


def fetch(opener: urllib.request.OpenerDirector, path: str, data: dict | None = None) -> str:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(BASE + path, data=body, headers={"Referer": BASE + path})
    with opener.open(request, timeout=30) as response:
        return response.read().decode("utf-8")


def main() -> int:
    var_dir = tempfile.mkdtemp(prefix="zqt-smoke-")
    env = dict(os.environ, ZQT_VAR_DIR=var_dir)
    env.pop("DATABASE_URL", None)  # the quick start is SQLite
    log = open(Path(var_dir) / "server.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "dev.py", "run", f"127.0.0.1:{PORT}"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    ok = False
    try:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise SystemExit(f"server exited early with {proc.returncode}")
            try:
                fetch(opener, "/healthz")
                break
            except OSError:
                time.sleep(1)
        else:
            raise SystemExit("server did not come up within 600 s")
        home = fetch(opener, "/")
        assert "政企通" in home, "home page does not show the product name"
        print("smoke: home page OK")
        login_page = fetch(opener, "/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page)
        assert token, "no CSRF token on the login page"
        fetch(
            opener,
            "/accounts/login/",
            {
                "csrfmiddlewaretoken": token.group(1),
                "username": DEMO_USER,
                "password": DEMO_PASSWORD,
            },
        )
        space = fetch(opener, "/space/")
        assert "证照" in space and "退出" in space, "enterprise space did not render for the user"
        print("smoke: logged-in enterprise space OK")
        ok = True
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            code = proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            code = -9
        log.close()
        if not ok or code not in (0, -signal.SIGINT, 130):
            print((Path(var_dir) / "server.log").read_text()[-4000:])
        print(f"smoke: server stopped with exit code {code}")
    return 0 if ok and code in (0, 130, -signal.SIGINT) else 1


if __name__ == "__main__":
    sys.exit(main())
