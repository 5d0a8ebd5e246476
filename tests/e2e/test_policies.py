"""Browser journey (Playwright): the business office enters a policy with its rules in the JSON
editor, a second person publishes it, matching runs, the enterprise sees "可享受的政策" with a
per-condition explanation and the amount, applies, and the department approves.

Screenshots: tests/artifacts/policies_{library,rules,explanation,review,paid}.png
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.accounts.factories import staff, totp_code, totp_device
from tests.enterprises.factories import EnterpriseFactory, enterprise_user
from tests.policies.conftest import RD_EXAMPLES, RD_RULE
from zqt.accounts.enums import Role
from zqt.accounts.models import Department
from zqt.enterprises.models import Tag
from zqt.taskqueue.testing import run_pending_tasks

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "Zqt-test-pass-2026"


def _sign_in(page: Any, base_url: str, username: str, device: Any = None) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    if device is not None:
        page.wait_for_url("**/accounts/login/verify/")
        page.fill("input[name=code]", totp_code(device))
        page.click("main button[type=submit]")
    page.wait_for_url(f"{base_url}/")


def _sign_out(page: Any) -> None:
    page.click("header form.inline-form button[type=submit]")


def test_policy_created_matched_explained_applied_approved(
    page: Any, live_server: Any, reference_data: None, artifacts_dir: Path
) -> None:
    ops = staff(Role.OPERATIONS, username="kc_ops", full_name="方志明")
    chief = staff(Role.CHIEF_COMMISSIONER, username="kc_chief", full_name="徐志强")
    # A TOTP code is accepted once: the activation is done by a colleague of the author.
    ops2 = staff(Role.OPERATIONS, username="kc_ops2", full_name="陈海燕")
    reviewer = staff(Role.DEPARTMENT_REVIEWER, username="kc_kj", full_name="何文斌")
    reviewer.departments.add(Department.objects.get(code="330802-science_technology"))
    devices = {u.username: totp_device(u) for u in (ops, chief, ops2, reviewer)}
    enterprise = EnterpriseFactory(
        name="衢州智造科技有限公司", rd_spend=Decimal("210.00"), revenue=Decimal("4200.00")
    )
    enterprise.tags.add(Tag.objects.get(code="high_tech"))
    enterprise_user(enterprise, username="zhizao", full_name="智造科技")
    base = live_server.url

    # 1. The office enters the policy and its rules; a wrong field is refused with a message.
    _sign_in(page, base, "kc_ops", devices["kc_ops"])
    page.click("nav >> text=惠企政策")
    page.click("[data-testid=new-policy]")
    page.fill("#title", "柯城区高新技术企业研发费用补助")
    page.fill("#document_number", "柯科〔2026〕3号")
    page.fill("#issuer", "衢州市柯城区科学技术局")
    page.select_option("#department", "330802-science_technology")
    page.fill("#effective_from", "2026-01-01")
    page.fill("#effective_until", "2027-12-31")
    page.select_option("#mode", "apply")
    page.select_option("#benefit_kind", "percentage")
    page.fill("#benefit_rate", "10")
    page.select_option("#benefit_base_field", "rd_spend")
    page.fill("#benefit_cap", "200000")
    page.fill("#budget", "1000000")
    page.fill(
        "#full_text", "第二条 高新技术企业研发投入占营业收入比例达到3%以上的，按研发投入的10%补助。"
    )
    page.click("main form button[type=submit]")
    page.wait_for_selector("[data-testid=policy-status]")
    policy_url = page.url
    bad = json.loads(json.dumps(RD_RULE))
    bad["condition"]["items"][1]["field"] = "rd_intensity"
    page.fill("#document", json.dumps(bad, ensure_ascii=False))
    page.fill("#examples", json.dumps(RD_EXAMPLES, ensure_ascii=False))
    page.click("[data-testid=submit-rule]")
    assert "未知字段“rd_intensity”" in page.inner_text("[data-testid=rule-error]")
    page.fill("#document", json.dumps(RD_RULE, ensure_ascii=False, indent=2))
    page.click("[data-testid=submit-rule]")
    page.wait_for_selector(".message--success")
    page.screenshot(path=str(artifacts_dir / "policies_rules.png"), full_page=True)
    assert page.locator("[data-testid=approve-rule]").count() == 0  # not by the author
    _sign_out(page)

    # 2. A second person publishes; the office activates and runs matching.
    _sign_in(page, base, "kc_chief", devices["kc_chief"])
    page.goto(policy_url)
    page.click("[data-testid=approve-rule]")
    page.wait_for_selector(".message--success")
    _sign_out(page)
    _sign_in(page, base, "kc_ops2", devices["kc_ops2"])
    page.goto(policy_url)
    page.click("[data-testid=activate]")
    page.click("[data-testid=run-matching]")
    page.wait_for_selector(".message--success")
    run_pending_tasks()
    page.goto(policy_url)
    assert "符合 1" in page.inner_text("[data-testid=match-counts]")
    page.click("nav >> text=惠企政策")
    page.fill("#q", "研发 补助")
    page.click("form.filters button[type=submit]")
    assert "柯城区高新技术企业研发费用补助" in page.inner_text("[data-testid=policies]")
    page.screenshot(path=str(artifacts_dir / "policies_library.png"), full_page=True)
    _sign_out(page)

    # 3. The enterprise sees the policy, the explanation and the amount, and applies.
    _sign_in(page, base, "zhizao")
    page.click("nav >> text=可享受的政策")
    card = page.locator("[data-testid=policy-card]").first
    assert "预计可获 200,000.00 元" in card.inner_text()  # 10% of 210万元, capped at 20万元
    card.locator("h2 a").click()
    explanation = page.inner_text("[data-testid=explanation]")
    assert "研发投入占比 5%，要求 ≥ 3%" in explanation
    assert "第二条第（二）项" in explanation
    page.fill("#bank_account", "6222 0000 1234 5678")
    page.screenshot(path=str(artifacts_dir / "policies_explanation.png"), full_page=True)
    page.click("[data-testid=apply]")
    page.wait_for_selector("[data-testid=application]")
    _sign_out(page)

    # 4. The department approves; the payout is announced with the frozen explanation.
    _sign_in(page, base, "kc_kj", devices["kc_kj"])
    page.click("nav >> text=政策兑现审核")
    assert "衢州智造科技有限公司" in page.inner_text("[data-testid=applications]")
    page.screenshot(path=str(artifacts_dir / "policies_review.png"), full_page=True)
    page.click("[data-testid=approve-application]")
    page.wait_for_selector(".message--success")
    _sign_out(page)
    _sign_in(page, base, "zhizao")
    page.goto(f"{base}/policies/mine/")
    page.locator("[data-testid=policy-card] h2 a").first.click()
    assert "200,000.00" in page.inner_text("[data-testid=payout]")
    page.screenshot(path=str(artifacts_dir / "policies_paid.png"), full_page=True)
