"""Browser journey (Playwright): a market-regulation reviewer publishes a 双随机 draw's
commitment, makes the draw, and the public 一公开 page verifies it (seed matches the commitment,
recomputation gives the same result); the drawn inspector finds the enterprise on the mobile
page by its USCC, records findings per item, and the enterprise's four-colour code changes from
green to red, which the enterprise then sees on its own credit page.

Screenshots: tests/artifacts/supervision_{draw_committed,public_verified,inspect_mobile,
inspect_recorded_mobile,enterprise_red}.png
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from tests.accounts.factories import staff, totp_code, totp_device
from tests.enterprises.factories import EnterpriseFactory, enterprise_user
from zqt.accounts.enums import Role
from zqt.accounts.models import Department
from zqt.credit.services import credit_recompute_all

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


def test_draw_public_verification_inspection_and_colour_change(
    page: Any, browser: Any, live_server: Any, reference_data: None, artifacts_dir: Path
) -> None:
    dept = Department.objects.get(code="330802-market_regulation")
    reviewer = staff(Role.DEPARTMENT_REVIEWER, username="kc_scj", full_name="郑丽华")
    reviewer.departments.add(dept)
    inspector = staff(Role.INSPECTOR, username="kc_zf", full_name="金伟")
    inspector.departments.add(dept)
    reviewer_device, inspector_device = totp_device(reviewer), totp_device(inspector)
    target = EnterpriseFactory(name="衢州鑫源食品有限公司")
    for n in range(5):
        EnterpriseFactory(name=f"衢州抽查样本{n}号有限公司")
    enterprise_user(target, username="xinyuan", full_name="鑫源食品")
    credit_recompute_all()
    base = live_server.url

    # 1. The reviewer publishes the commitment of a draw over 柯城区 (6 enterprises, 1 inspector).
    _sign_in(page, base, "kc_scj", reviewer_device)
    page.click("nav >> text=双随机抽查")
    page.fill("#title", "2026年第一批食品经营双随机抽查")
    page.fill("#k", "6")
    page.fill("#m", "1")
    page.click("[data-testid=draw-form] button[type=submit]")
    page.wait_for_selector("[data-testid=commitment]")
    commitment = page.inner_text("[data-testid=commitment]").strip()
    assert len(commitment) == 64
    assert "抽取后公开" in page.inner_text("[data-testid=seed]")
    page.screenshot(path=str(artifacts_dir / "supervision_draw_committed.png"), full_page=True)

    # 2. The draw is made; the public page (no login needed) verifies it.
    page.click("[data-testid=execute]")
    page.wait_for_selector("[data-testid=result-row]")
    assert page.locator("[data-testid=result-row]").count() == 6
    page.click("[data-testid=public-link]")
    page.wait_for_selector("[data-testid=verification]")
    assert page.get_attribute("[data-testid=verify-verdict]", "data-ok") == "yes"
    seed = page.inner_text("[data-testid=seed]").strip()
    assert hashlib.sha256(bytes.fromhex(seed)).hexdigest() == commitment
    assert page.inner_text("[data-testid=commitment]").strip() == commitment
    page.screenshot(path=str(artifacts_dir / "supervision_public_verified.png"), full_page=True)
    public_url = page.url

    # 3. The inspector, on a phone, finds the enterprise by USCC and records the findings.
    mobile = browser.new_context(
        viewport={"width": 390, "height": 844},
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        is_mobile=True,
    )
    phone = mobile.new_page()
    phone.set_default_timeout(15_000)
    _sign_in(phone, base, "kc_zf", inspector_device)
    phone.goto(f"{base}/supervision/inspect/")
    phone.fill("#q", target.uscc)
    phone.click("[data-testid=find-form] button[type=submit]")
    phone.wait_for_selector("[data-testid=record-form]")
    assert phone.get_attribute("[data-testid=colour]", "data-colour") == "green"
    phone.check("[data-testid=o-SC-R01-fail]")
    phone.fill("[data-testid=n-SC-R01]", "食品经营许可证已过期仍在经营")
    phone.check("[data-testid=o-SC-R02-fail]")
    phone.fill("[data-testid=n-SC-R02]", "电梯未按期定期检验")
    phone.check("[data-testid=o-SC-Y01-fail]")
    phone.fill("[data-testid=n-SC-Y01]", "实际经营地址与登记不一致")
    phone.screenshot(path=str(artifacts_dir / "supervision_inspect_mobile.png"), full_page=True)
    phone.click("[data-testid=submit-results]")
    phone.wait_for_selector("[data-testid=no-open]")
    assert phone.get_attribute("[data-testid=colour]", "data-colour") == "red"
    assert "发现问题3项" in phone.inner_text("[data-testid=history]")
    phone.screenshot(
        path=str(artifacts_dir / "supervision_inspect_recorded_mobile.png"), full_page=True
    )
    mobile.close()

    # 4. The result is public on the draw's page, and the enterprise sees its red code.
    page.goto(public_url)
    assert "发现问题3项" in page.inner_text("[data-testid=result]")
    page.click("header form.inline-form button[type=submit]")
    _sign_in(page, base, "xinyuan")
    page.click("nav >> text=我的信用")
    page.wait_for_selector("[data-testid=colour]")
    assert page.get_attribute("[data-testid=colour]", "data-colour") == "red"
    assert page.inner_text("[data-testid=grade]").strip() == "E"
    page.screenshot(path=str(artifacts_dir / "supervision_enterprise_red.png"), full_page=True)
