"""Pure rules of credit repair (信用修复) and of registration-intermediary credit points.

Credit repair (seed 004 #129: the shortest publicity period cut from one year to three months):
a record may be repaired once its minimum publicity period has run, counted in calendar months
from the day it was recorded. The period is configurable per kind of record
(settings.ZQT_CREDIT_REPAIR_MIN_MONTHS, a dict kind → months; "*" is the default).

Intermediary credit points (seed 000 §三, seed 001 case 10: 动态测评、低分限制、培训恢复): every
registration filing an agent submits is scored by the rule for its outcome; an agent whose
points fall below the threshold is suspended from new filings; passing the online training exam
restores the points to the restore level and lifts the suspension.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT_REPAIR_MIN_MONTHS: dict[str, int] = {"*": 3}
REPAIR_RECORD_KINDS = {
    "penalty": "行政处罚",
    "credit_record": "信用记录",
    "credit_event": "监管记录",
}


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, clipped to the month's last day (31 Jan + 1 → 28/29 Feb)."""
    total = day.month - 1 + months
    year, month = day.year + total // 12, total % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def repair_min_months(kind: str, config: Mapping[str, int] | None = None) -> int:
    config = config or DEFAULT_REPAIR_MIN_MONTHS
    return int(config.get(kind, config.get("*", 3)))


def repair_eligible_from(
    *, kind: str, recorded_on: dt.date, config: Mapping[str, int] | None = None
) -> dt.date:
    return add_months(recorded_on, repair_min_months(kind, config))


# --- registration intermediaries ------------------------------------------------------------


@dataclass(frozen=True)
class FilingRule:
    outcome: str
    label: str
    points: int  # signed change of the agent's points
    text: str  # the rule as shown next to each scored filing


FILING_RULES: dict[str, FilingRule] = {
    "clean": FilingRule("clean", "一次通过", 1, "材料规范、一次通过：+1 分（最高 100 分）"),
    "returned": FilingRule("returned", "退回补正", -2, "材料不全或不规范被退回补正：−2 分"),
    "rejected": FilingRule("rejected", "驳回", -5, "不符合登记条件被驳回：−5 分"),
    "false_material": FilingRule(
        "false_material", "提交虚假材料", -30, "提交虚假材料被驳回：−30 分"
    ),
}
MAX_POINTS = 100
INITIAL_POINTS = 100
SUSPEND_BELOW = 60
RESTORE_TO = 70
EXAM_PASS_PERCENT = 80


def filing_points(*, current: int, outcome: str) -> tuple[int, FilingRule]:
    """The agent's points after a filing with `outcome`, and the rule applied."""
    rule = FILING_RULES[outcome]
    return max(0, min(MAX_POINTS, current + rule.points)), rule


def is_suspended_at(points: int) -> bool:
    return points < SUSPEND_BELOW


def exam_score(*, answers: Mapping[str, str], key: Mapping[str, str]) -> int:
    """Percentage of questions answered right (unanswered = wrong)."""
    if not key:
        return 0
    right = sum(1 for q, a in key.items() if answers.get(q) == a)
    return right * 100 // len(key)


def agency_grade(points: list[int]) -> str:
    """An agency's grade from its agents' points: A (avg ≥ 90, nobody suspended), B (≥ 80),
    C (≥ 60), D otherwise; an agency without agents is B."""
    if not points:
        return "B"
    avg = sum(points) / len(points)
    if avg >= 90 and not any(is_suspended_at(p) for p in points):
        return "A"
    if avg >= 80:
        return "B"
    if avg >= 60:
        return "C"
    return "D"
