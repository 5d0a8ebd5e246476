"""The demo policies load (idempotently) and their example cases pass."""

from __future__ import annotations

import pytest

from zqt.policies.demo import POLICIES
from zqt.policies.models import Match, Policy
from zqt.policies.rules import evaluate, facts_from_json, parse_rule, verdict_name


def test_demo_policies_are_at_least_ten_with_passing_examples() -> None:
    import datetime as dt

    assert len(POLICIES) >= 10
    for spec in POLICIES:
        rule = parse_rule(spec["rule"])
        for ex in spec["examples"]:
            today = dt.date.today()
            got = evaluate(rule, facts_from_json(ex["facts"], today=today), today).verdict
            assert verdict_name(got) == ex["expected"], (spec["data"]["title"], ex["name"])


@pytest.mark.django_db
def test_demo_load_is_idempotent(reference_data: None) -> None:
    from tests.accounts.factories import staff
    from tests.enterprises.factories import EnterpriseFactory, enterprise_user
    from zqt.accounts.enums import Role
    from zqt.policies.demo import demo_load

    staff(Role.OPERATIONS, username="demo_leader")
    staff(Role.CHIEF_COMMISSIONER, username="demo_chief")
    enterprise = EnterpriseFactory(industry_code="39")
    enterprise_user(enterprise)
    demo_load(enterprise=enterprise)
    demo_load(enterprise=enterprise)
    assert Policy.objects.filter(status="active").count() == len(POLICIES)
    eligible = set(
        Match.objects.filter(enterprise=enterprise, verdict="eligible").values_list(
            "policy__title", flat=True
        )
    )
    assert {"境外展会展位费补助", "节能审查绿色通道及能效奖励"} <= eligible
