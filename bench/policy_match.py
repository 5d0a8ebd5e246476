#!/usr/bin/env python3
"""Policy matching benchmark (issue 5). Runs with no arguments; needs no database (the sweep runs
on a columnar snapshot, which is what `policies.selectors.snapshot_chunks` builds from the
registry); the enterprises come from the same generator as `zqt gen-data`
(`zqt.enterprises.synthetic`), department-supplied figures (energy, booth fees, credit grade...)
are drawn at realistic rates on top, reproducibly.

1. Full sweep: ZQT_BENCH_ROWS (1,000,000) enterprises × 200 policies, Polars, chunked.
2. Province scale: ZQT_BENCH_BIG_ROWS (10,000,000) × 1,000 policies, streamed in chunks of
   ZQT_BENCH_CHUNK rows. The 10M snapshot is the 1M snapshot repeated with fresh ids (the
   generator makes 1M rows in about a minute on 2 cores; 10M would take 10) — every chunk is
   evaluated in full, so the evaluation cost is that of 10M distinct rows. Peak RSS of the
   process is reported.
3. Incremental re-match of one enterprise against 1,000 policies (reference evaluator, atoms
   shared between policies), p95 over 500 enterprises.
4. Baseline: the per-enterprise reference evaluator on the same 200 rules over
   ZQT_BENCH_REF_ROWS (100,000) enterprises, extrapolated to part 1's size; speed-up = that / (1).

Last line of output: one JSON object.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import resource
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
try:
    import polars  # noqa: F401
except ImportError:
    if VENV_PYTHON.exists() and Path(sys.executable) != VENV_PYTHON:
        os.execv(str(VENV_PYTHON), [str(VENV_PYTHON), *sys.argv])
    raise
sys.path.insert(0, str(ROOT / "src"))

import polars as pl  # noqa: E402

from zqt.enterprises import synthetic  # noqa: E402
from zqt.policies import catalog as cat  # noqa: E402
from zqt.policies import engine  # noqa: E402
from zqt.policies.rules import Facts, compile_rules, parse_rule  # noqa: E402

ROWS = int(os.environ.get("ZQT_BENCH_ROWS", "1000000"))
BIG_ROWS = int(os.environ.get("ZQT_BENCH_BIG_ROWS", "10000000"))
CHUNK = int(os.environ.get("ZQT_BENCH_CHUNK", "500000"))
REF_ROWS = int(os.environ.get("ZQT_BENCH_REF_ROWS", "100000"))
TODAY = dt.date(2026, 6, 30)
BATCH = 20_000


def _facts_for_batch(index: int) -> list[tuple[int, Facts]]:
    batch = synthetic.generate_batch(
        seed=7, batch_index=index, batch_size=BATCH, count=ROWS, today=TODAY
    )
    rng = random.Random(f"policy-bench:{index}")
    out: dict[int, Facts] = {}
    for e in batch.enterprises:
        f = Facts()
        f.values.update(
            registered_capital=e.registered_capital, revenue=e.revenue, rd_spend=e.rd_spend,
            employees=e.employees, founded_on=e.founded_on, region_code=e.region_code,
            industry_code=e.industry_code, entity_type=e.entity_type, status=e.status,
            scale=e.scale, lifecycle_stage=e.lifecycle_stage, tags=frozenset(),
            licences=frozenset(), penalties=(),
        )  # fmt: skip
        for name in ("revenue", "rd_spend", "employees"):
            f.as_of[name] = TODAY - dt.timedelta(days=rng.randint(0, 900))
        if rng.random() < 0.3:
            f.values["energy_intensity"] = Decimal(rng.randint(1000, 12000)) / 10000
            f.as_of["energy_intensity"] = TODAY - dt.timedelta(days=rng.randint(0, 500))
        if rng.random() < 0.05:
            f.values["exhibition_booth_fee"] = Decimal(rng.randint(500000, 8000000)) / 100
            f.as_of["exhibition_booth_fee"] = TODAY - dt.timedelta(days=rng.randint(0, 400))
        if rng.random() < 0.5:
            f.values["credit_grade"] = rng.choice(cat.GRADES)
            f.as_of["credit_grade"] = TODAY - dt.timedelta(days=rng.randint(0, 500))
        if rng.random() < 0.2:
            f.values["new_hires"] = rng.randint(0, 30)
            f.as_of["new_hires"] = TODAY - dt.timedelta(days=rng.randint(0, 400))
        out[e.ordinal] = f
    tags: dict[int, set[str]] = {}
    for t in batch.enterprise_tags:
        tags.setdefault(t.enterprise_index, set()).add(t.tag_code)
    for i, s in tags.items():
        out[i].values["tags"] = frozenset(s)
    for lic in batch.licences:
        if lic.status == "active" and (lic.expires_on is None or lic.expires_on >= TODAY):
            f = out[lic.enterprise_index]
            f.values["licences"] = f.values["licences"] | {lic.licence_type}
    for p in batch.penalties:
        f = out[p.enterprise_index]
        f.values["penalties"] = (*f.values["penalties"], p.decided_on)
    return sorted(out.items())


def _frame_for_batch(index: int) -> pl.DataFrame:
    return engine.frame_from_facts(_facts_for_batch(index))


def build_snapshot() -> pl.DataFrame:
    n = (ROWS + BATCH - 1) // BATCH
    with ProcessPoolExecutor(max_workers=2) as pool:
        frames = list(pool.map(_frame_for_batch, range(n)))
    return pl.concat(frames, rechunk=True)


# --- rules ------------------------------------------------------------------------------------

INDUSTRY = ["C", "I", "F", "G", "M", "13", "14", "17", "18", "26", "33", "34", "38", "39", "65"]
REGIONS = ["33", "3301", "3302", "3303", "3306", "3307", "3308", "330802", "330803", "330782"]
TAGS = list(cat.FIELDS["tags"].choices)


def _atom(rng: random.Random) -> dict[str, Any]:
    kind = rng.choice(["money", "ratio", "emp", "industry", "tag", "founded", "pen", "scale",
                       "energy", "grade", "booth", "hires"])  # fmt: skip
    ref = f"第{rng.randint(1, 9)}条"
    if kind == "money":
        f = rng.choice(["revenue", "registered_capital", "rd_spend"])
        v = str(rng.choice([10, 50, 100, 500, 1000, 2000, 5000]))
        return {"op": "cmp", "field": f, "cmp": rng.choice([">=", "<"]), "value": v, "ref": ref}
    if kind == "ratio":
        return {"op": "cmp", "field": "rd_ratio", "cmp": ">=",
                "value": rng.choice(["1", "2", "3", "3.5", "5"]), "ref": ref}  # fmt: skip
    if kind == "emp":
        return {"op": "cmp", "field": "employees", "cmp": rng.choice([">=", "<="]),
                "value": rng.choice([5, 10, 20, 50, 100, 300]), "ref": ref}  # fmt: skip
    if kind == "industry":
        return {"op": "prefix", "field": "industry_code",
                "prefixes": rng.sample(INDUSTRY, rng.randint(1, 3)), "ref": ref}  # fmt: skip
    if kind == "tag":
        return {"op": "has", "field": "tags", "value": rng.choice(TAGS), "ref": ref}
    if kind == "founded":
        return {"op": "founded_within", "years": rng.choice([3, 5, 10]), "ref": ref}
    if kind == "pen":
        return {"op": "penalties_within", "years": rng.choice([1, 2, 3]), "cmp": "==",
                "value": 0, "ref": ref}  # fmt: skip
    if kind == "scale":
        sizes = rng.sample(["large", "medium", "small", "micro"], 2)
        return {"op": "in", "field": "scale", "values": sizes, "ref": ref}
    if kind == "energy":
        return {"op": "cmp", "field": "energy_intensity", "cmp": "<",
                "value": rng.choice(["0.52", "0.6", "0.8"]), "ref": ref}  # fmt: skip
    if kind == "grade":
        return {"op": "grade_at_least", "grade": rng.choice(["A", "B", "C"]), "ref": ref}
    if kind == "booth":
        return {"op": "cmp", "field": "exhibition_booth_fee", "cmp": ">", "value": "0", "ref": ref}
    return {"op": "cmp", "field": "new_hires", "cmp": ">=", "value": rng.choice([1, 5]), "ref": ref}


def make_rules(n: int, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    rules = {}
    for i in range(n):
        items = [_atom(rng) for _ in range(rng.randint(2, 5))]
        if rng.random() < 0.3:
            items.append({"op": "any", "items": [_atom(rng), _atom(rng)]})
        if rng.random() < 0.15:
            items = [{"op": "unless", "rule": {"op": "all", "items": items}, "except": _atom(rng)}]
        items.append({"op": "in", "field": "status", "values": ["existing", "operating"],
                      "ref": "适用对象"})  # fmt: skip
        items.append({"op": "prefix", "field": "region_code",
                      "prefixes": [rng.choice(REGIONS)], "ref": "适用范围"})  # fmt: skip
        rules[f"p{i}"] = parse_rule({"condition": {"op": "all", "items": items}})
    return rules


def rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024


def main() -> None:
    out: dict[str, Any] = {"rows": ROWS, "big_rows": BIG_ROWS, "chunk": CHUNK}
    t = time.perf_counter()
    snapshot = build_snapshot()
    out["snapshot_build_s"] = round(time.perf_counter() - t, 2)
    print(f"snapshot: {snapshot.height} rows in {out['snapshot_build_s']} s", flush=True)
    rules200 = make_rules(200, 1)
    rules1000 = make_rules(1000, 2)

    # 1. 1M x 200
    plan = engine.compile_plan(rules200, TODAY)
    out["distinct_atoms_200"] = plan.distinct_atoms
    engine.evaluate_chunk(plan, snapshot.head(1000))  # warm-up (compilation of expressions)
    matched = [0]

    def count(result: engine.ChunkResult) -> None:
        matched[0] += sum(len(s) for s in result.eligible.values())

    t = time.perf_counter()
    totals = engine.sweep(plan, engine.chunked(snapshot, CHUNK), count)
    out["sweep_1m_x200_s"] = round(time.perf_counter() - t, 3)
    out["eligible_pairs_1m_x200"] = totals["eligible"]
    out["unknown_pairs_1m_x200"] = totals["unknown"]
    print(f"1. sweep {ROWS} x 200: {out['sweep_1m_x200_s']} s", flush=True)

    # 2. 10M x 1000, streamed
    plan1000 = engine.compile_plan(rules1000, TODAY)
    out["distinct_atoms_1000"] = plan1000.distinct_atoms

    def big_chunks() -> Any:
        produced = 0
        copy = 0
        while produced < BIG_ROWS:
            for chunk in engine.chunked(snapshot, CHUNK):
                if produced >= BIG_ROWS:
                    return
                take = chunk.head(BIG_ROWS - produced)
                yield take.with_columns(pl.col(engine.ID) + copy * ROWS)
                produced += take.height
            copy += 1

    t = time.perf_counter()
    big = engine.sweep(plan1000, big_chunks(), lambda r: None)
    out["sweep_10m_x1000_s"] = round(time.perf_counter() - t, 2)
    out["eligible_pairs_10m_x1000"] = big["eligible"]
    out["peak_rss_gb"] = round(rss_gb(), 2)
    print(f"2. sweep {BIG_ROWS} x 1000: {out['sweep_10m_x1000_s']} s", flush=True)

    # 3. incremental: one enterprise x 1000 policies (rules compiled once per day and cached
    # by the worker; compiling is reported separately)
    t = time.perf_counter()
    compiled1000 = compile_rules(rules1000, TODAY)
    out["incremental_compile_ms"] = round((time.perf_counter() - t) * 1000, 1)
    facts = [f for _i, f in _facts_for_batch(0)[:500]]
    times = []
    for f in facts:
        t = time.perf_counter()
        compiled1000.verdicts(f)
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    out["incremental_p50_ms"] = round(statistics.median(times), 2)
    out["incremental_p95_ms"] = round(times[int(len(times) * 0.95) - 1], 2)
    print(f"3. incremental p95: {out['incremental_p95_ms']} ms", flush=True)

    # 4. reference evaluator baseline on the same 200 rules (one enterprise at a time)
    ref_rows = []
    for i in range((REF_ROWS + BATCH - 1) // BATCH):
        ref_rows.extend(f for _i, f in _facts_for_batch(i))
    ref_rows = ref_rows[:REF_ROWS]
    compiled200 = compile_rules(rules200, TODAY)
    t = time.perf_counter()
    for f in ref_rows:
        compiled200.verdicts(f)
    ref_s = time.perf_counter() - t
    out["reference_rows"] = len(ref_rows)
    out["reference_s"] = round(ref_s, 2)
    out["reference_extrapolated_1m_s"] = round(ref_s * ROWS / len(ref_rows), 1)
    out["speedup_vs_reference"] = round(
        out["reference_extrapolated_1m_s"] / out["sweep_1m_x200_s"], 1
    )
    out["peak_rss_gb"] = round(rss_gb(), 2)
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
