"""Browser journey: an enterprise user switches the UI to English with the language switcher.

The browser asks for Chinese (zh-CN), so the space opens in Chinese; the switcher posts to
/i18n/setlang/, comes back to the same page in English, and the choice sticks across pages.

Screenshots: tests/artifacts/{enterprise_space_en,enterprise_space_en_mobile}.png
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_journeys import WARNING_RGB, _enterprise_with_licences, _sign_in
from tests.enterprises.factories import enterprise_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_enterprise_user_switches_the_space_to_english(
    page: Any, browser: Any, live_server: Any, reference_data: None, artifacts_dir: Path
) -> None:
    enterprise = _enterprise_with_licences()
    enterprise_user(enterprise, username="lvyuan", full_name="绿源食品")

    _sign_in(page, live_server.url, "lvyuan")
    page.wait_for_url(f"{live_server.url}/")
    page.click("nav >> text=企业空间")
    page.wait_for_url("**/space/")
    assert page.get_attribute("html", "lang") == "zh-hans"
    assert "我的证照" in page.inner_text("[data-testid=space-licences] h2")

    page.select_option("#lang-select", "en")
    with page.expect_navigation():
        page.click(".lang-switch button[type=submit]")
    page.wait_for_url("**/space/")

    assert page.get_attribute("html", "lang") == "en"
    assert page.title() == "Enterprise space · ZQT"
    assert page.inner_text("[data-testid=space-licences] h2") == "My licences"
    stats = page.inner_text("[data-testid=permit-stats]")
    for label in ("Required", "Held", "Missing"):
        assert label in stats
    expiring = page.locator("[data-testid=licence][data-licence-state=expiring]")
    assert expiring.locator(".state--expiring").inner_text() == "Expiring"
    warning = expiring.locator("[data-testid=expiry-warning]")
    assert warning.inner_text() == "Expires in 18 days"
    assert warning.evaluate("el => getComputedStyle(el).color") == WARNING_RGB
    legend = page.inner_text("[data-testid=licence-legend]")
    assert "Valid, with more than 60 days to expiry or no expiry date" in legend
    # The enterprise's own data stays as recorded.
    assert "衢州绿源食品有限公司" in page.inner_text("[data-testid=space-enterprise]")
    assert page.locator("#lang-select").input_value() == "en"
    page.screenshot(path=str(artifacts_dir / "enterprise_space_en.png"), full_page=True)

    # The choice sticks: the next page is English too.
    page.click("nav >> text=Messages")
    page.wait_for_url("**/notifications/")
    assert page.inner_text("main h1") == "Messages"

    # The longer English labels still fit a phone screen.
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
        assert phone.get_attribute("html", "lang") == "en"
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        phone.screenshot(path=str(artifacts_dir / "enterprise_space_en_mobile.png"), full_page=True)
    finally:
        mobile.close()

    # And back to Chinese.
    page.goto(f"{live_server.url}/space/")
    page.select_option("#lang-select", "zh-hans")
    with page.expect_navigation():
        page.click(".lang-switch button[type=submit]")
    page.wait_for_url("**/space/")
    assert page.get_attribute("html", "lang") == "zh-hans"
    assert page.inner_text("[data-testid=space-licences] h2") == "我的证照"
