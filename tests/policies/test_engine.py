"""Differential tests: the vectorised Polars engine and the SQL forms (DuckDB, PostgreSQL) agree
with the per-enterprise reference evaluator on random rules and random enterprises."""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs

from tests.policies.strategies import TODAY, facts, rule_document
from zqt.policies import engine, sqlcompile
from zqt.policies.rules import Facts, Rule, evaluate, parse_rule

DIFF = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _reference(rules: dict[str, Rule], rows: list[Facts], today: dt.date) -> dict[str, list[Any]]:
    return {k: [evaluate(r, f, today).verdict for f in rows] for k, r in rules.items()}


@DIFF
@given(
    docs=hs.lists(rule_document(), min_size=1, max_size=5),
    rows=hs.lists(facts(), min_size=1, max_size=25),
    today=hs.sampled_from([TODAY, dt.date(2024, 2, 29), dt.date(2026, 12, 31)]),
)
def test_polars_engine_agrees_with_the_reference(
    docs: list[dict[str, Any]], rows: list[Facts], today: dt.date
) -> None:
    rules = {f"p{i}": parse_rule(d) for i, d in enumerate(docs)}
    frame = engine.frame_from_facts(list(enumerate(rows)))
    plan = engine.compile_plan(rules, today)
    got = engine.verdict_frame(plan, frame)
    expected = _reference(rules, rows, today)
    for key in rules:
        assert got[key].to_list() == expected[key], (key, docs)
    # streamed in chunks, the eligible/unknown sets are the same
    eligible: dict[str, set[int]] = {k: set() for k in rules}
    unknown: dict[str, set[int]] = {k: set() for k in rules}

    def sink(result: engine.ChunkResult) -> None:
        for k in rules:
            eligible[k] |= set(result.eligible[k].to_list())
            unknown[k] |= set(result.unknown[k].to_list())

    engine.sweep(plan, engine.chunked(frame, 7), sink)
    for key in rules:
        assert eligible[key] == {i for i, v in enumerate(expected[key]) if v is True}
        assert unknown[key] == {i for i, v in enumerate(expected[key]) if v is None}


_SQL_TYPES = {pl.Int64: "BIGINT", pl.Date: "DATE", pl.Utf8: "TEXT", pl.Int8: "SMALLINT"}
_SIDES = (
    ("tags", "value", "TEXT"),
    ("licences", "value", "TEXT"),
    ("penalties", "decided_on", "DATE"),
)


def load_snapshot(cur: Any, frame: pl.DataFrame, *, temp: bool, mark: str) -> None:
    """Create and fill the relational snapshot tables (sqlcompile's layout) with `cur`."""
    kw = "TEMP TABLE" if temp else "TABLE"
    scalar = [
        (n, _SQL_TYPES[t])
        for n, t in engine.SCHEMA.items()
        if n not in dict.fromkeys(s[0] for s in _SIDES)
    ]
    cur.execute(f"CREATE {kw} policy_snapshot ({', '.join(f'{n} {t}' for n, t in scalar)})")
    for name, column, sql_type in _SIDES:
        cur.execute(
            f"CREATE {kw} policy_snapshot_{name} (enterprise_id BIGINT, {column} {sql_type})"
        )
    names = [n for n, _ in scalar]
    values = ", ".join([mark] * len(names))
    for row in frame.iter_rows(named=True):
        cur.execute(f"INSERT INTO policy_snapshot VALUES ({values})", [row[n] for n in names])  # noqa: S608
        for name, _column, _type in _SIDES:
            for item in row[name] or []:
                cur.execute(
                    f"INSERT INTO policy_snapshot_{name} VALUES ({mark}, {mark})",  # noqa: S608
                    [row[engine.ID], item],
                )


@DIFF
@given(
    docs=hs.lists(rule_document(), min_size=1, max_size=4),
    rows=hs.lists(facts(), min_size=1, max_size=20),
)
def test_duckdb_sql_agrees_with_the_reference(
    docs: list[dict[str, Any]], rows: list[Facts]
) -> None:
    rules = {f"p{i}": parse_rule(d) for i, d in enumerate(docs)}
    frame = engine.frame_from_facts(list(enumerate(rows)))
    con = duckdb.connect()
    load_snapshot(con, frame, temp=False, mark="?")
    sql = sqlcompile.sweep_sql(rules, TODAY, dialect="duckdb")
    result = con.execute(sql + " ORDER BY enterprise_id").fetchall()
    expected = _reference(rules, rows, TODAY)
    for i, key in enumerate(rules, start=1):
        assert [r[i] for r in result] == expected[key], (key, docs, sql)


def test_spark_sql_form_is_produced() -> None:
    rule = parse_rule(
        {"condition": {"op": "all", "items": [
            {"op": "has", "field": "tags", "value": "high_tech", "ref": "一"},
            {"op": "cmp", "field": "rd_ratio", "cmp": ">=", "value": "3", "ref": "二"}]}}
    )  # fmt: skip
    sql = sqlcompile.sweep_sql({"x": rule}, TODAY, dialect="spark")
    assert "EXISTS" in sql and "policy_snapshot_tags" in sql


@pytest.mark.django_db
def test_postgresql_sql_agrees_with_the_reference() -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL form is checked when the suite runs on PostgreSQL")

    @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
    @given(
        docs=hs.lists(rule_document(), min_size=1, max_size=4),
        rows=hs.lists(facts(), min_size=1, max_size=15),
    )
    def check(docs: list[dict[str, Any]], rows: list[Facts]) -> None:
        rules = {f"p{i}": parse_rule(d) for i, d in enumerate(docs)}
        frame = engine.frame_from_facts(list(enumerate(rows)))
        with connection.cursor() as cur:
            cur.execute("SAVEPOINT snap")
            load_snapshot(cur, frame, temp=True, mark="%s")
            cur.execute(sqlcompile.sweep_sql(rules, TODAY, dialect="postgres") + " ORDER BY 1")
            result = cur.fetchall()
            cur.execute("ROLLBACK TO SAVEPOINT snap")
        expected = _reference(rules, rows, TODAY)
        for i, key in enumerate(rules, start=1):
            assert [r[i] for r in result] == expected[key], (key, docs)

    check()


@DIFF
@given(
    docs=hs.lists(rule_document(), min_size=1, max_size=6),
    rows=hs.lists(facts(), min_size=1, max_size=10),
)
def test_compiled_reference_agrees_with_evaluate(
    docs: list[dict[str, Any]], rows: list[Facts]
) -> None:
    from zqt.policies.rules import compile_rules

    rules = {f"p{i}": parse_rule(d) for i, d in enumerate(docs)}
    compiled = compile_rules(rules, TODAY)
    for f in rows:
        got = compiled.verdicts(f)
        assert got == {k: evaluate(r, f, TODAY).verdict for k, r in rules.items()}
