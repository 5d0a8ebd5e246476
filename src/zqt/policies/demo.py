"""Demo policies of 柯城区, drawn from the concrete figures in the seeds, each with rules, example
cases, a benefit and a budget; published by a second person (demo_chief), activated, matched
against the demo registry, and pushed. The demo enterprise gets the department-supplied figures
that make several policies apply to it. Idempotent: a policy is found by its document number.

Sources: 004 #72 (展位费不低于70%补助), 004 #17 (0.52 吨标准煤/万元 节能审查绿色通道),
001 case 04 (知识产权证券化 融资获利率补贴20%、中介费用90%补贴), 004 #47 (创业投资税收政策延续至
2027-12-31), 004 #99/#104 (专精特新), 004 #25 (小微企业信用融资), 003 #37 (信用等级).
"""

from __future__ import annotations

from typing import Any

from zqt.accounts.enums import Role
from zqt.accounts.models import User
from zqt.core.timeutil import local_today
from zqt.policies import services
from zqt.policies.models import Policy

_T = "第{}条"


def _atom(op: str, ref: str, **kw: Any) -> dict[str, Any]:
    return {"op": op, "ref": ref, **kw}


def _ok(name: str, facts: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "facts": facts, "expected": "eligible"}


def _no(name: str, facts: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "facts": facts, "expected": "ineligible"}


NO_PENALTY = _atom("penalties_within", "第三条（信用要求）", years=3, cmp="==", value=0)

