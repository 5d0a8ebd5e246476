#!/usr/bin/env python3
"""Benchmark: set-based credit recompute and a 双随机 draw over 1,000,000 enterprises, PostgreSQL.

    python3 bench/credit.py                  # 1,000,000 enterprises
    ZQT_BENCH_N=100000 python3 bench/credit.py

1. A fresh database zqt_bench_credit_<pid> on the server of DATABASE_URL (default
   postgres://postgres@127.0.0.1:5432/zqt_bench): `zqt migrate`, `zqt load_reference`,
   `zqt gen-data --enterprises N` (synthetic province: penalties ~3%, credit records ~10%);
   plus 50,000 credit events (inspection findings, upheld complaints) spread over enterprises.
   Dropped at the end (ZQT_BENCH_KEEP=1 keeps it).
2. Credit recompute, all enterprises (credit.services.credit_recompute_all: ONE
   INSERT … SELECT … ON CONFLICT statement): first run (every score row inserted), second run
   (nothing changed: nothing rewritten), then the incremental recompute of one enterprise
   (p50/p95 over 200 enterprises).
3. A draw over the whole province (N enterprises, weights by grade, 40 inspectors, K=1,000,
   M=2, region conflicts): `inspection_draw_commit` (population frozen: query, weights,
   snapshot, digest, commitment) and `draw_execute` (engine + 1,000 planned inspections) timed
   separately, and the pure engine over the same population. `draw_1m_s` is the draw itself
   (draw_execute); the freeze is reported as `draw_commit_1m_s`.

Prints progress, then ONE JSON object on the last line.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"

try:
    import django
except ImportError:  # started with the system python: re-run inside the project's venv
    if VENV_PYTHON.exists() and Path(sys.executable) != VENV_PYTHON:
        os.execv(str(VENV_PYTHON), [str(VENV_PYTHON), *sys.argv])
    raise

N = int(os.environ.get("ZQT_BENCH_N", "1000000"))
EVENTS = min(50_000, N // 20)
K, M, INSPECTORS = min(1000, N // 10), 2, 40
BASE_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/zqt_bench")
ZQT = [str(VENV_PYTHON if VENV_PYTHON.exists() else sys.executable), "-m", "zqt.manage"]


def say(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def _db_url(name: str) -> str:
    parts = urllib.parse.urlsplit(BASE_URL)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(_db_url("postgres"), autocommit=True) as conn:
        conn.execute(sql)


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def _prepare(url: str) -> float:
    env = dict(os.environ, DATABASE_URL=url, DJANGO_SETTINGS_MODULE="zqt.config.settings.test")
    subprocess.run([*ZQT, "migrate", "-v", "0"], env=env, check=True)
    subprocess.run([*ZQT, "load_reference"], env=env, check=True, stdout=subprocess.DEVNULL)
    say(f"gen-data --enterprises {N}")
    t0 = time.perf_counter()
    subprocess.run(
        [*ZQT, "gen-data", "--enterprises", str(N), "--seed", "2026", "--no-progress"],
        env=env, check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    return time.perf_counter() - t0


def _events() -> None:
    """Credit events for every 20th enterprise, in one INSERT … SELECT."""
    from django.db import connection

    from zqt.credit.models import CreditEvent

    table = connection.ops.quote_name(CreditEvent._meta.db_table)
    with connection.cursor() as cur:
        cur.execute(
            f"""INSERT INTO {table} (enterprise_id, factor, title, source_department,
                                     occurred_on, source_key, created_at, updated_at)
                SELECT id, CASE WHEN id %% 3 = 0 THEN 'complaint_upheld' ELSE 'finding_yellow' END,
                       '基准测试事件', '市场监督管理局', CURRENT_DATE - (id %% 300)::int,
                       'bench:' || id, now(), now()
                  FROM enterprises_enterprise WHERE id %% 20 = 0 LIMIT %s""",
            [EVENTS],
        )


def _staff() -> object:
    from zqt.accounts.enums import Role
    from zqt.accounts.models import Department, OrgUnit, User

    province = OrgUnit.objects.get(code="330000")
    dept = Department.objects.get(code="330000-market_regulation")
    reviewer = User.objects.create(
        username="bench_reviewer", role=Role.DEPARTMENT_REVIEWER, org_unit=province
    )
    reviewer.departments.add(dept)
    for n in range(INSPECTORS):
        person = User.objects.create(
            username=f"bench_insp{n:02d}",
            role=Role.INSPECTOR,
            org_unit=province,
            full_name=f"执法{n}",
        )
        person.departments.add(dept)
    from zqt.supervision.services import inspector_profile_set

    counties = list(OrgUnit.objects.filter(level="county").values_list("code", flat=True))
    for n, person in enumerate(User.objects.filter(role=Role.INSPECTOR)):
        inspector_profile_set(
            user=reviewer, inspector=person, home_region_code=counties[n % len(counties)]
        )
    return reviewer


def main() -> None:
    name = f"zqt_bench_credit_{os.getpid()}"
    url = _db_url(name)
    _admin(f'DROP DATABASE IF EXISTS "{name}"')
    _admin(f'CREATE DATABASE "{name}"')
    try:
        gen_s = _prepare(url)
        os.environ["DATABASE_URL"] = url
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zqt.config.settings.test")
        django.setup()
        from django.db import connection
        from django.db.models import Count

        from zqt.credit import services as credit
        from zqt.credit.models import CreditScore
        from zqt.enterprises.models import Enterprise
        from zqt.supervision import draw_engine, selectors, services

        _events()
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
        say("credit recompute (all), first run")
        t0 = time.perf_counter()
        first = credit.credit_recompute_all()
        first_s = time.perf_counter() - t0
        say(f"  {first.changed} rows in {first_s:.1f} s; second run")
        t0 = time.perf_counter()
        second = credit.credit_recompute_all()
        second_s = time.perf_counter() - t0
        grades = dict(
            CreditScore.objects.values_list("grade").annotate(n=Count("pk")).order_by("grade")
        )
        ids = list(Enterprise.objects.order_by("?").values_list("pk", flat=True)[:200])
        one: list[float] = []
        for enterprise in Enterprise.objects.filter(pk__in=ids):
            t0 = time.perf_counter()
            credit.credit_recompute_one(enterprise=enterprise)
            one.append((time.perf_counter() - t0) * 1000)

        reviewer = _staff()
        say(f"draw over {N}: commit (freeze population)")
        t0 = time.perf_counter()
        draw = services.inspection_draw_commit(
            user=reviewer, title="基准测试全省抽查", department_code="330000-market_regulation",
            k=K, m=M, region_conflict=True, recent_days=365,
        )  # fmt: skip
        commit_s = time.perf_counter() - t0
        say(f"  population {draw.population_size} frozen in {commit_s:.1f} s; draw")
        t0 = time.perf_counter()
        draw = services.draw_execute(user=reviewer, number=draw.number)
        draw_s = time.perf_counter() - t0
        subjects = draw_engine.parse_population(selectors.population_lines(draw))
        t0 = time.perf_counter()
        draw_engine.draw(
            seed=bytes.fromhex(draw.seed_hex),
            subjects=subjects,
            k=K,
            assignees=draw_engine.parse_pool(draw.pool),
            m=M,
            region_conflict=True,
        )
        engine_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        ok = selectors.draw_verify(draw).ok
        verify_s = time.perf_counter() - t0
        result = {
            "bench": "credit",
            "enterprises": N,
            "credit_events": EVENTS,
            "gen_data_s": round(gen_s, 1),
            "credit_recompute_1m_s": round(first_s, 2),
            "credit_recompute_rows": first.changed,
            "credit_recompute_unchanged_s": round(second_s, 2),
            "credit_recompute_unchanged_rows": second.changed,
            "credit_recompute_one_p50_ms": round(statistics.median(one), 2),
            "credit_recompute_one_p95_ms": round(_percentile(one, 95), 2),
            "grades": grades,
            "draw_population": draw.population_size,
            "draw_k": K,
            "draw_m": M,
            "draw_1m_s": round(draw_s, 2),
            "draw_engine_1m_s": round(engine_s, 2),
            "draw_commit_1m_s": round(commit_s, 2),
            "draw_verify_s": round(verify_s, 2),
            "draw_verified": ok,
            "postgres": connection.cursor().connection.info.server_version,
            "cpus": os.cpu_count(),
        }
        connection.close()
    finally:
        if not os.environ.get("ZQT_BENCH_KEEP"):
            try:
                _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            except Exception as exc:
                say(f"could not drop {name}: {exc}")
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
