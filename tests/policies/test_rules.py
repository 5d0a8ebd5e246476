"""The rule language (pure): validation with clear Chinese errors, three-valued evaluation,
exact ratios, dated parameters, derived field lists and explanations."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from zqt.policies import catalog as cat
from zqt.policies.rules import Facts, RuleError, evaluate, facts_from_json, parse_rule

TODAY = dt.date(2026, 3, 15)


def rd_rule(threshold: str = "3") -> dict:
    return {
        "condition": {
            "op": "all",
            "items": [
                {
                    "op": "cmp",
                    "field": "rd_ratio",
                    "cmp": ">=",
                    "value": threshold,
                    "ref": "第三条第（一）项",
                },
                {"op": "has", "field": "tags", "value": "high_tech", "ref": "第三条第（二）项"},
                {"op": "penalties_within", "years": 3, "cmp": "==", "value": 0, "ref": "第五条"},
            ],
        }
    }


def facts(**values: object) -> Facts:
    f = Facts()
    f.values.update({"tags": frozenset({"high_tech"}), "penalties": ()})
    for k, v in values.items():
        f.values[k] = v
        f.as_of[k] = TODAY
    return f


def test_explanation_reads_like_the_issue() -> None:
    rule = parse_rule(rd_rule())
    result = evaluate(rule, facts(rd_spend=Decimal("21"), revenue=Decimal("1000")), TODAY)
    assert result.verdict is False
    first = result.atoms[0]
    assert first.sentence == "研发投入占比 2.1%，要求 ≥ 3%"
    assert first.atom.ref == "第三条第（一）项"
    assert [r.verdict for r in result.atoms] == [False, True, True]


def test_ratio_is_exact_at_the_threshold() -> None:
    rule = parse_rule(rd_rule("3"))
    # 3 / 100 exactly 3% (0.03 is not exact in binary floating point)
    assert evaluate(rule, facts(rd_spend=Decimal("0.03"), revenue=Decimal("1")), TODAY).verdict
    almost = facts(rd_spend=Decimal("29.99"), revenue=Decimal("1000.00"))
    assert evaluate(rule, almost, TODAY).verdict is False


def test_missing_and_stale_data_are_unknown_never_true() -> None:
    rule = parse_rule(rd_rule())
    assert evaluate(rule, facts(), TODAY).verdict is None
    stale = facts(rd_spend=Decimal("50"), revenue=Decimal("1000"))
    stale.as_of["revenue"] = TODAY - dt.timedelta(days=cat.FIELDS["revenue"].max_age_days + 1)
    result = evaluate(rule, stale, TODAY)
    assert result.verdict is None
    assert result.atoms[0].actual == "数据已过期"
    zero = facts(rd_spend=Decimal("0"), revenue=Decimal("0"))
    assert evaluate(rule, zero, TODAY).verdict is None
    # one false condition decides even if another is unknown
    no_tag = facts()
    no_tag.values["tags"] = frozenset()
    assert evaluate(rule, no_tag, TODAY).verdict is False


def test_credit_grade_is_unknown_until_the_credit_module_supplies_it() -> None:
    rule = parse_rule({"condition": {"op": "grade_at_least", "grade": "B", "ref": "第四条"}})
    assert evaluate(rule, facts(), TODAY).verdict is None
    assert evaluate(rule, facts(credit_grade="A"), TODAY).verdict is True
    assert evaluate(rule, facts(credit_grade="C"), TODAY).verdict is False


def test_dated_parameters_and_derived_fields() -> None:
    doc = rd_rule()
    doc["condition"]["items"][0]["value"] = {"param": "min_rd"}
    doc["params"] = {
        "min_rd": [{"from": "2024-01-01", "value": "3"}, {"from": "2026-01-01", "value": "3.5"}]
    }
    rule = parse_rule(doc)
    assert rule.fields_read() == {"rd_spend", "revenue", "tags", "penalties"}
    f = facts(rd_spend=Decimal("32"), revenue=Decimal("1000"))
    assert evaluate(rule, f, dt.date(2025, 6, 1)).verdict is True
    later = evaluate(rule, f, dt.date(2026, 6, 1))
    assert later.verdict is False
    assert later.atoms[0].sentence == "研发投入占比 3.2%，要求 ≥ 3.5%"
    # before the first "from" the parameter has no value: unknown, not true
    assert evaluate(rule, f, dt.date(2023, 6, 1)).verdict is None


def test_unless_any_not_and_time_flips() -> None:
    doc = {
        "condition": {
            "op": "unless",
            "rule": {
                "op": "any",
                "items": [
                    {"op": "founded_within", "years": 5, "ref": "第二条"},
                    {"op": "in", "field": "scale", "values": ["micro", "small"], "ref": "第二条"},
                ],
            },
            "except": {
                "op": "not",
                "item": {
                    "op": "prefix",
                    "field": "industry_code",
                    "prefixes": ["C"],
                    "ref": "第六条",
                },
            },
        }
    }
    rule = parse_rule(doc)
    young = facts(founded_on=dt.date(2022, 1, 10), scale="large", industry_code="39")
    result = evaluate(rule, young, TODAY)
    assert result.verdict is True
    assert result.flips_on == dt.date(2027, 1, 10)
    shop = facts(founded_on=dt.date(2022, 1, 10), scale="micro", industry_code="52")
    assert evaluate(rule, shop, TODAY).verdict is False
    assert evaluate(
        rule, facts(founded_on=dt.date(2010, 1, 1), scale="micro", industry_code="C"), TODAY
    ).verdict


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ("{not json", "规则不是有效的 JSON"),
        ({"condition": {"op": "xor", "items": []}}, "未知的运算“xor”"),
        (
            {"condition": {"op": "cmp", "field": "profit", "cmp": ">", "value": "1", "ref": "一"}},
            "未知字段“profit”",
        ),
        (
            {"condition": {"op": "cmp", "field": "revenue", "cmp": ">", "value": 1.5, "ref": "一"}},
            "数字文本",
        ),
        (
            {
                "condition": {
                    "op": "cmp",
                    "field": "revenue",
                    "cmp": ">",
                    "value": "1.005",
                    "ref": "一",
                }
            },
            "最多 2 位小数",
        ),
        (
            {
                "condition": {
                    "op": "cmp",
                    "field": "revenue",
                    "cmp": ">",
                    "value": "-1",
                    "ref": "一",
                }
            },
            "不能为负数",
        ),
        (
            {"condition": {"op": "cmp", "field": "tags", "cmp": ">", "value": "1", "ref": "一"}},
            "不能用于此运算",
        ),
        (
            {"condition": {"op": "cmp", "field": "revenue", "cmp": "~", "value": "1", "ref": "一"}},
            "比较符",
        ),
        ({"condition": {"op": "has", "field": "tags", "value": "rich"}}, "政策依据"),
        (
            {"condition": {"op": "has", "field": "tags", "value": "rich", "ref": "一"}},
            "没有取值“rich”",
        ),
        ({"condition": {"op": "all", "items": []}}, "至少一个子条件"),
        ({"condition": {"op": "founded_within", "years": 0, "ref": "一"}}, "年数"),
        (
            {
                "condition": {
                    "op": "cmp",
                    "field": "revenue",
                    "cmp": ">",
                    "value": {"param": "x"},
                    "ref": "一",
                }
            },
            "未定义的参数",
        ),
        (
            {
                "condition": {
                    "op": "cmp",
                    "field": "founded_on",
                    "cmp": ">",
                    "value": "2024-02-30",
                    "ref": "一",
                }
            },
            "不是有效的日期",
        ),
        ({"condition": {"op": "grade_at_least", "grade": "AA", "ref": "一"}}, "信用等级"),
        ({"rules": {}}, "不支持的键"),
    ],
)
def test_bad_rules_are_refused_with_a_clear_message(doc: object, message: str) -> None:
    with pytest.raises(RuleError) as info:
        parse_rule(doc)
    assert any(message in e["message"] for e in info.value.errors), info.value.errors


def test_facts_from_json() -> None:
    f = facts_from_json(
        {
            "revenue": "1000.50",
            "tags": ["high_tech"],
            "credit_grade": {"value": "A", "as_of": "2025-01-01"},
            "penalties": ["2024-01-01"],
        },
        today=TODAY,
    )
    assert f.values["revenue"] == Decimal("1000.50")
    assert f.as_of["credit_grade"] == dt.date(2025, 1, 1)
    with pytest.raises(RuleError):
        facts_from_json({"revenue": 1.5})
    with pytest.raises(RuleError):
        facts_from_json({"profit": "1"})


def test_catalog_is_documented() -> None:
    for spec in cat.FIELDS.values():
        assert spec.label and spec.source and spec.origin in ("registry", "fact", "derived")
    assert "13" in cat.industry_sections()["C"]