POLICIES: list[dict[str, Any]] = [
    {
        "data": {
            "title": "境外展会展位费补助",
            "document_number": "柯商务〔2026〕5号",
            "issuer": "衢州市柯城区商务局",
            "dept": "commerce",
            "mode": "apply",
            "benefit_kind": "percentage",
            "benefit_rate": "70",
            "benefit_base_field": "exhibition_booth_fee",
            "benefit_cap": "50000",
            "budget": "3000000",
            "full_text": "第二条 支持民营企业积极参展，重点支持的国际性展会按不低于展位费70%的标准"
            "给予补助，单家企业每年最高5万元。第三条 近三年无行政处罚。",
        },
        "rule": {"condition": {"op": "all", "items": [
            _atom("cmp", "第二条", field="exhibition_booth_fee", cmp=">", value="0"),
            NO_PENALTY]}},
        "examples": [_ok("参展企业", {"exhibition_booth_fee": "30000", "penalties": []}),
                     _no("有处罚", {"exhibition_booth_fee": "30000",
                                    "penalties": ["2025-06-01"]})],
        "source": "seed 004 #72",
    },
    {
        "data": {
            "title": "节能审查绿色通道及能效奖励",
            "document_number": "柯发改〔2026〕12号",
            "issuer": "衢州市柯城区发展和改革局",
            "dept": "development_reform",
            "mode": "automatic",
            "benefit_kind": "fixed",
            "benefit_amount": "20000",
            "budget": "1000000",
            "full_text": "第二条 对单位工业增加值能耗低于0.52吨标准煤/万元的项目开通节能审查绿色"
            "通道，无需能耗平衡，并给予2万元能效奖励。第三条 须为制造业企业。",
        },
        "rule": {"condition": {"op": "all", "items": [
            _atom("cmp", "第二条", field="energy_intensity", cmp="<", value="0.52"),
            _atom("prefix", "第三条", field="industry_code", prefixes=["C"])]}},
        "examples": [_ok("低能耗制造业", {"energy_intensity": "0.4100", "industry_code": "39"}),
                     _no("能耗超标", {"energy_intensity": "0.6000", "industry_code": "39"})],
        "source": "seed 004 #17",
    },
    {
        "data": {
            "title": "科创知识产权证券化融资贴息",
            "document_number": "柯金融〔2026〕2号",
            "issuer": "衢州市柯城区地方金融管理局",
            "dept": "finance_regulation",
            "mode": "instant",
            "benefit_kind": "percentage",
            "benefit_rate": "20",
            "benefit_base_field": "ip_loan_interest",
            "benefit_cap": "500000",
            "budget": "5000000",
            "full_text": "第二条 对参与科创知识产权证券化的企业，按融资利息的20%给予贴息。"
            "第三条 企业须为高新技术企业或科技型中小企业。",
        },
        "rule": {"condition": {"op": "all", "items": [
            _atom("cmp", "第二条", field="ip_loan_interest", cmp=">", value="0"),
            {"op": "any", "items": [
                _atom("has", "第三条", field="tags", value="high_tech"),
                _atom("has", "第三条", field="tags", value="tech_sme")]}]}},
        "examples": [_ok("科技企业", {"ip_loan_interest": "120000", "tags": ["tech_sme"]}),
                     _no("非科技企业", {"ip_loan_interest": "120000", "tags": []})],
        "source": "seed 001 case 04",
    },
    {
        "data": {
            "title": "知识产权证券化中介费用补贴",
            "document_number": "柯金融〔2026〕3号",
            "issuer": "衢州市柯城区地方金融管理局",
            "dept": "finance_regulation",
            "mode": "apply",
            "benefit_kind": "percentage",
            "benefit_rate": "90",
            "benefit_base_field": "ip_securitisation_fee",
            "benefit_cap": "300000",
            "budget": "3000000",
            "full_text": "第二条 项目涉及的评级、律所、资产评估各费用享受90%的财政补贴。",
        },
        "rule": {"condition": _atom("cmp", "第二条", field="ip_securitisation_fee", cmp=">",
                                    value="0")},
        "examples": [_ok("有中介费用", {"ip_securitisation_fee": "80000"}),
                     _no("无中介费用", {"ip_securitisation_fee": "0"})],
        "source": "seed 001 case 04",
    },
    {
        "data": {
            "title": "创业投资企业投资初创科技型企业税收优惠",
            "document_number": "财税〔2018〕55号（延续至2027年12月31日）",
            "issuer": "国家税务总局衢州市柯城区税务局",
            "dept": "taxation",
            "mode": "automatic",
            "benefit_kind": "percentage",
            "benefit_rate": "70",
            "benefit_base_field": "startup_investment",
            "benefit_cap": "10000000",
            "budget": "50000000",
            "until": "2027-12-31",
            "full_text": "第一条 创业投资企业采取股权投资方式直接投资于初创科技型企业满2年的，"
            "可以按照投资额的70%抵扣应纳税所得额。政策延续执行至2027年12月31日。",
        },
        "rule": {"condition": _atom("cmp", "第一条", field="startup_investment", cmp=">",
                                    value="0")},
        "examples": [_ok("有投资", {"startup_investment": "1000000"}),
                     _no("无投资", {"startup_investment": "0"})],
        "source": "seed 004 #47",
    },
    {
        "data": {
            "title": "高新技术企业研发费用补助",
            "document_number": "柯科〔2026〕3号",
            "issuer": "衢州市柯城区科学技术局",
            "dept": "science_technology",
            "mode": "apply",
            "benefit_kind": "percentage",
            "benefit_rate": "10",
            "benefit_base_field": "rd_spend",
            "benefit_cap": "200000",
            "budget": "8000000",
            "full_text": "第二条 高新技术企业研发投入占营业收入比例达到3%以上（2027年起3.5%）的，"
            "按研发投入的10%给予补助，单户最高20万元。第三条 近三年无行政处罚。",
        },
        "rule": {
            "params": {"min_rd_ratio": [{"from": "2024-01-01", "value": "3"},
                                        {"from": "2027-01-01", "value": "3.5"}]},
            "condition": {"op": "all", "items": [
                _atom("has", "第二条", field="tags", value="high_tech"),
                _atom("cmp", "第二条", field="rd_ratio", cmp=">=",
                      value={"param": "min_rd_ratio"}),
                NO_PENALTY]}},
        "examples": [_ok("研发强度5%", {"tags": ["high_tech"], "rd_spend": "50", "revenue": "1000",
                                        "penalties": []}),
                     _no("研发强度2.1%", {"tags": ["high_tech"], "rd_spend": "21",
                                          "revenue": "1000", "penalties": []})],
        "source": "seed 004 #43",
    },
    {
        "data": {
            "title": "专精特新“小巨人”企业奖励",
            "document_number": "柯经信〔2026〕8号",
            "issuer": "衢州市柯城区经济和信息化局",
            "dept": "economy_it",
            "mode": "automatic",
            "benefit_kind": "fixed",
            "benefit_amount": "300000",
            "budget": "3000000",
            "full_text": "第二条 对新认定的国家级专精特新“小巨人”企业给予30万元奖励。",
        },
        "rule": {"condition": _atom("has", "第二条", field="tags", value="little_giant")},
        "examples": [_ok("小巨人", {"tags": ["little_giant"]}), _no("普通企业", {"tags": []})],
        "source": "seed 004 #99",
    },
    {
        "data": {
            "title": "省级专精特新中小企业奖励",
            "document_number": "柯经信〔2026〕9号",
            "issuer": "衢州市柯城区经济和信息化局",
            "dept": "economy_it",
            "mode": "apply",
            "benefit_kind": "fixed",
            "benefit_amount": "100000",
            "budget": "5000000",
            "full_text": "第二条 对认定的省级专精特新中小企业给予10万元奖励，"
            "已获“小巨人”奖励的除外。",
        },
        "rule": {"condition": {"op": "unless",
                               "rule": _atom("has", "第二条", field="tags", value="specialised"),
                               "except": _atom("has", "第二条（除外情形）", field="tags",
                                               value="little_giant")}},
        "examples": [_ok("专精特新", {"tags": ["specialised"]}),
                     _no("已是小巨人", {"tags": ["specialised", "little_giant"]})],
        "source": "seed 004 #104",
    },
    {
        "data": {
            "title": "初创小微企业稳岗扩岗补贴",
            "document_number": "柯人社〔2026〕4号",
            "issuer": "衢州市柯城区人力资源和社会保障局",
            "dept": "human_resources",
            "mode": "instant",
            "benefit_kind": "fixed",
            "benefit_amount": "5000",
            "budget": "2000000",
            "full_text": "第二条 成立不满3年的小型、微型企业新招用员工的，"
            "给予5000元一次性扩岗补贴。",
        },
        "rule": {"condition": {"op": "all", "items": [
            _atom("founded_within", "第二条", years=3),
            _atom("in", "第二条", field="scale", values=["small", "micro"]),
            _atom("cmp", "第二条", field="new_hires", cmp=">=", value=1)]}},
        "examples": [_ok("新设小微", {"founded_on": "2025-05-01", "scale": "micro",
                                      "new_hires": 3}),
                     _no("成立较久", {"founded_on": "2015-05-01", "scale": "micro",
                                      "new_hires": 3})],
        "source": "seed 004 #25",
    },
    {
        "data": {
            "title": "守信小微企业信用贷款贴息",
            "document_number": "柯金融〔2026〕6号",
            "issuer": "衢州市柯城区地方金融管理局",
            "dept": "finance_regulation",
            "mode": "apply",
            "benefit_kind": "fixed",
            "benefit_amount": "10000",
            "budget": "1000000",
            "full_text": "第二条 公共信用评价B级及以上的小微企业，给予1万元信用贷款贴息。"
            "（信用等级由信用模块提供，未评价的企业待补充。）",
        },
        "rule": {"condition": {"op": "all", "items": [
            _atom("grade_at_least", "第二条", grade="B"),
            _atom("in", "第二条", field="scale", values=["small", "micro"])]}},
        "examples": [_ok("B级小微", {"credit_grade": "B", "scale": "small"}),
                     _no("D级", {"credit_grade": "D", "scale": "small"}),
                     {"name": "未评级", "facts": {"scale": "small"}, "expected": "unknown"}],
        "source": "seed 003 #37 / 004 #25",
    },
    {
        "data": {
            "title": "规上工业企业技术合同登记奖励",
            "document_number": "柯科〔2026〕7号",
            "issuer": "衢州市柯城区科学技术局",
            "dept": "science_technology",
            "mode": "apply",
            "benefit_kind": "percentage",
            "benefit_rate": "1",
            "benefit_base_field": "tech_contract_value",
            "benefit_cap": "100000",
            "budget": "1000000",
            "full_text": "第二条 规上工业企业登记技术合同成交额100万元以上的，按成交额1%奖励。",
        },
        "rule": {"condition": {"op": "all", "items": [
            _atom("has", "第二条", field="tags", value="above_scale"),
            _atom("prefix", "第二条", field="industry_code", prefixes=["C"]),
            _atom("cmp", "第二条", field="tech_contract_value", cmp=">=", value="100")]}},
        "examples": [_ok("规上工业", {"tags": ["above_scale"], "industry_code": "34",
                                      "tech_contract_value": "500"}),
                     _no("成交额不足", {"tags": ["above_scale"], "industry_code": "34",
                                        "tech_contract_value": "50"})],
        "source": "seed 004 #43",
    },
]  # fmt: skip

