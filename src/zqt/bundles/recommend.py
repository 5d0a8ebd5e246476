"""为你推荐: services and bundles recommended from an enterprise's profile, each with the reason.
Rules are data (data/recommendation_rules.json); matching is pure (no ORM)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

RULES_JSON = Path(__file__).resolve().parent / "data" / "recommendation_rules.json"

# GB/T 4754-2017 division → section (first division of each section).
_SECTION_STARTS = [
    ("A", 1),
    ("B", 6),
    ("C", 13),
    ("D", 44),
    ("E", 47),
    ("F", 51),
    ("G", 53),
    ("H", 61),
    ("I", 63),
    ("J", 66),
    ("K", 70),
    ("L", 71),
    ("M", 73),
    ("N", 76),
    ("O", 80),
    ("P", 83),
    ("Q", 84),
    ("R", 86),
    ("S", 91),
    ("T", 97),
]


def industry_section(code: str) -> str:
    if code[:1].isalpha():
        return code[:1].upper()
    try:
        division = int(code[:2])
    except ValueError:
        return ""
    section = ""
    for letter, start in _SECTION_STARTS:
        if division >= start:
            section = letter
    return section


@lru_cache(maxsize=1)
def rules_load() -> tuple[dict[str, Any], ...]:
    with RULES_JSON.open(encoding="utf-8") as fh:
        return tuple(json.load(fh)["rules"])


@dataclass(frozen=True)
class Recommendation:
    kind: str  # "bundle" | "item"
    code: str
    reason: str


def _matches(when: Mapping[str, Any], profile: Mapping[str, Any]) -> tuple[bool, dict[str, str]]:
    extra: dict[str, str] = {}
    for key in ("lifecycle_stage", "scale", "status"):
        if key in when and profile.get(key) not in when[key]:
            return False, extra
    if (
        "industry_sections" in when
        and industry_section(str(profile.get("industry_code", ""))) not in when["industry_sections"]
    ):
        return False, extra
    if (
        "industry_divisions" in when
        and str(profile.get("industry_code", ""))[:2] not in when["industry_divisions"]
    ):
        return False, extra
    if "tags" in when:
        hit = [t for t in when["tags"] if t in profile.get("tags", [])]
        if not hit:
            return False, extra
        extra["matched_tag"] = hit[0]
    if when.get("licences_expiring") and not profile.get("expiring_licences"):
        return False, extra
    if when.get("has_bad_credit") and not profile.get("has_bad_credit"):
        return False, extra
    return True, extra


def recommend(
    profile: Mapping[str, Any], rules: Sequence[Mapping[str, Any]] | None = None
) -> list[Recommendation]:
    """Every rule the profile satisfies, most specific first (more conditions = more specific),
    one recommendation per target; reasons rendered with the profile's values."""
    expiring: list[str] = list(profile.get("expiring_licences", []))
    values = {
        "lifecycle_stage_label": str(profile.get("lifecycle_stage_label", "")),
        "scale_label": str(profile.get("scale_label", "")),
        "expiring_count": str(len(expiring)),
        "expiring_types": "、".join(expiring[:3]),
    }
    scored: list[tuple[int, int, Recommendation]] = []
    seen: set[tuple[str, str]] = set()
    for order, rule in enumerate(rules if rules is not None else rules_load()):
        ok, extra = _matches(rule.get("when", {}), profile)
        target = (rule["kind"], rule["code"])
        if not ok or target in seen:
            continue
        seen.add(target)
        reason = str(rule["reason"]).format(**values, **{"matched_tag": "", **extra})
        scored.append((-len(rule.get("when", {})), order, Recommendation(*target, reason)))
    return [r for _, _, r in sorted(scored, key=lambda t: (t[0], t[1]))]
