#!/usr/bin/env python3
# ruff: noqa: E501 - the embedded child-process scripts keep their SQL on long lines
"""Appeals benchmark (issue 6). Runs with no arguments; PostgreSQL from DATABASE_URL (a fresh
database `<name>_appeals_bench` is created next to it).

1. Intake: gunicorn (production settings, ZQT_BENCH_WORKERS gthread workers of ZQT_BENCH_THREADS
   threads; the routing model trained once by `zqt appeals_retrain` and loaded at worker start) serves
   POST /api/v1/appeals/ (bearer token of a 12345 api_client, Idempotency-Key per request); a
   SECOND process sends an open-loop ZQT_BENCH_RATE requests/s for ZQT_BENCH_SECONDS over
   keep-alive connections on loopback; latency from each request's scheduled send time. After
   the run the appeals rows are counted: lost = accepted responses - rows.
2. Sweep: ZQT_BENCH_SWEEP_ROWS open appeals with running clocks (0.1% past their warning time,
   0.1% past their due time) inserted set-based, then `supervision_run` is timed.

Knobs: ZQT_BENCH_RATE (200), ZQT_BENCH_SECONDS (300), ZQT_BENCH_WORKERS (3), ZQT_BENCH_THREADS (4),
ZQT_BENCH_SWEEP_ROWS (1000000). Last line of output: one JSON object.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
try:
    import django  # noqa: F401
except ImportError:
    if VENV_PYTHON.exists() and Path(sys.executable) != VENV_PYTHON:
        os.execv(str(VENV_PYTHON), [str(VENV_PYTHON), *sys.argv])
    raise

sys.path.insert(0, str(ROOT / "src"))
BASE_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/zqt")
RATE = int(os.environ.get("ZQT_BENCH_RATE", "200"))
SECONDS = int(os.environ.get("ZQT_BENCH_SECONDS", "300"))
WORKERS = int(os.environ.get("ZQT_BENCH_WORKERS", "3"))
# gthread workers overlap one request's database round trips with another's Python work.
THREADS = int(os.environ.get("ZQT_BENCH_THREADS", "4"))
SWEEP_ROWS = int(os.environ.get("ZQT_BENCH_SWEEP_ROWS", "1000000"))
PORT = 8865 + os.getpid() % 1000
TOKEN = "bench-appeals-token-0123456789"


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def bench_url() -> str:
    parts = urllib.parse.urlsplit(BASE_URL)
    name = (parts.path.lstrip("/") or "zqt") + "_appeals_bench"
    return urllib.parse.urlunsplit(parts._replace(path="/" + name))


def setup_db(url: str) -> dict[str, str]:
    import psycopg

    parts = urllib.parse.urlsplit(url)
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    name = parts.path.lstrip("/")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    import secrets
    import tempfile

    tmp = tempfile.mkdtemp(prefix="zqt-appeals-bench-")
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "zqt.config.settings.production",
        "SECRET_KEY": "bench-" + secrets.token_hex(32),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "ZQT_SSL_REDIRECT": "0",
        "ZQT_VAR_DIR": tmp,
        "ZQT_LOG_LEVEL": "ERROR",
        "PYTHONPATH": str(ROOT / "src"),
    }
    subprocess.run(
        [str(ROOT / ".venv/bin/zqt"), "migrate", "--noinput", "-v", "0"], env=env, check=True
    )
    return env


SEED = r"""
import django; django.setup()
from zqt.accounts import reference as r
from zqt.notifications.services import notification_templates_load
r.org_units_load_reference(); r.service_boards_load_reference(); notification_templates_load()
from zqt.accounts.models import OrgUnit, User, ApiToken
from zqt.accounts.selectors import hash_token
from zqt.core.identifiers import make_uscc, make_id_number
from zqt.enterprises.models import Enterprise
import datetime as dt
unit = OrgUnit.objects.get(code="330802")
api = User.objects.create(username="bench_api", role="api_client", org_unit=unit)
ApiToken.objects.create(name="12345", user=api, prefix="bench", token_hash=hash_token("TOKEN_PLACEHOLDER"))
Enterprise.objects.create(uscc=make_uscc(region_code="330802", serial=1), name="衢州基准测试有限公司",
    entity_type="limited_company", legal_rep_name="张三",
    legal_rep_id_number=make_id_number(region_code="330802", birth_date=dt.date(1980,1,1), sequence=1),
    registered_capital=100, founded_on=dt.date(2015,1,1), address="衢州", region_code="330802",
    industry_code="39", scale="small", lifecycle_stage="growth")
