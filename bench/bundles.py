#!/usr/bin/env python3
"""Benchmark: 一类事 bundle cases through the service layer on PostgreSQL.

    python3 bench/bundles.py                 # 10,000 cases x 5 department tasks
    ZQT_BENCH_CASES=2000 python3 bench/bundles.py

1. A fresh database zqt_bench_bundles_<pid> on the server of DATABASE_URL (default
   postgres://postgres@127.0.0.1:5432/zqt_bench), migrated and loaded with the reference data;
   dropped at the end.
2. 200 enterprises in 柯城区 (enterprises.services.enterprise_create) and a front-desk officer who
   files for them. Then ZQT_BENCH_CASES cases of 歇业一件事 with all 5 items (5 department tasks;
   two are routed through the service centre), one 4 KB PDF each plus one informed commitment
   (so a verification task too), each through bundles.services.case_submit with its own
   idempotency key, in ZQT_BENCH_WORKERS processes (default 2 = the machine's cores). Reported:
   cases/s over the wall time of the submit phase, and per-submit p50/p95.
3. The aggregated status page of a case with 20 items (a 20-item definition saved through
   bundle_definition_save, 10 of the tasks decided): GET /bundles/cases/<number>/ through
   Django's test client as the enterprise user, 200 times after 10 warm-ups; p50/p95.

Materials go to Django's in-memory storage (test settings), so the figure is the database and
Python cost of a submit, not disk speed. Prints progress, then ONE JSON object on the last line.
"""

from __future__ import annotations

import json
import multiprocessing
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
    import django  # noqa: F401
except ImportError:  # started with the system python: re-run inside the project's venv
    if VENV_PYTHON.exists() and Path(sys.executable) != VENV_PYTHON:
        os.execv(str(VENV_PYTHON), [str(VENV_PYTHON), *sys.argv])
    raise

CASES = int(os.environ.get("ZQT_BENCH_CASES", "10000"))
WORKERS = int(os.environ.get("ZQT_BENCH_WORKERS", "2"))
ENTERPRISES = 200
PAGE_REQUESTS = 200
BASE_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/zqt_bench")
ZQT = [str(VENV_PYTHON if VENV_PYTHON.exists() else sys.executable), "-m", "zqt.manage"]
PDF = b"%PDF-1.4\n" + b"0" * 4096 + b"\n%%EOF\n"


