"""The vectorised matching engine (Polars). Pure: no ORM.

The input is a columnar snapshot of enterprises (see `SCHEMA`): one row per enterprise, money and
decimals as integers scaled by 10^scale (exact), dates as dates, tags/licences as lists, penalty
decision dates as a list, and an `<field>__asof` date column for every field that can go stale.

A sweep takes the rules of all active policies, resolves their dated parameters for the sweep
date, collects the DISTINCT atomic conditions (an atom shared by 50 policies is one column),
evaluates each once per chunk as a nullable boolean column (null = UNKNOWN), then combines the
atom columns per policy with Kleene AND/OR/NOT — Polars' boolean operators on nullable columns
are exactly Kleene's logic, as is SQL's (see sqlcompile.py). Chunks stream: memory is bounded by
the chunk size times the number of atoms, whatever the number of enterprises.

The per-enterprise reference evaluator (rules.evaluate) is the specification; the property test
in tests/policies checks that both agree on random rules and random enterprises.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import polars as pl

from zqt.policies import catalog as cat
from zqt.policies.catalog import FIELDS
from zqt.policies.rules import Atom, Facts, Node, ResolvedAtom, Rule, bp, resolve, years_before

ID = "enterprise_id"


def _dtype(spec: cat.FieldSpec) -> Any:
    kind = spec.kind
    if kind in (cat.MONEY, cat.DECIMAL, cat.INT):
        return pl.Int64
    if kind == cat.DATE:
        return pl.Date
    if kind == cat.CODE:
        return pl.Utf8
    if kind == cat.GRADE:
        return pl.Int8
    if kind == cat.SET:
        return pl.List(pl.Utf8)
    if kind == cat.EVENTS:
        return pl.List(pl.Date)
    raise AssertionError(kind)


def asof_column(name: str) -> str:
    return f"{name}__asof"


def stored_fields() -> list[cat.FieldSpec]:
    return [f for f in FIELDS.values() if f.kind != cat.RATIO]


SCHEMA: dict[str, Any] = {ID: pl.Int64}
for _spec in stored_fields():
    SCHEMA[_spec.name] = _dtype(_spec)
    if _spec.max_age_days is not None:
        SCHEMA[asof_column(_spec.name)] = pl.Date


def scaled(spec: cat.FieldSpec, value: Decimal) -> int:
    """An exact decimal as the integer the snapshot stores (refuses extra decimal places)."""
    out = value.scaleb(spec.scale)
    if out != out.to_integral_value():
        raise ValueError(f"{spec.name}: {value} has more than {spec.scale} decimal places")
    return int(out)


def encode_value(spec: cat.FieldSpec, value: Any) -> Any:
    if value is None:
        return None
    if spec.kind in (cat.MONEY, cat.DECIMAL):
        return scaled(spec, value)
    if spec.kind == cat.GRADE:
        return cat.grade_rank(value)
    if spec.kind == cat.SET:
        return sorted(value)
    if spec.kind == cat.EVENTS:
        return list(value)
    return value


def frame_from_facts(rows: Sequence[tuple[int, Facts]]) -> pl.DataFrame:
    """A snapshot frame from (enterprise id, Facts) pairs (tests, incremental use, small sets)."""
    columns: dict[str, list[Any]] = {name: [] for name in SCHEMA}
    for enterprise_id, facts in rows:
        columns[ID].append(enterprise_id)
        for spec in stored_fields():
            columns[spec.name].append(encode_value(spec, facts.values.get(spec.name)))
            if spec.max_age_days is not None:
                columns[asof_column(spec.name)].append(facts.as_of.get(spec.name))
    return pl.DataFrame(columns, schema=SCHEMA)


# --- compiling atoms --------------------------------------------------------------------------


def _value(name: str, today: dt.date) -> pl.Expr:
    """The column of field `name`, null where the value is stale."""
    spec = FIELDS[name]
    column = pl.col(name)
    if spec.max_age_days is None:
        return column
    oldest = today - dt.timedelta(days=spec.max_age_days)
    return pl.when(pl.col(asof_column(name)) >= pl.lit(oldest)).then(column)


def _cmp(left: pl.Expr, op: str, right: pl.Expr) -> pl.Expr:
    if op == "<":
        return left < right
    if op == "<=":
        return left <= right
    if op == ">":
        return left > right
    if op == ">=":
        return left >= right
    if op == "==":
        return left == right
    return left != right


def atom_expr(ra: ResolvedAtom, today: dt.date) -> pl.Expr:
    """A nullable boolean expression for one resolved atom (null = UNKNOWN)."""
    a, target = ra.atom, ra.value
    if a.op == "cmp":
        if target is None:
            return pl.lit(None, dtype=pl.Boolean)
        spec = FIELDS[a.field]
        if spec.kind == cat.RATIO:
            num = _value(spec.numerator, today).cast(pl.Int128)
            den = _value(spec.denominator, today).cast(pl.Int128)
            exact = _cmp(num * 10000, a.cmp, pl.lit(bp(target), pl.Int128) * den)
            return pl.when(den != 0).then(exact)
        v = _value(a.field, today)
        if spec.kind in (cat.MONEY, cat.DECIMAL):
            return _cmp(v, a.cmp, pl.lit(scaled(spec, target), pl.Int64))
        if spec.kind == cat.INT:
            return _cmp(v, a.cmp, pl.lit(target, pl.Int64))
        return _cmp(v, a.cmp, pl.lit(target, pl.Date))
    if a.op == "in":
        v = _value(a.field, today)
        return pl.when(v.is_not_null()).then(v.is_in(list(a.values)))
    if a.op == "prefix":
        v = _value(a.field, today)
        parts: list[pl.Expr] = []
        for p in a.values:
            if a.field == "industry_code":
                codes, starts = cat.industry_prefix_codes(p)
                if codes:
                    parts.append(v.is_in(list(codes)))
                parts.extend(v.str.starts_with(s) for s in starts)
            else:
                parts.append(v.str.starts_with(p))
        return pl.when(v.is_not_null()).then(pl.any_horizontal(parts))
    if a.op == "has":
        v = _value(a.field, today)
        return pl.when(v.is_not_null()).then(v.list.contains(pl.lit(a.value)))
    if a.op == "founded_within":
        return _value("founded_on", today) > pl.lit(years_before(today, a.years))
    if a.op == "penalties_within":
        v = _value("penalties", today)
        cutoff = years_before(today, a.years)
        within = (pl.element() > pl.lit(cutoff)) & (pl.element() <= pl.lit(today))
        count = v.list.eval(within.cast(pl.Int64)).list.sum()
        return pl.when(v.is_not_null()).then(_cmp(count, a.cmp, pl.lit(int(target))))
    if a.op == "grade_at_least":
        rank = cat.grade_rank(str(target))
        return _value("credit_grade", today) >= pl.lit(rank, pl.Int8)
    raise AssertionError(a.op)  # pragma: no cover


def tree_expr(node: Node, column_of: Callable[[Atom], str]) -> pl.Expr:
    if node.atom is not None:
        return pl.col(column_of(node.atom))
    kids = [tree_expr(c, column_of) for c in node.children]
    if node.op == "all":
        return pl.all_horizontal(kids) if len(kids) > 1 else kids[0]
    if node.op == "any":
        return pl.any_horizontal(kids) if len(kids) > 1 else kids[0]
    if node.op == "not":
        return ~kids[0]
    if node.op == "unless":
        return kids[0] & ~kids[1]
    raise AssertionError(node.op)


# --- the sweep --------------------------------------------------------------------------------


@dataclass
class Plan:
    """Compiled rules of a set of policies for one date: distinct atoms and one tree each."""

    today: dt.date
    atom_exprs: dict[str, pl.Expr]  # atom column → expression
    policy_exprs: dict[str, pl.Expr]  # policy key → expression over atom columns
    atom_keys: dict[str, str] = field(default_factory=dict)  # atom column → canonical key
    policy_atoms: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    @property
    def distinct_atoms(self) -> int:
        return len(self.atom_exprs)

    def columns_needed(self) -> list[str]:
        return list(SCHEMA)


def compile_plan(rules: Mapping[str, Rule], today: dt.date) -> Plan:
    """Compile `rules` (policy key → Rule) for `today`, sharing identical atoms."""
    column_by_key: dict[str, str] = {}
    atom_exprs: dict[str, pl.Expr] = {}
    atom_keys: dict[str, str] = {}
    policy_exprs: dict[str, pl.Expr] = {}
    policy_atoms: dict[str, list[tuple[str, str]]] = {}
    for policy_key, rule in rules.items():
        resolved = resolve(rule, today)
        columns: dict[Atom, str] = {}
        for atom, ra in resolved.items():
            key = ra.key
            if key not in column_by_key:
                column = f"__a{len(column_by_key)}"
                column_by_key[key] = column
                atom_exprs[column] = atom_expr(ra, today).alias(column)
                atom_keys[column] = key
            columns[atom] = column_by_key[key]
        policy_exprs[policy_key] = tree_expr(rule.condition, columns.__getitem__).alias(
            f"__p_{policy_key}"
        )
        policy_atoms[policy_key] = [(a.path, c) for a, c in columns.items()]
    return Plan(today, atom_exprs, policy_exprs, atom_keys, policy_atoms)


@dataclass
class ChunkResult:
    """Per policy: ids of the chunk's eligible enterprises and of those with an UNKNOWN."""

    eligible: dict[str, pl.Series]
    unknown: dict[str, pl.Series]


