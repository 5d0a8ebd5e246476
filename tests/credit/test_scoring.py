"""The scoring model and the repair / intermediary rules (pure)."""

from __future__ import annotations

import copy
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zqt.credit import rules, scoring

MODEL = scoring.default_model()


@pytest.mark.parametrize(
    ("value", "grade", "colour"),
    [
        (100, "A", "blue"), (90, "A", "blue"), (89, "B", "green"), (80, "B", "green"),
        (79, "C", "green"), (70, "C", "green"), (69, "D", "yellow"), (60, "D", "yellow"),
        (59, "E", "red"), (0, "E", "red"),
    ],
)  # fmt: skip
def test_grade_and_colour_boundaries(value: int, grade: str, colour: str) -> None:
    assert scoring.grade_for(value, MODEL) == grade
    assert scoring.colour_for(grade) == colour


def test_score_deducts_awards_and_clamps() -> None:
    assert scoring.score({}, MODEL) == 80
    assert scoring.score({"honour": 2}, MODEL) == 90
    assert scoring.score({"honour": 10}, MODEL) == 100  # award cap 20
    assert scoring.score({"penalty": 1, "penalty_large": 1}, MODEL) == 65
    assert scoring.score({"bad_record": 9}, MODEL) == 0  # floor
    lines = scoring.explain({"penalty": 2, "honour": 1}, MODEL)
    assert [(x.factor, x.points) for x in lines] == [("penalty", -20), ("honour", 5)]


@given(st.dictionaries(st.sampled_from(sorted(scoring.FACTORS)), st.integers(0, 20)))
def test_score_always_within_bounds(counts: dict[str, int]) -> None:
    value = scoring.score(counts, MODEL)
    assert MODEL.floor <= value <= MODEL.ceiling
    assert scoring.grade_for(value, MODEL) in scoring.GRADES


def test_worse_grade_weighs_more_in_draws() -> None:
    weights = [scoring.weight_for(g, MODEL) for g in scoring.GRADES]
    assert weights == sorted(weights) and weights[0] < weights[-1]
    assert scoring.weight_for(None, MODEL) == scoring.weight_for("B", MODEL)


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"base": 120}, "base"),
        ({"thresholds": {"A": 80, "B": 85, "C": 70, "D": 60}}, "thresholds"),
        ({"deductions": {"penalty": 1}}, "deductions"),
        ({"award_cap": -1}, "award_cap"),
        ({"award_cap": "5"}, "award_cap"),
    ],
)
def test_bad_config_is_refused(patch: dict[str, object], field: str) -> None:
    config = copy.deepcopy(scoring.DEFAULT_CONFIG)
    config.update(patch)
    with pytest.raises(scoring.ConfigError) as info:
        scoring.validate_config(config)
    assert info.value.field == field


def test_repair_period_in_months() -> None:
    assert rules.add_months(dt.date(2025, 11, 30), 3) == dt.date(2026, 2, 28)
    assert rules.repair_eligible_from(kind="penalty", recorded_on=dt.date(2026, 1, 15)) == (
        dt.date(2026, 4, 15)
    )
    config = {"*": 3, "credit_record": 12}
    assert rules.repair_eligible_from(
        kind="credit_record", recorded_on=dt.date(2026, 1, 15), config=config
    ) == dt.date(2027, 1, 15)


def test_filing_points_suspend_and_exam() -> None:
    points, rule = rules.filing_points(current=100, outcome="clean")
    assert points == 100 and rule.points == 1
    points, _ = rules.filing_points(current=65, outcome="returned")
    assert points == 63 and not rules.is_suspended_at(points)
    points, _ = rules.filing_points(current=points, outcome="false_material")
    assert points == 33 and rules.is_suspended_at(points)
    assert rules.exam_score(answers={"q1": "a", "q2": "b"}, key={"q1": "a", "q2": "c"}) == 50
    assert rules.agency_grade([95, 92]) == "A"
    assert rules.agency_grade([95, 50]) == "C"
    assert rules.agency_grade([]) == "B"