def say(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def _db_url(name: str) -> str:
    parts = urllib.parse.urlsplit(BASE_URL)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(_db_url("postgres"), autocommit=True) as conn:
        conn.execute(sql)


def _setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zqt.config.settings.test")
    import django

    django.setup()


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def _worker(args: tuple[str, list[str], int, int]) -> list[float]:
    url, usccs, start, count = args
    _setup_django(url)
    from django.core.files.uploadedfile import SimpleUploadedFile

    from zqt.accounts.models import User
    from zqt.bundles.services import case_submit

    desk = User.objects.get(username="bench_desk")
    timings: list[float] = []
    for n in range(start, start + count):
        uscc = usccs[n % len(usccs)]
        t0 = time.perf_counter()
        case_submit(
            user=desk,
            bundle_code="LXIEYE",
            uscc=uscc,
            items=["XY01", "XY02", "XY03", "XY04", "XY05"],
            data={
                "enterprise_name": "基准测试企业",
                "uscc": uscc,
                "address": "柯城区测试路1号",
                "contact_name": "张三",
                "contact_phone": "0570-1234567",
                "employees": "10",
                "suspend_from": "2026-03-01",
                "suspend_until": "2026-09-30",
                "suspend_reason": "基准测试",
                "service_address": "柯城区测试路1号",
                "housing_fund_plan": "缓缴",
            },
            files={
                "application": SimpleUploadedFile("a.pdf", PDF),
                "info_sheet": SimpleUploadedFile("b.pdf", PDF),
            },
            commitments=["debt_statement"],
            idempotency_key=f"bench-{n:08d}-key",
        )
        timings.append((time.perf_counter() - t0) * 1000)
    return timings


def _prepare() -> list[str]:
    import datetime as dt

    from zqt.accounts.enums import Role
    from zqt.accounts.services import user_create
    from zqt.core.identifiers import make_id_number, make_uscc
    from zqt.core.reference import reference_load_all
    from zqt.enterprises.services import enterprise_create

    reference_load_all()
    user_create(
        actor=None,
        username="bench_desk",
        role=Role.FRONT_DESK,
        password="x-bench-2026",
        org_unit_code="330802",
    )
    user_create(
        actor=None,
        username="bench_ops",
        role=Role.OPERATIONS,
        password="x-bench-2026",
        org_unit_code="330802",
    )
    usccs = []
    for n in range(ENTERPRISES):
        e = enterprise_create(
            user=None,
            uscc=make_uscc(region_code="330802", serial=500_000 + n),
            name=f"衢州基准测试{n}号有限公司",
            entity_type="limited",
            legal_rep_name="张三",
            legal_rep_id_number=make_id_number(
                region_code="330802", birth_date=dt.date(1980, 1, 1), sequence=n % 999
            ),
            registered_capital="100",
            founded_on="2020-01-01",
            address="柯城区测试路1号",
            region_code="330802",
            industry_code="39",
            scale="small",
            lifecycle_stage="growth",
            audit=False,
        )
        usccs.append(e.uscc)
    return usccs


def _status_page(usccs: list[str]) -> dict[str, float]:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from zqt.accounts.enums import Role
    from zqt.accounts.models import Department, User
    from zqt.accounts.services import user_create
    from zqt.bundles.models import CaseTask
    from zqt.bundles.services import bundle_definition_save, case_submit, task_decide
    from zqt.enterprises.models import Enterprise, EnterpriseMembership

    departments = ["market_regulation", "taxation", "human_resources", "transport", "commerce"]
    doc = {
        "fields": [
            {
                "key": "enterprise_name",
                "label": "企业名称",
                "type": "text",
                "required": True,
                "prefill": "name",
            }
        ],
        "materials": [{"key": "application", "label": "申请书", "types": ["pdf"], "max_mb": 10}],
        "items": [
            {
                "code": f"T{n:02d}",
                "name": f"联办事项{n}",
                "department": departments[n % 5],
                "department_name": f"部门{n % 5}",
                "deadline_days": 3,
                "fields": ["enterprise_name"],
                "materials": ["application"],
                "result": f"结果文书{n}",
            }
            for n in range(1, 21)
        ],
    }
    ops = User.objects.get(username="bench_ops")
    bundle_definition_save(user=ops, bundle_code="B0602", document=doc, note="基准：20 项")
    owner = user_create(
        actor=None, username="bench_owner", role=Role.ENTERPRISE, password="x-bench-2026"
    )
    enterprise = Enterprise.objects.get(uscc=usccs[0])
    EnterpriseMembership.objects.create(user=owner, enterprise=enterprise)
    case = case_submit(
        user=owner,
        bundle_code="B0602",
        uscc=usccs[0],
        items=[f"T{n:02d}" for n in range(1, 21)],
        data={"enterprise_name": enterprise.name},
        files={"application": SimpleUploadedFile("a.pdf", PDF)},
        idempotency_key="bench-status-page-case",
    )
    reviewers = {}
    for key in departments:
        r = user_create(
            actor=None,
            username=f"bench_{key}",
            role=Role.DEPARTMENT_REVIEWER,
            password="x-bench-2026",
            org_unit_code="330802",
        )
        r.departments.add(Department.objects.get(code=f"330802-{key}"))
        reviewers[f"330802-{key}"] = r
    for task in list(CaseTask.objects.filter(case=case).order_by("id"))[:10]:
        task_decide(user=reviewers[task.department_code], task_id=task.pk, action="approve")
    client = Client()
    client.force_login(owner)
    url = f"/bundles/cases/{case.number}/"
    for _ in range(10):
        assert client.get(url).status_code == 200
    timings = []
    for _ in range(PAGE_REQUESTS):
        t0 = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200
    return {"p50": statistics.median(timings), "p95": _percentile(timings, 95)}


def main() -> None:
    name = f"zqt_bench_bundles_{os.getpid()}"
    _admin(f'CREATE DATABASE "{name}"')
    url = _db_url(name)
    try:
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "zqt.config.settings.test",
        }
        say(f"migrating {name}")
        subprocess.run([*ZQT, "migrate", "--noinput", "-v", "0"], check=True, env=env, cwd=ROOT)
        _setup_django(url)
        usccs = _prepare()
        from django.db import connections

        connections.close_all()
        say(f"submitting {CASES} cases x 5 tasks with {WORKERS} workers")
        per = CASES // WORKERS
        chunks = [
            (url, usccs, w * per, per if w < WORKERS - 1 else CASES - per * (WORKERS - 1))
            for w in range(WORKERS)
        ]
        t0 = time.perf_counter()
        with multiprocessing.get_context("spawn").Pool(WORKERS) as pool:
            results = pool.map(_worker, chunks)
        wall = time.perf_counter() - t0
        timings = [t for r in results for t in r]
        from zqt.bundles.models import Case, CaseTask

        cases, tasks = Case.objects.count(), CaseTask.objects.count()
        assert cases == CASES and tasks == CASES * 5, (cases, tasks)
        say(f"{cases} cases, {tasks} tasks in {wall:.1f} s")
        page = _status_page(usccs)
        say(f"status page p50 {page['p50']:.1f} ms, p95 {page['p95']:.1f} ms")
        connections.close_all()
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print(
        json.dumps(
            {
                "cases": CASES,
                "tasks": CASES * 5,
                "workers": WORKERS,
                "seconds": round(wall, 2),
                "cases_per_s": round(CASES / wall, 1),
                "submit_p50_ms": round(statistics.median(timings), 2),
                "submit_p95_ms": round(_percentile(timings, 95), 2),
                "status_page_items": 20,
                "status_page_p50_ms": round(page["p50"], 2),
                "status_page_p95_ms": round(page["p95"], 2),
            }
        )
    )


if __name__ == "__main__":
    main()