def evaluate_chunk(plan: Plan, frame: pl.DataFrame | pl.LazyFrame) -> ChunkResult:
    lazy = frame.lazy() if isinstance(frame, pl.DataFrame) else frame
    verdicts = (
        lazy.with_columns(list(plan.atom_exprs.values()))
        .select([pl.col(ID), *plan.policy_exprs.values()])
        .collect()
    )
    ids = verdicts[ID]
    eligible: dict[str, pl.Series] = {}
    unknown: dict[str, pl.Series] = {}
    for key in plan.policy_exprs:
        column = verdicts[f"__p_{key}"]
        eligible[key] = ids.filter(column.fill_null(False))
        unknown[key] = ids.filter(column.is_null())
    return ChunkResult(eligible, unknown)


def verdict_frame(plan: Plan, frame: pl.DataFrame) -> pl.DataFrame:
    """enterprise_id plus one nullable boolean column per policy (tests, small sets)."""
    out = (
        frame.lazy()
        .with_columns(list(plan.atom_exprs.values()))
        .select([pl.col(ID), *plan.policy_exprs.values()])
        .collect()
    )
    return out.rename({f"__p_{k}": k for k in plan.policy_exprs})


def sweep(
    plan: Plan,
    chunks: Iterable[pl.DataFrame | pl.LazyFrame],
    sink: Callable[[ChunkResult], None],
) -> dict[str, int]:
    """Evaluate every chunk and hand each result to `sink` (which stores or counts it), so no
    more than one chunk's verdicts are in memory. Returns totals."""
    totals = {"enterprises": 0, "eligible": 0, "unknown": 0, "chunks": 0}
    for chunk in chunks:
        result = evaluate_chunk(plan, chunk)
        totals["chunks"] += 1
        if isinstance(chunk, pl.DataFrame):
            totals["enterprises"] += chunk.height
        totals["eligible"] += sum(len(s) for s in result.eligible.values())
        totals["unknown"] += sum(len(s) for s in result.unknown.values())
        sink(result)
    return totals


def near_misses(plan: Plan, policy_key: str, frame: pl.DataFrame) -> pl.DataFrame:
    """Enterprises failing exactly one atom of the policy (and no UNKNOWN), with that atom's
    path: the near-miss report. Counted over atoms, which is exact for all-of rules (the common
    form) and a useful approximation for others."""
    atoms = plan.policy_atoms[policy_key]
    columns = [c for _path, c in atoms]
    exprs = [plan.atom_exprs[c] for c in dict.fromkeys(columns)]
    lazy = frame.lazy().with_columns(exprs)
    fails = pl.sum_horizontal([(~pl.col(c)).fill_null(False).cast(pl.Int32) for c in columns])
    nulls = pl.sum_horizontal([pl.col(c).is_null().cast(pl.Int32) for c in columns])
    failed_path = pl.coalesce(
        [pl.when(~pl.col(c).fill_null(True)).then(pl.lit(path)) for path, c in atoms]
    )
    return (
        lazy.filter((fails == 1) & (nulls == 0))
        .select(pl.col(ID), failed_path.alias("path"))
        .collect()
    )


def chunked(frame: pl.DataFrame, size: int) -> Iterator[pl.DataFrame]:
    for offset in range(0, frame.height, size):
        yield frame.slice(offset, size)