DEMO_FACTS = [
    ("exhibition_booth_fee", "42000.00"),
    ("energy_intensity", "0.4100"),
    ("ip_loan_interest", "150000.00"),
    ("ip_securitisation_fee", "80000.00"),
    ("new_hires", 4),
]

DEMO_REVIEWERS = [
    ("kc_reviewer_commerce", "刘佳", "commerce"),
    ("kc_reviewer_kj", "何文斌", "science_technology"),
    ("kc_reviewer_jr", "蒋丽", "finance_regulation"),
]


def _reviewers(unit_code: str) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from zqt.accounts.services import user_create
    from zqt.core.demo import DEMO_PASSWORD, DEMO_TOTP_KEY_HEX, TOTP_DEVICE_NAME

    for username, name, key in DEMO_REVIEWERS:
        if User.objects.filter(username=username).exists():
            continue
        user = user_create(
            actor=None,
            username=username,
            role=Role.DEPARTMENT_REVIEWER,
            password=DEMO_PASSWORD,
            full_name=name,
            org_unit_code=unit_code,
        )
        unit = user.org_unit
        assert unit is not None
        user.departments.add(*unit.departments.filter(code=f"{unit.code}-{key}"))
        TOTPDevice.objects.create(
            user=user, name=TOTP_DEVICE_NAME, key=DEMO_TOTP_KEY_HEX, confirmed=True
        )


