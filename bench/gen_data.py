#!/usr/bin/env python3
"""Benchmark: synthetic data generation into SQLite and PostgreSQL, then staff name search.

    python3 bench/gen_data.py            # 1,000,000 enterprises (several minutes)
    ZQT_BENCH_N=50000 python3 bench/gen_data.py

1. For each database, a subprocess runs `zqt migrate` then `zqt gen-data --enterprises N`
   (fresh SQLite file in a temporary directory; a fresh PostgreSQL database zqt_bench_<pid> on
   the server of DATABASE_URL, default postgres://postgres@127.0.0.1:5432/zqt_bench, dropped at
   the end). The gen-data wall time gives rows/s; its peak RSS is the peak of the SUM of the RSS
   of the gen-data process and its worker processes, polled from /proc every 50 ms.
2. On the PostgreSQL database: 200 name prefixes taken from generated names (2-6 characters,
   as typed into the search box), each searched with enterprises.selectors.enterprise_search as a
   province operations user (first page, as the staff page does); p50/p95. Baseline: the naive
   Enterprise.objects.filter(name__contains=prefix)[:20], which no index can serve.

Prints progress, then ONE JSON object on the last line.
"""

from __future__ import annotations

import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"

try:
    import django  # noqa: F401
except ImportError:  # started with the system python: re-run inside the project's venv
    if VENV_PYTHON.exists() and Path(sys.executable) != VENV_PYTHON:
        os.execv(str(VENV_PYTHON), [str(VENV_PYTHON), *sys.argv])
    raise

N = int(os.environ.get("ZQT_BENCH_N", "1000000"))
SEED = int(os.environ.get("ZQT_BENCH_SEED", "2026"))
SEARCHES = int(os.environ.get("ZQT_BENCH_SEARCHES", "200"))
BASE_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/zqt_bench")
ZQT = [str(VENV_PYTHON if VENV_PYTHON.exists() else sys.executable), "-m", "zqt.manage"]


def say(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


# --- process-tree RSS ------------------------------------------------------------------------


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as fh:
                stat = fh.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry))
    return tree


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss_kb(root: int) -> int:
    tree = _children()
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += _rss_kb(pid)
        todo.extend(tree.get(pid, []))
    return total


def run_measured(cmd: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Run cmd; return (wall seconds, peak RSS of its process tree in KB)."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, tree_rss_kb(proc.pid))
        time.sleep(0.05)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(cmd)}")
    return elapsed, peak


# --- databases -------------------------------------------------------------------------------


def pg_admin(url: str, sql: str) -> None:
    import psycopg

    parts = urllib.parse.urlsplit(url)
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql)


def pg_url(name: str) -> str:
    parts = urllib.parse.urlsplit(BASE_URL)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


def gen_run(label: str, database_url: str, var_dir: str) -> dict[str, float]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "zqt.config.settings.local",
            "ZQT_DEBUG": "0",
            "DATABASE_URL": database_url,
            "ZQT_VAR_DIR": var_dir,
            "PYTHONUNBUFFERED": "1",
        }
    )
    say(f"{label}: migrate")
    subprocess.run([*ZQT, "migrate", "--no-input", "-v", "0"], env=env, cwd=ROOT, check=True)
    say(f"{label}: gen-data --enterprises {N}")
    seconds, peak_kb = run_measured(
        [*ZQT, "gen-data", "--enterprises", str(N), "--seed", str(SEED)], env
    )
    result = {"seconds": round(seconds, 2), "rows_per_s": round(N / seconds), "peak_rss_mb":
              round(peak_kb / 1024, 1)}  # fmt: skip
    say(f"{label}: {result}")
    return result


# --- search ----------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q * (len(ordered) - 1))))
    return ordered[k]