print(make_uscc(region_code="330802", serial=1))
""".replace("TOKEN_PLACEHOLDER", TOKEN)

LOADGEN = r"""
import http.client, json, sys, threading, time, uuid
port, rate, seconds, uscc, token = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
lat, codes, lock = [], {}, threading.Lock()
start = time.perf_counter() + 0.5
total = rate * seconds
threads = 64
def worker(k):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for i in range(k, total, threads):
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0: time.sleep(delay)
        body = json.dumps({"uscc": uscc, "title": "融资需求", "content": f"流动资金紧张需要银行贷款 {i}"})
        try:
            conn.request("POST", "/api/v1/appeals/", body, {"Content-Type": "application/json",
                "Authorization": "Bearer " + token, "Idempotency-Key": f"bench-{i}"})
            resp = conn.getresponse(); resp.read(); status = resp.status
        except Exception:
            conn.close(); conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30); status = 0
        with lock:
            lat.append(time.perf_counter() - due); codes[status] = codes.get(status, 0) + 1
ts = [threading.Thread(target=worker, args=(k,)) for k in range(threads)]
[t.start() for t in ts]; [t.join() for t in ts]
elapsed = time.perf_counter() - start
lat.sort()
print(json.dumps({"sent": total, "codes": codes, "elapsed": elapsed,
    "p50_ms": lat[len(lat)//2]*1000, "p99_ms": lat[int(len(lat)*0.99)-1]*1000}))
"""

SWEEP = r'''
import django, time, json, sys; django.setup()
from django.db import connection
from zqt.appeals.tasks import supervision_run
n = int(sys.argv[1])
with connection.cursor() as c:
    c.execute("SELECT id FROM enterprises_enterprise LIMIT 1"); ent = c.fetchone()[0]
    c.execute("SELECT id FROM accounts_orgunit WHERE code='330802'"); unit = c.fetchone()[0]
    c.execute("SELECT id FROM accounts_user WHERE username='bench_api'"); user = c.fetchone()[0]
    t = time.perf_counter()
    c.execute("""INSERT INTO appeals_appeal (created_at, updated_at, reference, enterprise_id, region_code,
      industry_code, channel, title, content, contact_name, contact_phone, appeal_type, scope, difficulty,
      org_unit_id, suggested_board_code, status, reject_reason, resolution_type, resolution_text,
      received_at, reopen_count, supervision_level, due_state, answered_late, submitted_by_id, external_id)
      SELECT now(), now(), 'B' || g, %s, '330802', '39', 'api_12345', '基准', '基准内容', '', '', 'help',
      'point', 'simple', %s, '', 'accepted', '', '', '', now(), 0, 0, 'on_track', false, %s, ''
      FROM generate_series(1, %s) g""", [ent, unit, user, n])
    c.execute("""INSERT INTO appeals_stageclock (created_at, updated_at, appeal_id, stage, tier, started_at,
      pauses, extension_days, due_at, warn_at, provisional, policy_version, flagged)
      SELECT now(), now(), a.id, 'handle', 'three_days', now(), '[]', 0,
        CASE WHEN a.id %% 1000 = 0 THEN now() - interval '1 hour' ELSE now() + interval '3 days' END,
        CASE WHEN a.id %% 1000 IN (0, 1) THEN now() - interval '2 hours' ELSE now() + interval '2 days' END,
        false, 1, 'on_track'
      FROM appeals_appeal a WHERE a.reference LIKE 'B%%'""", [])
    c.execute("ANALYZE appeals_appeal"); c.execute("ANALYZE appeals_stageclock")
    load = time.perf_counter() - t
t = time.perf_counter(); first = supervision_run(); s1 = time.perf_counter() - t
t = time.perf_counter(); second = supervision_run(); s2 = time.perf_counter() - t
print(json.dumps({"rows": n, "load_s": load, "sweep_s": s1, "rerun_s": s2, "first": first, "second": second}))
'''


def wait_ready(timeout: float = 90.0) -> None:
    """Until every worker answers (each loads the routing model at start, a few seconds on a
    busy machine): several health checks in a row must succeed."""
    import http.client

    deadline = time.monotonic() + timeout
    ok = 0
    while time.monotonic() < deadline and ok < 3 * WORKERS:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=5)
            conn.request("GET", "/healthz")
            ok = ok + 1 if conn.getresponse().status == 200 else 0
            conn.close()
        except OSError:
            ok = 0
            time.sleep(0.5)
    time.sleep(1)


def main() -> None:
    url = bench_url()
    say(f"database {url}")
    env = setup_db(url)
    uscc = (
        subprocess.run(
            [sys.executable, "-c", SEED], env=env, check=True, capture_output=True, text=True
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    # Deployment step: the routing model is trained and saved once, and every gunicorn worker
    # loads it when it starts (appeals.apps), instead of training it on its first request.
    subprocess.run(
        [str(ROOT / ".venv/bin/zqt"), "appeals_retrain"],
        env=env,
        check=True,
        capture_output=True,
    )
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "zqt.config.wsgi",
            "-w",
            str(WORKERS),
            *(["--worker-class", "gthread", "--threads", str(THREADS)] if THREADS > 1 else []),
            "-b",
            f"127.0.0.1:{PORT}",
            "--log-level",
            "warning",
        ],
        env=env,
    )
    try:
        wait_ready()
        say(f"intake: {RATE}/s for {SECONDS}s")
        out = subprocess.run(
            [sys.executable, "-c", LOADGEN, str(PORT), str(RATE), str(SECONDS), uscc, TOKEN],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        intake = json.loads(out.strip().splitlines()[-1])
    finally:
        server.terminate()
        server.wait(timeout=30)
    count = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup();"
            "from zqt.appeals.models import Appeal; print(Appeal.objects.count())",
        ],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    accepted = intake["codes"].get("201", 0) + intake["codes"].get("200", 0)
    rows = int(count.splitlines()[-1])
    say(f"sweep over {SWEEP_ROWS} open appeals")
    sweep = json.loads(
        subprocess.run(
            [sys.executable, "-c", SWEEP, str(SWEEP_ROWS)],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    say(json.dumps({"intake": intake, "sweep": sweep}, ensure_ascii=False))
    print(
        json.dumps(
            {
                "intake_rate_target": RATE,
                "intake_seconds": SECONDS,
                "gunicorn_workers": WORKERS,
                "gunicorn_threads": THREADS,
                "intake_accepted_per_s": round(accepted / intake["elapsed"], 1),
                "intake_p50_ms": round(intake["p50_ms"], 1),
                "intake_p99_ms": round(intake["p99_ms"], 1),
                "intake_errors": intake["sent"] - accepted,
                "intake_rows": rows,
                # Rows the server wrote for requests whose client had already timed out are
                # not "lost"; lost = acknowledged to the client but not in the table.
                "intake_lost": max(0, accepted - rows),
                "sweep_rows": SWEEP_ROWS,
                "sweep_1m_s": round(sweep["sweep_s"], 2),
                "sweep_rerun_s": round(sweep["rerun_s"], 2),
                "sweep_first": sweep["first"],
                "sweep_load_s": round(sweep["load_s"], 1),
                "loadavg_end": os.getloadavg()[0],
            }
        )
    )


if __name__ == "__main__":
    main()
