"""Browser journeys (Playwright, Debian chromium, headless) against the live server.

1. A front-desk officer of 柯城区 signs in with password + TOTP, searches an enterprise by name,
   opens its detail page.
2. An enterprise user signs in and sees its space, with a licence expiring within 30 days shown
   in the warning colour (desktop and 390 px mobile).

Screenshots: tests/artifacts/{staff_search,enterprise_detail,enterprise_space,
enterprise_space_mobile}.png
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from tests.accounts.factories import staff, totp_code, totp_device
from tests.enterprises.factories import EnterpriseFactory, LicenceFactory, enterprise_user
from zqt.accounts.enums import Role
from zqt.core.timeutil import local_today
from zqt.enterprises.enums import LicenceStatus
from zqt.enterprises.models import Honour, Penalty, Tag

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "Zqt-test-pass-2026"
# --c-expiring in static/css/zqt.css (#b45309): the warning colour of an expiring licence.
WARNING_RGB = "rgb(180, 83, 9)"


def _sign_in(page: Any, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")


def _enterprise_with_licences() -> Any:
    today = local_today()
    enterprise = EnterpriseFactory(
        name="衢州绿源食品有限公司", industry_code="14", address="浙江省衢州市柯城区荷花中路8号"
    )
    enterprise.tags.add(Tag.objects.get(code="high_tech"), Tag.objects.get(code="specialised"))
    LicenceFactory(
        enterprise=enterprise,
        licence_type="食品生产许可证",
        number="SC11433080200123",
        issuer="衢州市市场监督管理局",
        expires_on=today + dt.timedelta(days=18),
    )
    LicenceFactory(
        enterprise=enterprise,
        licence_type="排污许可证",
        number="91330802PW0001",
        issuer="衢州市生态环境局",
        expires_on=today + dt.timedelta(days=700),
    )
    LicenceFactory(
        enterprise=enterprise,
        licence_type="取水许可证",
        number="取水(浙衢)字[2019]第012号",
        issuer="衢州市水利局",
        expires_on=today - dt.timedelta(days=12),
    )
    LicenceFactory(
        enterprise=enterprise,
        licence_type="食品经营许可证",
        number="JY13308020099999",
        status=LicenceStatus.PENDING,
        expires_on=None,
    )
    Penalty.objects.create(
        enterprise=enterprise,
        decision_number="衢柯市监罚〔2024〕12号",
        department="衢州市柯城区市场监督管理局",
        reason="未按规定公示年度报告",
        amount=2000,
        decided_on=dt.date(2024, 3, 1),
    )
    Honour.objects.create(
        enterprise=enterprise,
        title="浙江省专精特新中小企业",
        granted_by="浙江省经济和信息化厅",
        granted_on=dt.date(2023, 5, 1),
    )
    for n, name in enumerate(("衢州绿源农业开发有限公司", "衢州蓝天物流有限公司")):
        EnterpriseFactory(name=name, industry_code="01" if n == 0 else "54")
    return enterprise


def test_staff_signs_in_with_totp_searches_and_opens_detail(
    page: Any, live_server: Any, reference_data: None, artifacts_dir: Path
) -> None:
    officer = staff(Role.FRONT_DESK, username="kc_desk", full_name="王晓明")
    device = totp_device(officer)
    enterprise = _enterprise_with_licences()

    _sign_in(page, live_server.url, "kc_desk")
    page.wait_for_url("**/accounts/login/verify/")
    page.fill("input[name=code]", totp_code(device))
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    assert "王晓明" in page.inner_text("[data-testid=user-badge]")

    page.click("nav >> text=企业检索")
    page.wait_for_url("**/enterprises/")
    page.fill("#id_q", "绿源")
    page.click("[data-testid=search-form] button[type=submit]")
    page.wait_for_selector("[data-testid=search-results]")
    results = page.inner_text("[data-testid=search-results]")
    assert "衢州绿源食品有限公司" in results
    assert "衢州绿源农业开发有限公司" in results
    assert "衢州蓝天物流有限公司" not in results
    page.screenshot(path=str(artifacts_dir / "staff_search.png"), full_page=True)

    page.click("text=衢州绿源食品有限公司")
    page.wait_for_url(f"**/enterprises/{enterprise.uscc}/")
    assert page.inner_text("[data-testid=enterprise-uscc]") == enterprise.uscc
    assert page.locator("[data-testid=licences] .state--expiring").count() >= 1
    assert page.locator("[data-testid=licence-legend] li").count() == 4
    page.screenshot(path=str(artifacts_dir / "enterprise_detail.png"), full_page=True)


def test_enterprise_user_sees_expiring_licence_in_warning_colour(
    page: Any, browser: Any, live_server: Any, reference_data: None, artifacts_dir: Path
) -> None:
    enterprise = _enterprise_with_licences()
    enterprise_user(enterprise, username="lvyuan", full_name="绿源食品")

    _sign_in(page, live_server.url, "lvyuan")
    page.wait_for_url(f"{live_server.url}/")
    page.click("nav >> text=企业空间")
    page.wait_for_url("**/space/")

    expiring = page.locator("[data-testid=licence][data-licence-state=expiring]")
    assert expiring.count() == 1
    assert "食品生产许可证" in expiring.inner_text()
    assert "licence--expiring" in (expiring.get_attribute("class") or "")
    badge = expiring.locator(".state--expiring")
    assert badge.evaluate("el => getComputedStyle(el).color") == WARNING_RGB
    warning = expiring.locator("[data-testid=expiry-warning]")
    assert warning.inner_text() == "还有18天到期"
    assert warning.evaluate("el => getComputedStyle(el).color") == WARNING_RGB
    # The reminder list repeats it, in the same colour.
    reminder = page.locator("[data-testid=reminders] [data-testid=reminder-days]").first
    assert reminder.evaluate("el => getComputedStyle(el).color") == WARNING_RGB
    page.screenshot(path=str(artifacts_dir / "enterprise_space.png"), full_page=True)

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
        phone.goto(f"{live_server.url}/space/")
        card = phone.locator("[data-testid=licence][data-licence-state=expiring]")
        assert card.is_visible()
        # Nothing wider than the screen (no horizontal scrolling on a phone).
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        phone.screenshot(path=str(artifacts_dir / "enterprise_space_mobile.png"), full_page=True)
    finally:
        mobile.close()
