"""The same rule trees compiled to SQL with SQLGlot, so a sweep can run inside PostgreSQL, DuckDB or
Spark SQL (docs/deploy.md) when a province outgrows one machine. Pure: builds text only.

Tables (a relational form of engine.SCHEMA):
- `<snapshot>`: enterprise_id, one column per stored scalar field (money/decimals as BIGINT
  scaled by 10^scale, dates as DATE, codes as text, credit grade as its rank 5..1) and
  `<field>__asof` DATE for fields that can go stale;
- `<snapshot>_tags(enterprise_id, value)`, `<snapshot>_licences(enterprise_id, value)`,
  `<snapshot>_penalties(enterprise_id, decided_on)`.

SQL's three-valued logic IS Kleene's logic: a comparison with NULL is NULL (UNKNOWN) and
AND/OR/NOT treat it as the reference evaluator does, so missing/stale data (NULL, via
CASE WHEN asof >= cutoff THEN value END) never becomes "eligible". As in the Polars engine each
distinct atom is computed once, in a CTE, and the policies combine its columns.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlglot import exp

from zqt.policies import catalog as cat
from zqt.policies.catalog import FIELDS
from zqt.policies.engine import asof_column, scaled
from zqt.policies.rules import Atom, Node, ResolvedAtom, Rule, bp, resolve, years_before

SET_TABLES = {"tags": "tags", "licences": "licences"}


def _date(day: dt.date) -> exp.Expression:
    return exp.cast(exp.Literal.string(day.isoformat()), "DATE")


def _num(n: int) -> exp.Expression:
    return exp.Literal.number(n)


def _cmp(left: exp.Expression, op: str, right: exp.Expression) -> exp.Expression:
    cls: Any = {
        "<": exp.LT,
        "<=": exp.LTE,
        ">": exp.GT,
        ">=": exp.GTE,
        "==": exp.EQ,
        "!=": exp.NEQ,
    }[op]
    return exp.Paren(this=cls(this=left, expression=right))


def _col(name: str) -> exp.Column:
    return exp.column(name, table="s")


def _value(name: str, today: dt.date) -> exp.Expression:
    spec = FIELDS[name]
    if spec.max_age_days is None:
        return _col(name)
    oldest = today - dt.timedelta(days=spec.max_age_days)
    fresh = exp.GTE(this=_col(asof_column(name)), expression=_date(oldest))
    return exp.Case(ifs=[exp.If(this=fresh, true=_col(name))])


def _case_then(cond: exp.Expression, value: exp.Expression) -> exp.Expression:
    return exp.Case(ifs=[exp.If(this=cond, true=value)])


def _side(snapshot: str, suffix: str) -> exp.Table:
    return exp.table_(f"{snapshot}_{suffix}", alias="x")


def atom_sql(ra: ResolvedAtom, today: dt.date, snapshot: str) -> exp.Expression:
    a, target = ra.atom, ra.value
    if a.op == "cmp":
        if target is None:
            return exp.cast(exp.null(), "BOOLEAN")
        spec = FIELDS[a.field]
        if spec.kind == cat.RATIO:
            num = exp.cast(_value(spec.numerator, today), "DECIMAL(38, 0)")
            den = exp.cast(_value(spec.denominator, today), "DECIMAL(38, 0)")
            exact = _cmp(
                exp.Mul(this=num, expression=_num(10000)),
                a.cmp,
                exp.Mul(this=_num(bp(target)), expression=den.copy()),
            )
            return _case_then(exp.NEQ(this=den.copy(), expression=_num(0)), exact)
        v = _value(a.field, today)
        if spec.kind in (cat.MONEY, cat.DECIMAL):
            return _cmp(v, a.cmp, _num(scaled(spec, target)))
        if spec.kind == cat.INT:
            return _cmp(v, a.cmp, _num(int(target)))
        return _cmp(v, a.cmp, _date(target))
    if a.op == "in":
        v = _value(a.field, today)
        return exp.Paren(this=exp.In(this=v, expressions=[exp.Literal.string(x) for x in a.values]))
    if a.op == "prefix":
        v = _value(a.field, today)
        parts: list[exp.Expression] = []
        for p in a.values:
            if a.field == "industry_code":
                codes, starts = cat.industry_prefix_codes(p)
                if codes:
                    parts.append(
                        exp.In(this=v.copy(), expressions=[exp.Literal.string(x) for x in codes])
                    )
                parts.extend(
                    exp.Like(this=v.copy(), expression=exp.Literal.string(f"{s}%")) for s in starts
                )
            else:
                parts.append(exp.Like(this=v.copy(), expression=exp.Literal.string(f"{p}%")))
        return exp.Paren(this=exp.or_(*parts))
    if a.op == "has":
        side = SET_TABLES[a.field]
        query = (
            exp.select("1")
            .from_(_side(snapshot, side))
            .where(
                exp.and_(
                    exp.EQ(
                        this=exp.column("enterprise_id", table="x"),
                        expression=_col("enterprise_id"),
                    ),
                    exp.EQ(
                        this=exp.column("value", table="x"),
                        expression=exp.Literal.string(str(a.value)),
                    ),
                )
            )
        )
        return exp.Exists(this=query)
    if a.op == "founded_within":
        return _cmp(_value("founded_on", today), ">", _date(years_before(today, a.years)))
    if a.op == "penalties_within":
        cutoff = years_before(today, a.years)
        count = (
            exp.select(exp.Count(this=exp.Star()))
            .from_(_side(snapshot, "penalties"))
            .where(
                exp.and_(
                    exp.EQ(
                        this=exp.column("enterprise_id", table="x"),
                        expression=_col("enterprise_id"),
                    ),
                    exp.GT(this=exp.column("decided_on", table="x"), expression=_date(cutoff)),
                    exp.LTE(this=exp.column("decided_on", table="x"), expression=_date(today)),
                )
            )
        )
        return _cmp(exp.Subquery(this=count), a.cmp, _num(int(target)))
    if a.op == "grade_at_least":
        return _cmp(_value("credit_grade", today), ">=", _num(cat.grade_rank(str(target))))
    raise AssertionError(a.op)  # pragma: no cover


def _tree(node: Node, column_of: dict[Atom, str]) -> exp.Expression:
    if node.atom is not None:
        return exp.column(column_of[node.atom], table="a")
    kids = [_tree(c, column_of) for c in node.children]
    if node.op == "all":
        return exp.Paren(this=exp.and_(*kids)) if len(kids) > 1 else kids[0]
    if node.op == "any":
        return exp.Paren(this=exp.or_(*kids)) if len(kids) > 1 else kids[0]
    if node.op == "not":
        return exp.Paren(this=exp.Not(this=kids[0]))
    if node.op == "unless":
        return exp.Paren(this=exp.and_(kids[0], exp.Not(this=kids[1])))
    raise AssertionError(node.op)


def compile_sweep(
    rules: Mapping[str, Rule], today: dt.date, *, snapshot: str = "policy_snapshot"
) -> exp.Select:
    """One SELECT returning enterprise_id and a nullable boolean column p_<key> per policy."""
    column_by_key: dict[str, str] = {}
    atom_columns: list[Any] = [_col("enterprise_id")]
    policy_columns: list[Any] = [exp.column("enterprise_id", table="a")]
    for policy_key, rule in rules.items():
        columns: dict[Atom, str] = {}
        for atom, ra in resolve(rule, today).items():
            if ra.key not in column_by_key:
                name = f"a{len(column_by_key)}"
                column_by_key[ra.key] = name
                atom_columns.append(exp.alias_(atom_sql(ra, today, snapshot), name))
            columns[atom] = column_by_key[ra.key]
        policy_columns.append(exp.alias_(_tree(rule.condition, columns), f"p_{policy_key}"))
    atoms = exp.select(*atom_columns).from_(exp.table_(snapshot, alias="s"))
    return exp.select(*policy_columns).from_("a").with_("a", as_=atoms)


def sweep_sql(
    rules: Mapping[str, Rule],
    today: dt.date,
    *,
    dialect: str,
    snapshot: str = "policy_snapshot",
) -> str:
    """The sweep as SQL text for `dialect` ("postgres", "duckdb", "spark", ...)."""
    return compile_sweep(rules, today, snapshot=snapshot).sql(dialect=dialect)
