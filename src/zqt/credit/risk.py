"""Declarative risk-warning rules (seed 002 task 11: 风险预警模型, 线索推送、处置和反馈).

A rule is data: a code, a title, the department the warning is routed to, the kind of check and
its parameters. `evaluate` runs each rule set-based and yields hits; services.risk_sweep turns
new hits into warnings (one per enterprise, rule and fact). Adding a rule of an existing kind
is a line in RULES; a new kind is a function in CHECKS.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max

from zqt.credit import inputs
from zqt.credit.models import CreditEvent, CreditScore
from zqt.credit.scoring import GRADES


@dataclass(frozen=True)
class Rule:
    code: str
    title: str
    department_key: str  # accounts.reference STANDARD_DEPARTMENTS key
    kind: str
    params: Mapping[str, Any] = field(default_factory=dict)


RULES: tuple[Rule, ...] = (
    Rule("expired_licence", "证照过期仍在经营", "market_regulation", "expired_licence"),
    Rule("complaints_upheld", "投诉举报多次查实", "market_regulation", "event_count",
         {"factor": "complaint_upheld", "min_count": 2, "window_days": 365}),
    Rule("grade_drop", "信用等级明显下降", "market_regulation", "grade_drop",
         {"min_steps": 2}),
)  # fmt: skip


@dataclass(frozen=True)
class Hit:
    rule: Rule
    enterprise_id: int
    region_code: str
    detail: str
    fact_key: str


def _expired_licence(rule: Rule, today: dt.date) -> Iterator[Hit]:
    for eid, region, licence_type, expires in inputs.enterprises_with_expired_licence(today=today):
        yield Hit(
            rule,
            eid,
            region,
            f"{licence_type}已于{expires}到期，企业仍在经营。",
            f"{licence_type}:{expires}",
        )


def _event_count(rule: Rule, today: dt.date) -> Iterator[Hit]:
    since = today - dt.timedelta(days=int(rule.params["window_days"]))
    rows = (
        CreditEvent.objects.filter(factor=rule.params["factor"], occurred_on__gte=since)
        .values("enterprise_id", "enterprise__region_code")
        .annotate(n=Count("id"), last=Max("id"))
        .filter(n__gte=int(rule.params["min_count"]))
    )
    for row in rows:
        yield Hit(
            rule,
            row["enterprise_id"],
            row["enterprise__region_code"],
            f"近{rule.params['window_days']}天投诉举报查实{row['n']}次。",
            f"upto:{row['last']}",
        )


def _grade_drop(rule: Rule, today: dt.date) -> Iterator[Hit]:
    rank = {g: i for i, g in enumerate(GRADES)}
    rows = (
        CreditScore.objects.filter(previous_grade__isnull=False)
        .exclude(previous_grade="")
        .values(
            "enterprise_id",
            "enterprise__region_code",
            "grade",
            "previous_grade",
            "grade_changed_at",
        )
    )
    for row in rows.iterator(chunk_size=2000):
        steps = rank[row["grade"]] - rank.get(row["previous_grade"], 0)
        if steps >= int(rule.params["min_steps"]):
            when = row["grade_changed_at"]
            yield Hit(
                rule,
                row["enterprise_id"],
                row["enterprise__region_code"],
                f"信用等级由{row['previous_grade']}级降至{row['grade']}级。",
                f"{row['previous_grade']}>{row['grade']}@{when:%Y%m%d%H%M%S}"
                if when
                else f"{row['previous_grade']}>{row['grade']}",
            )


CHECKS: dict[str, Callable[[Rule, dt.date], Iterator[Hit]]] = {
    "expired_licence": _expired_licence,
    "event_count": _event_count,
    "grade_drop": _grade_drop,
}


def evaluate(*, today: dt.date, rules: tuple[Rule, ...] = RULES) -> Iterator[Hit]:
    for rule in rules:
        yield from CHECKS[rule.kind](rule, today)