def demo_load(*, enterprise: Any) -> None:
    author = User.objects.filter(username="demo_leader").first()
    approver = User.objects.filter(username="demo_chief").first()
    if author is None or approver is None or author.org_unit is None:
        return
    unit = author.org_unit
    _reviewers(unit.code)
    today = local_today()
    created = False
    for spec in POLICIES:
        data = dict(spec["data"])
        if Policy.objects.filter(document_number=data["document_number"]).exists():
            continue
        created = True
        data["department"] = f"{unit.code}-{data.pop('dept')}"
        data["effective_from"] = f"{today.year}-01-01"
        data["effective_until"] = data.pop("until", f"{today.year + 1}-12-31")
        data["region_prefix"] = unit.scope_prefix
        data["period"] = str(today.year)
        data["summary"] = f"来源：{spec['source']}"
        policy = services.policy_create(actor=author, data=data)
        version = services.rule_version_submit(
            actor=author,
            policy_id=policy.pk,
            document=spec["rule"],
            examples=spec["examples"],
            note="演示数据",
        )
        services.rule_version_decide(actor=approver, version_id=version.pk, approve=True)
        services.policy_status_set(actor=author, policy_id=policy.pk, status="active")
    if not created:
        return
    for field, value in DEMO_FACTS:
        services.fact_record(
            actor=author,
            uscc=enterprise.uscc,
            field=field,
            value=value,
            as_of=today.isoformat(),
            source="演示数据",
        )
    services.match_sweep_run()
    for policy in Policy.objects.filter(status="active"):
        services.matches_notify(policy_id=policy.pk)