def search_bench(database_url: str) -> dict[str, Any]:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "zqt.config.settings.local",
            "ZQT_DEBUG": "0",
            "DATABASE_URL": database_url,
        }
    )
    import django

    django.setup()
    from zqt.accounts.enums import Role
    from zqt.accounts.services import user_create
    from zqt.enterprises.models import Enterprise
    from zqt.enterprises.selectors import enterprise_search

    user = user_create(
        actor=None, username="bench_ops", role=Role.OPERATIONS, password="Bench-only-2026!",
        full_name="基准测试", org_unit_code="330000",
    )  # fmt: skip
    rng = random.Random(SEED)
    first, last = (
        Enterprise.objects.order_by("id").values_list("id", flat=True).first(),
        Enterprise.objects.order_by("-id").values_list("id", flat=True).first(),
    )
    assert first is not None and last is not None
    ids = [rng.randint(first, last) for _ in range(SEARCHES + 20)]
    names = dict(Enterprise.objects.filter(id__in=ids).values_list("id", "name"))
    prefixes = [names[i][: rng.randint(2, 6)] for i in ids if i in names]

    def timed(fn: Any, prefix: str) -> float:
        t = time.perf_counter()
        fn(prefix)
        return (time.perf_counter() - t) * 1000

    def staff(prefix: str) -> Any:
        page = enterprise_search(user=user, query=prefix)
        return list(getattr(page, "items", page) or [])

    def naive(prefix: str) -> Any:
        return list(Enterprise.objects.filter(name__contains=prefix)[:20])

    for prefix in prefixes[:20]:  # warm the caches and the connection
        staff(prefix)
        naive(prefix)
    measured = prefixes[20 : 20 + SEARCHES]
    staff_ms = [timed(staff, p) for p in measured]
    naive_ms = [timed(naive, p) for p in measured]
    result = {
        "search_queries": len(measured),
        "search_p50_ms": round(statistics.median(staff_ms), 2),
        "search_p95_ms": round(percentile(staff_ms, 0.95), 2),
        "search_max_ms": round(max(staff_ms), 2),
        "naive_contains_p50_ms": round(statistics.median(naive_ms), 2),
        "naive_contains_p95_ms": round(percentile(naive_ms, 0.95), 2),
        "search_examples": measured[:5],
    }
    result["naive_over_search_p95"] = round(
        result["naive_contains_p95_ms"] / max(result["search_p95_ms"], 0.001), 1
    )
    from django.db import connections

    connections.close_all()
    return result


def main() -> int:
    say(f"N={N} seed={SEED} cpus={os.cpu_count()} load={os.getloadavg()}")
    out: dict[str, Any] = {
        "bench": "gen_data",
        "n": N,
        "date": time.strftime("%Y-%m-%d %H:%M:%S %z"),
        "machine": f"{platform.machine()} {os.cpu_count()} cpus, {platform.platform()}",
        "python": platform.python_version(),
        "loadavg_start": [round(x, 2) for x in os.getloadavg()],
    }
    with tempfile.TemporaryDirectory(prefix="zqt_bench_") as tmp:
        sqlite = gen_run("sqlite", f"sqlite:///{tmp}/bench.sqlite3", tmp)
        Path(f"{tmp}/bench.sqlite3").unlink(missing_ok=True)
        name = f"zqt_bench_{os.getpid()}"
        pg_admin(BASE_URL, f'DROP DATABASE IF EXISTS "{name}"')
        pg_admin(BASE_URL, f'CREATE DATABASE "{name}"')
        try:
            pg = gen_run("postgresql", pg_url(name), tmp)
            say("postgresql: name-prefix search")
            search = search_bench(pg_url(name))
        finally:
            pg_admin(BASE_URL, f'DROP DATABASE IF EXISTS "{name}"')
    out.update(
        {
            "gen_pg_rows_per_s": pg["rows_per_s"],
            "gen_pg_seconds": pg["seconds"],
            "gen_pg_peak_rss_mb": pg["peak_rss_mb"],
            "gen_sqlite_rows_per_s": sqlite["rows_per_s"],
            "gen_sqlite_seconds": sqlite["seconds"],
            "gen_sqlite_peak_rss_mb": sqlite["peak_rss_mb"],
            "gen_peak_rss_mb": max(pg["peak_rss_mb"], sqlite["peak_rss_mb"]),
            **search,
            "loadavg_end": [round(x, 2) for x in os.getloadavg()],
        }
    )
    print(json.dumps(out, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
