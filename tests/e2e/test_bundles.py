"""Browser journey (Playwright): an enterprise applies for 歇业一件事 in ONE form (pre-filled,
each material uploaded once), three departments (market regulation, tax, human resources) each
approve their part, and the enterprise sees its registry status "歇业" and every result.

Screenshots: tests/artifacts/bundles_{apply_form,case_submitted,reviewer_case,case_completed,
space_suspended,case_completed_mobile}.png
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.accounts.factories import staff, totp_code, totp_device
from tests.enterprises.factories import EnterpriseFactory, enterprise_user
from zqt.accounts.enums import Role
from zqt.accounts.models import Department
from zqt.enterprises.models import Enterprise

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "Zqt-test-pass-2026"
PDF = b"%PDF-1.4\n% e2e\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


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


def _pdf(name: str) -> dict[str, Any]:
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF}


def test_enterprise_suspends_in_one_form_three_departments_approve(
    page: Any, browser: Any, live_server: Any, reference_data: None, artifacts_dir: Path
) -> None:
    enterprise = EnterpriseFactory(
        name="玉环恒润机械有限公司",
        phone="0576-87123456",
        address="浙江省衢州市柯城区航埠镇工业园8号",
    )
    enterprise_user(enterprise, username="hengrun", full_name="恒润机械")
    reviewers = []
    for username, name, key in (
        ("kc_scj", "郑丽华", "market_regulation"),
        ("kc_sw", "钱国栋", "taxation"),
        ("kc_rs", "孙晓梅", "human_resources"),
    ):
        user = staff(Role.DEPARTMENT_REVIEWER, username=username, full_name=name)
        user.departments.add(Department.objects.get(code=f"330802-{key}"))
        reviewers.append((username, totp_device(user), key))
    base = live_server.url

    # 1. The enterprise finds 歇业一件事 and applies: ONE form, pre-filled from the registry.
    _sign_in(page, base, "hengrun")
    page.click("nav >> text=一类事")
    page.fill("#q", "歇业")
    page.click("form[role=search] button[type=submit]")
    page.click("text=歇业一件事")
    page.click("[data-testid=apply]")
    page.wait_for_selector("[data-testid=one-form]")
    assert page.input_value("#f_enterprise_name") == "玉环恒润机械有限公司"
    assert page.input_value("#f_uscc") == enterprise.uscc
    assert page.input_value("#f_contact_phone") == "0576-87123456"
    page.fill("#f_contact_name", "陈海")
    page.fill("#f_suspend_from", "2026-03-01")
    page.fill("#f_suspend_until", "2026-09-30")
    page.fill("#f_suspend_reason", "订单季节性减少，歇业半年进行设备改造")
    page.select_option("#f_staff_arrangement", "转为灵活就业人员继续参保")
    page.set_input_files("#m_application", files=[_pdf("市场主体歇业备案申请书.pdf")])
    page.set_input_files("#m_info_sheet", files=[_pdf("歇业备案一件事信息采集表.pdf")])
    page.check("input[name=commit][value=debt_statement]")  # 告知承诺 instead of the statement
    page.screenshot(path=str(artifacts_dir / "bundles_apply_form.png"), full_page=True)
    page.click("[data-testid=submit]")
    page.wait_for_url("**/bundles/cases/YJS*/")
    number = page.url.rstrip("/").rsplit("/", 1)[-1]
    assert page.inner_text("[data-testid=case-status]") == "已提交"
    assert page.locator("[data-testid=task]").count() == 3
    assert "已同步分送：市场监督管理局、税务局、人力资源和社会保障局" in page.inner_text(
        "[data-testid=timeline]"
    )
    page.screenshot(path=str(artifacts_dir / "bundles_case_submitted.png"), full_page=True)
    _sign_out(page)

    # 2. Each department approves its own part from its queue.
    items = {"market_regulation": "XY01", "taxation": "XY02", "human_resources": "XY03"}
    for username, device, key in reviewers:
        _sign_in(page, base, username, device)
        page.click("nav >> text=我的办件")
        page.click("[data-testid=task-queue] a >> nth=0")
        page.wait_for_url(f"**/bundles/cases/{number}/")
        assert page.locator("[data-testid^=decide-]").count() == 1  # only its own task
        if key == "market_regulation":
            page.fill(
                f"[data-testid=decide-{items[key]}] input[name=result_number]",
                "柯市监歇备〔2026〕18号",
            )
            page.screenshot(path=str(artifacts_dir / "bundles_reviewer_case.png"), full_page=True)
        page.click(f"[data-testid=approve-{items[key]}]")
        page.wait_for_selector(".message--success")
        _sign_out(page)

    # 3. The enterprise sees one aggregated result, 歇业 status and every result document.
    _sign_in(page, base, "hengrun")
    page.goto(f"{base}/bundles/cases/{number}/")
    assert page.inner_text("[data-testid=case-status]") == "已办结"
    assert page.inner_text("[data-testid=progress]") == "3/3"
    results = page.locator("[data-testid=result]").all_inner_texts()
    assert results == ["歇业备案通知书", "税务事项通知书（停业登记）", "社会保险参保变更确认单"]
    assert "柯市监歇备〔2026〕18号" in page.inner_text("[data-testid=tasks]")
    assert "登记状态已变更为“歇业”" in page.inner_text("[data-testid=timeline]")
    assert page.locator("[data-testid=resume]").is_visible()
    page.screenshot(path=str(artifacts_dir / "bundles_case_completed.png"), full_page=True)
    assert Enterprise.objects.get(pk=enterprise.pk).status == "suspended"

    page.click("nav >> text=企业空间")
    page.wait_for_url("**/space/")
    assert "歇业" in page.inner_text("[data-testid=space-enterprise] + p")
    assert "歇业一件事已办结" in page.inner_text("[data-testid=messages]")
    page.screenshot(path=str(artifacts_dir / "bundles_space_suspended.png"), full_page=True)

    page.click("nav >> text=我的办件")
    assert page.locator("[data-testid=results] li").count() == 3

    mobile = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
    )
    try:
        mobile.add_cookies(page.context.cookies())
        phone = mobile.new_page()
        phone.goto(f"{base}/bundles/cases/{number}/")
        assert phone.locator("[data-testid=case-status]").is_visible()
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        phone.screenshot(
            path=str(artifacts_dir / "bundles_case_completed_mobile.png"), full_page=True
        )
    finally:
        mobile.close()
