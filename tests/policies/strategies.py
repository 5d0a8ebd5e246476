"""Hypothesis strategies: random rule documents and random enterprises (Facts), shared by the
differential tests of the Polars engine and the SQL forms."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from hypothesis import strategies as hs

from zqt.policies import catalog as cat
from zqt.policies.rules import CMP_OPS, Facts

TODAY = dt.date(2026, 3, 15)
CODES = {
    "scale": ("large", "medium", "small", "micro"),
    "status": ("existing", "operating", "suspended"),
    "lifecycle_stage": ("startup", "growth", "mature"),
    "entity_type": ("limited", "sole", "individual"),
}
INDUSTRIES = ("13", "14", "39", "51", "52", "62", "65", "01")
REGIONS = ("330802", "330803", "330102", "330782")
TAGS = ("high_tech", "specialised", "tech_sme", "export")
LICENCES = ("食品经营许可证", "排污许可证")

money = hs.integers(min_value=0, max_value=50_000).map(lambda n: Decimal(n) / 100)
small_int = hs.integers(min_value=0, max_value=500)
day = hs.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2026, 6, 30))
asof = hs.one_of(hs.none(), hs.dates(min_value=dt.date(2023, 1, 1), max_value=TODAY))
maybe = hs.booleans()


@hs.composite
def facts(draw: Any) -> Facts:
    f = Facts()

    def put(name: str, value: Any, dated: bool = False) -> None:
        if value is None:
            return
        f.values[name] = value
        if dated:
            seen = draw(asof)
            if seen is not None:
                f.as_of[name] = seen

    for name in ("revenue", "rd_spend", "registered_capital"):
        # Small values collide with thresholds often (equality edges); 0 exercises ratios.
        put(
            name,
            draw(hs.one_of(hs.none(), money, hs.sampled_from([Decimal(0), Decimal("3")]))),
            dated=cat.FIELDS[name].max_age_days is not None,
        )
    put("employees", draw(hs.one_of(hs.none(), small_int)), dated=True)
    put("founded_on", draw(hs.one_of(hs.none(), day)))
    for name, choices in CODES.items():
        put(name, draw(hs.one_of(hs.none(), hs.sampled_from(choices))))
    put("industry_code", draw(hs.one_of(hs.none(), hs.sampled_from(INDUSTRIES))))
    put("region_code", draw(hs.one_of(hs.none(), hs.sampled_from(REGIONS))))
    f.values["tags"] = frozenset(draw(hs.lists(hs.sampled_from(TAGS), max_size=3)))
    f.values["licences"] = frozenset(draw(hs.lists(hs.sampled_from(LICENCES), max_size=2)))
    f.values["penalties"] = tuple(sorted(draw(hs.lists(day, max_size=3))))
    put("credit_grade", draw(hs.one_of(hs.none(), hs.sampled_from(cat.GRADES))), dated=True)
    put(
        "energy_intensity",
        draw(hs.one_of(hs.none(), hs.integers(0, 20000).map(lambda n: Decimal(n) / 10000))),
        dated=True,
    )
    return f


def _ref() -> str:
    return "第一条"


@hs.composite
def atom(draw: Any) -> dict[str, Any]:
    kind = draw(
        hs.sampled_from(
            [
                "money",
                "ratio",
                "int",
                "date",
                "in",
                "prefix",
                "has",
                "founded",
                "penalties",
                "grade",
                "decimal",
            ]
        )
    )
    cmp = draw(hs.sampled_from(CMP_OPS))
    if kind == "money":
        name = draw(hs.sampled_from(["revenue", "rd_spend", "registered_capital"]))
        value = str(draw(hs.one_of(money, hs.sampled_from([Decimal(0), Decimal("3")]))))
        return {"op": "cmp", "field": name, "cmp": cmp, "value": value, "ref": _ref()}
    if kind == "ratio":
        pct = draw(hs.integers(0, 10000)) / Decimal(100)
        return {"op": "cmp", "field": "rd_ratio", "cmp": cmp, "value": str(pct), "ref": _ref()}
    if kind == "int":
        return {
            "op": "cmp",
            "field": "employees",
            "cmp": cmp,
            "value": draw(small_int),
            "ref": _ref(),
        }
    if kind == "decimal":
        value = str(Decimal(draw(hs.integers(0, 20000))) / 10000)
        return {"op": "cmp", "field": "energy_intensity", "cmp": cmp, "value": value, "ref": _ref()}
    if kind == "date":
        return {
            "op": "cmp",
            "field": "founded_on",
            "cmp": cmp,
            "value": draw(day).isoformat(),
            "ref": _ref(),
        }
    if kind == "in":
        name = draw(hs.sampled_from(sorted(CODES)))
        values = draw(hs.lists(hs.sampled_from(CODES[name]), min_size=1, max_size=3))
        return {"op": "in", "field": name, "values": values, "ref": _ref()}
    if kind == "prefix":
        if draw(maybe):
            prefixes = draw(hs.lists(hs.sampled_from(["C", "I", "39", "5", "A", "F"]), min_size=1))
            return {"op": "prefix", "field": "industry_code", "prefixes": prefixes, "ref": _ref()}
        prefixes = draw(hs.lists(hs.sampled_from(["3308", "330802", "3301"]), min_size=1))
        return {"op": "prefix", "field": "region_code", "prefixes": prefixes, "ref": _ref()}
    if kind == "has":
        if draw(maybe):
            return {
                "op": "has",
                "field": "tags",
                "value": draw(hs.sampled_from(TAGS)),
                "ref": _ref(),
            }
        return {
            "op": "has",
            "field": "licences",
            "value": draw(hs.sampled_from(LICENCES)),
            "ref": _ref(),
        }
    if kind == "founded":
        return {"op": "founded_within", "years": draw(hs.integers(1, 12)), "ref": _ref()}
    if kind == "penalties":
        return {
            "op": "penalties_within",
            "years": draw(hs.integers(1, 5)),
            "cmp": cmp,
            "value": draw(hs.integers(0, 2)),
            "ref": _ref(),
        }
    return {"op": "grade_at_least", "grade": draw(hs.sampled_from(cat.GRADES)), "ref": _ref()}


def _tree(leaves: Any) -> Any:
    return hs.recursive(
        leaves,
        lambda children: hs.one_of(
            hs.lists(children, min_size=1, max_size=4).map(lambda xs: {"op": "all", "items": xs}),
            hs.lists(children, min_size=1, max_size=4).map(lambda xs: {"op": "any", "items": xs}),
            children.map(lambda x: {"op": "not", "item": x}),
            hs.tuples(children, children).map(
                lambda t: {"op": "unless", "rule": t[0], "except": t[1]}
            ),
        ),
        max_leaves=8,
    )


@hs.composite
def rule_document(draw: Any) -> dict[str, Any]:
    condition = draw(_tree(atom()))
    doc: dict[str, Any] = {"condition": condition}
    if draw(maybe):
        # a dated parameter on top: revenue threshold changes during the period
        first, second = draw(money), draw(money)
        doc["params"] = {
            "min_revenue": [
                {"from": "2020-01-01", "value": str(first)},
                {"from": draw(day).isoformat(), "value": str(second)},
            ]
        }
        doc["condition"] = {
            "op": "all",
            "items": [
                condition,
                {
                    "op": "cmp",
                    "field": "revenue",
                    "cmp": ">=",
                    "value": {"param": "min_revenue"},
                    "ref": "第二条",
                },
            ],
        }
    return doc
