"""Structural checks on the shipped reference-data CSVs (no Django needed)."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "src" / "zqt"
REGIONS = DATA / "accounts" / "data" / "regions_zhejiang.csv"
INDUSTRIES = DATA / "enterprises" / "data" / "industries_gbt4754_2017.csv"

# First division of each GB/T 4754-2017 section; each runs to the next start, T ends at 97.
_STARTS = "A01 B06 C13 D44 E47 F51 G53 H61 I63 J66 K70 L71 M73 N76 O80 P83 Q84 R86 S91 T97".split()
SECTION_RANGES = {
    s[0]: (int(s[1:]), int(n[1:]) - 1 if n else 97)
    for s, n in zip(_STARTS, [*_STARTS[1:], ""], strict=True)
}


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == ["code", "name", "level", "parent_code"]
        return list(reader)


def _check_tree(rows: list[dict[str, str]]) -> None:
    codes = [r["code"] for r in rows]
    assert len(codes) == len(set(codes)), "duplicate codes"
    for r in rows:
        assert r["name"].strip()
        assert r["parent_code"] == "" or r["parent_code"] in set(codes), r


def test_regions_structure() -> None:
    rows = _rows(REGIONS)
    _check_tree(rows)
    levels = Counter(r["level"] for r in rows)
    assert levels["province"] == 1
    assert levels["city"] == 11
    assert levels["county"] == 90
    assert set(levels) <= {"province", "city", "county", "township"}
    by_code = {r["code"]: r for r in rows}
    assert by_code["330000"]["parent_code"] == ""
    for r in rows:
        parent = by_code.get(r["parent_code"])
        expected = {"city": "province", "county": "city", "township": "county"}.get(r["level"])
        assert (parent["level"] if parent else None) == expected, r
    counties = [r["name"] for r in rows if r["level"] == "county"]
    assert sum(n.endswith("区") for n in counties) == 37
    assert sum(n.endswith("市") for n in counties) == 20
    assert sum(n.endswith("县") for n in counties) == 33


def test_industries_structure() -> None:
    rows = _rows(INDUSTRIES)
    _check_tree(rows)
    sections = [r for r in rows if r["level"] == "section"]
    divisions = [r for r in rows if r["level"] == "division"]
    assert len(sections) == 20 and len(divisions) == 97
    assert [r["code"] for r in sections] == list(SECTION_RANGES)
    assert all(r["parent_code"] == "" for r in sections)
    for letter, (lo, hi) in SECTION_RANGES.items():
        got = sorted(int(r["code"]) for r in divisions if r["parent_code"] == letter)
        assert got == list(range(lo, hi + 1)), letter
