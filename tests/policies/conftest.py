from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tests.accounts.factories import staff
from tests.enterprises.factories import EnterpriseFactory, enterprise_user
from zqt.accounts.enums import Role
from zqt.accounts.models import Department
from zqt.enterprises.models import Tag

RD_RULE = {
    "condition": {
        "op": "all",
        "items": [
            {"op": "has", "field": "tags", "value": "high_tech", "ref": "第二条第（一）项"},
            {
                "op": "cmp",
                "field": "rd_ratio",
                "cmp": ">=",
                "value": "3",
                "ref": "第二条第（二）项",
            },
            {"op": "penalties_within", "years": 3, "cmp": "==", "value": 0, "ref": "第三条"},
        ],
    }
}
RD_EXAMPLES = [
    {"name": "符合", "expected": "eligible",
     "facts": {"tags": ["high_tech"], "rd_spend": "50", "revenue": "1000", "penalties": []}},
    {"name": "占比不足", "expected": "ineligible",
     "facts": {"tags": ["high_tech"], "rd_spend": "20", "revenue": "1000", "penalties": []}},
]  # fmt: skip


def policy_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "柯城区高新技术企业研发费用补助",
        "issuer": "衢州市柯城区科学技术局",
        "department": "330802-science_technology",
        "document_number": "柯科〔2026〕3号",
        "effective_from": "2026-01-01",
        "effective_until": "2027-12-31",
        "full_text": "第二条 高新技术企业研发投入占营业收入比例达到3%以上的，"
        "按研发投入的10%给予补助。",
        "region_prefix": "330802",
        "mode": "apply",
        "benefit_kind": "percentage",
        "benefit_rate": "10",
        "benefit_base_field": "rd_spend",
        "benefit_cap": "200000",
        "budget": "1000000",
        "period": "2026",
    }
    data.update(overrides)
    return data


@pytest.fixture
def env(reference_data: None) -> dict[str, Any]:
    ops = staff(Role.OPERATIONS, username="ops")
    chief = staff(Role.CHIEF_COMMISSIONER, username="chief")
    reviewer = staff(Role.DEPARTMENT_REVIEWER, username="kjj")
    reviewer.departments.add(Department.objects.get(code="330802-science_technology"))
    good = EnterpriseFactory(name="衢州创新科技有限公司", rd_spend=Decimal("150"),
                             revenue=Decimal("3000"))  # fmt: skip
    good.tags.add(Tag.objects.get(code="high_tech"))
    weak = EnterpriseFactory(name="衢州普通贸易有限公司", rd_spend=Decimal("10"),
                             revenue=Decimal("3000"))  # fmt: skip
    weak.tags.add(Tag.objects.get(code="high_tech"))
    other = EnterpriseFactory(name="衢州无标签有限公司")
    return {
        "ops": ops,
        "chief": chief,
        "reviewer": reviewer,
        "good": good,
        "weak": weak,
        "other": other,
        "good_user": enterprise_user(good),
        "weak_user": enterprise_user(weak),
    }


def active_policy(env: dict[str, Any], rule: dict[str, Any] | None = None, **overrides: Any):  # type: ignore[no-untyped-def]
    from zqt.policies import services

    policy = services.policy_create(actor=env["ops"], data=policy_data(**overrides))
    version = services.rule_version_submit(
        actor=env["ops"], policy_id=policy.pk, document=rule or RD_RULE, examples=RD_EXAMPLES
        if rule is None else overrides_examples(rule),
    )  # fmt: skip
    services.rule_version_decide(actor=env["chief"], version_id=version.pk, approve=True)
    return services.policy_status_set(actor=env["ops"], policy_id=policy.pk, status="active")


def overrides_examples(rule: dict[str, Any]) -> list[dict[str, Any]]:
    from zqt.policies.rules import evaluate, facts_from_json, parse_rule, verdict_name

    facts = {}
    verdict = verdict_name(evaluate(parse_rule(rule), facts_from_json(facts), _today()).verdict)
    return [{"name": "空数据", "facts": facts, "expected": verdict}]


def _today():  # type: ignore[no-untyped-def]
    from zqt.core.timeutil import local_today

    return local_today()
