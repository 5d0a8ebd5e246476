"""The credit scoring model: deductions and awards → score → ABCDE grade → four-colour code.

Pure (no ORM, no clock). The set-based recompute in `recompute.py` evaluates the SAME model in
SQL; tests check that both agree.

- score = clamp(base + min(award_cap, Σ awards) − Σ deductions, floor, ceiling);
- grade: the first of A, B, C, D whose threshold the score reaches, else E;
- colour (seed 002 task 14, "蓝码、绿码、黄码、红码"): A → blue (守信, 低频抽查),
  B and C → green (正常), D → yellow (关注), E → red (重点监管);
- supervision frequency and draw weight follow the grade (seed 002 task 10: 以信用分类为基础的
  差异化监管): worse grade → higher inspection ratio and a larger weight in random draws.

A model is a JSON-able dict (versioned in the database, edited by 营商办); `validate_config`
checks one before it is published.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

GRADES = ("A", "B", "C", "D", "E")
COLOURS = ("blue", "green", "yellow", "red")
COLOUR_LABELS = {"blue": "蓝码", "green": "绿码", "yellow": "黄码", "red": "红码"}
GRADE_COLOUR = {"A": "blue", "B": "green", "C": "green", "D": "yellow", "E": "red"}

# Factors: what is counted per enterprise. Deductions and awards are positive point values.
DEDUCTION_FACTORS: dict[str, str] = {
    "penalty": "行政处罚（近三年）",
    "penalty_large": "大额罚款（加扣）",
    "bad_record": "失信记录（公示期内）",
    "warning_record": "警示记录（公示期内）",
    "finding_red": "检查发现问题（红码事项）",
    "finding_yellow": "检查发现问题（黄码事项）",
    "finding_green": "检查发现问题（绿码事项）",
    "complaint_upheld": "投诉举报查实",
    "overdue_obligation": "逾期未履行义务",
}
AWARD_FACTORS: dict[str, str] = {
    "honour": "荣誉",
    "good_record": "守信记录（公示期内）",
    "commendation": "表彰奖励",
    "inspection_clean": "检查未发现问题",
}
FACTORS = {**DEDUCTION_FACTORS, **AWARD_FACTORS}

DEFAULT_CONFIG: dict[str, Any] = {
    "base": 80,
    "floor": 0,
    "ceiling": 100,
    "award_cap": 20,
    "large_penalty_yuan": 100_000,
    "deductions": {
        "penalty": 10,
        "penalty_large": 5,
        "bad_record": 20,
        "warning_record": 5,
        "finding_red": 10,
        "finding_yellow": 5,
        "finding_green": 2,
        "complaint_upheld": 5,
        "overdue_obligation": 5,
    },
    "awards": {"honour": 5, "good_record": 5, "commendation": 5, "inspection_clean": 2},
    # Lowest score of each grade; E is everything below D.
    "thresholds": {"A": 90, "B": 80, "C": 70, "D": 60},
    # How far back facts count (days); records count while their publicity period runs.
    "windows": {"penalty": 1095, "honour": 1095, "event": 365},
    # Supervision by grade: yearly random-inspection ratio (‰) and draw weight.
    "supervision": {
        "A": {"ratio_permille": 30, "weight": 1, "label": "低频抽查"},
        "B": {"ratio_permille": 50, "weight": 2, "label": "常规抽查"},
        "C": {"ratio_permille": 100, "weight": 3, "label": "常规抽查"},
        "D": {"ratio_permille": 200, "weight": 5, "label": "提高抽查比例"},
        "E": {"ratio_permille": 1000, "weight": 8, "label": "重点监管，每年至少检查一次"},
    },
}


class ConfigError(ValueError):
    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class ScoringModel:
    base: int
    floor: int
    ceiling: int
    award_cap: int
    large_penalty_yuan: int
    deductions: Mapping[str, int]
    awards: Mapping[str, int]
    thresholds: Mapping[str, int]
    windows: Mapping[str, int]
    supervision: Mapping[str, Mapping[str, Any]]

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> ScoringModel:
        validate_config(config)
        return cls(
            base=int(config["base"]),
            floor=int(config["floor"]),
            ceiling=int(config["ceiling"]),
            award_cap=int(config["award_cap"]),
            large_penalty_yuan=int(config["large_penalty_yuan"]),
            deductions={k: int(v) for k, v in config["deductions"].items()},
            awards={k: int(v) for k, v in config["awards"].items()},
            thresholds={k: int(v) for k, v in config["thresholds"].items()},
            windows={k: int(v) for k, v in config["windows"].items()},
            supervision={k: dict(v) for k, v in config["supervision"].items()},
        )


def default_model() -> ScoringModel:
    return ScoringModel.from_config(DEFAULT_CONFIG)


def _int(value: Any, field: str, *, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"“{field}”须为整数。", field=field)
    if value < minimum:
        raise ConfigError(f"“{field}”不能小于 {minimum}。", field=field)
    return value


def validate_config(config: Mapping[str, Any]) -> None:
    """Raise ConfigError naming the first problem of a scoring model."""
    if not isinstance(config, Mapping):
        raise ConfigError("评分模型须为对象。", field="config")
    for key in DEFAULT_CONFIG:
        if key not in config:
            raise ConfigError(f"评分模型缺少“{key}”。", field=key)
    for key in ("base", "floor", "ceiling", "award_cap", "large_penalty_yuan"):
        _int(config[key], key)
    if not config["floor"] <= config["base"] <= config["ceiling"]:
        raise ConfigError("基础分须在最低分与最高分之间。", field="base")
    for group, names in (("deductions", DEDUCTION_FACTORS), ("awards", AWARD_FACTORS)):
        values = config[group]
        if not isinstance(values, Mapping) or set(values) != set(names):
            raise ConfigError(f"“{group}”须给出且只给出：{'、'.join(names)}。", field=group)
        for name, value in values.items():
            _int(value, f"{group}.{name}")
    thresholds = config["thresholds"]
    if not isinstance(thresholds, Mapping) or set(thresholds) != set(GRADES[:4]):
        raise ConfigError("等级分数线须给出 A、B、C、D。", field="thresholds")
    values = [_int(thresholds[g], f"thresholds.{g}") for g in GRADES[:4]]
    if any(a <= b for a, b in pairwise(values)):
        raise ConfigError("等级分数线须 A > B > C > D。", field="thresholds")
    windows = config["windows"]
    if not isinstance(windows, Mapping) or set(windows) != {"penalty", "honour", "event"}:
        raise ConfigError("计分期限须给出 penalty、honour、event。", field="windows")
    for name, value in windows.items():
        _int(value, f"windows.{name}", minimum=1)
    sup = config["supervision"]
    if not isinstance(sup, Mapping) or set(sup) != set(GRADES):
        raise ConfigError("分级监管须给出 A 到 E 每一级。", field="supervision")
    for grade in GRADES:
        entry = sup[grade]
        if not isinstance(entry, Mapping):
            raise ConfigError(f"分级监管“{grade}”格式不正确。", field="supervision")
        _int(entry.get("ratio_permille"), f"supervision.{grade}.ratio_permille")
        weight = _int(entry.get("weight"), f"supervision.{grade}.weight", minimum=1)
        if weight > 8:
            raise ConfigError("抽查权重须在 1 到 8 之间。", field=f"supervision.{grade}.weight")


def deduction_total(counts: Mapping[str, int], model: ScoringModel) -> int:
    return sum(model.deductions[f] * int(counts.get(f, 0)) for f in DEDUCTION_FACTORS)


def award_total(counts: Mapping[str, int], model: ScoringModel) -> int:
    return sum(model.awards[f] * int(counts.get(f, 0)) for f in AWARD_FACTORS)


def clamp_score(*, awards: int, deductions: int, model: ScoringModel) -> int:
    raw = model.base + min(model.award_cap, awards) - deductions
    return max(model.floor, min(model.ceiling, raw))


def score(counts: Mapping[str, int], model: ScoringModel) -> int:
    return clamp_score(
        awards=award_total(counts, model), deductions=deduction_total(counts, model), model=model
    )


def grade_for(value: int, model: ScoringModel) -> str:
    for grade in GRADES[:4]:
        if value >= model.thresholds[grade]:
            return grade
    return "E"


def colour_for(grade: str) -> str:
    return GRADE_COLOUR[grade]


def weight_for(grade: str | None, model: ScoringModel) -> int:
    """Draw weight of a grade; None (no counting fact, so the base score) → the base's grade."""
    return int(model.supervision[grade or grade_for(model.base, model)]["weight"])


@dataclass(frozen=True)
class Explanation:
    factor: str
    label: str
    count: int
    points: int  # signed contribution before the award cap


def explain(counts: Mapping[str, int], model: ScoringModel) -> list[Explanation]:
    """Each counted factor with its signed points, deductions first (for the score page)."""
    lines = []
    for f, label in DEDUCTION_FACTORS.items():
        n = int(counts.get(f, 0))
        if n:
            lines.append(Explanation(f, label, n, -model.deductions[f] * n))
    for f, label in AWARD_FACTORS.items():
        n = int(counts.get(f, 0))
        if n:
            lines.append(Explanation(f, label, n, model.awards[f] * n))
    return lines
