"""Browser journeys of the enterprise code (Playwright, Debian chromium, headless).

1. An enterprise user opens 企业码 on a phone-sized screen: the dynamic code is drawn in the
   browser (vendored qrcode-generator), next to the cached static code.
2. A public visitor (no login) opens the verify link of the static code and sees the verdict
   and the licence colour states with their legend; a forged link shows the red refusal.
3. A front-desk officer pre-fills a form from the enterprise's dynamic code after the
   enterprise granted consent on its code page.

Screenshots: tests/artifacts/ecode_{enterprise_dynamic,public_verify,public_refused,
 desk_prefill}.png
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
from zqt.ecode import keys
from zqt.enterprises.enums import LicenceStatus
from zqt.enterprises.models import Honour

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "Zqt-test-pass-2026"


@pytest.fixture(autouse=True)
def _key_dir(settings: Any, tmp_path: Path) -> Any:
    settings.ZQT_ECODE_KEY_DIR = str(tmp_path / "ecode-keys")
    settings.ZQT_ECODE_KEYRING = ""
    keys.reset_cache()
    yield
    keys.reset_cache()


def _sign_in(page: Any, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")


def _enterprise() -> Any:
    today = local_today()
    enterprise = EnterpriseFactory(
        name="衢州绿源食品有限公司",
        legal_rep_name="王建国",
        phone="13900001234",
        address="浙江省衢州市柯城区荷花中路8号",
    )
    for licence_type, expires, status in (
        ("食品生产许可证", today + dt.timedelta(days=18), LicenceStatus.ACTIVE),
        ("排污许可证", today + dt.timedelta(days=700), LicenceStatus.ACTIVE),
        ("取水许可证", today - dt.timedelta(days=12), LicenceStatus.ACTIVE),
        ("食品经营许可证", None, LicenceStatus.PENDING),
    ):
        LicenceFactory(
            enterprise=enterprise, licence_type=licence_type, expires_on=expires, status=status
        )
    Honour.objects.create(
        enterprise=enterprise,
        title="浙江省专精特新中小企业",
        granted_by="浙江省经济和信息化厅",
        granted_on=dt.date(2023, 5, 1),
    )
    enterprise_user(enterprise, username="lvyuan", full_name="绿源食品")
    return enterprise


def _open_code_page(page: Any, base_url: str) -> None:
    _sign_in(page, base_url, "lvyuan")
    page.wait_for_url(f"{base_url}/")
    page.goto(f"{base_url}/code/")
    if page.locator("[data-testid=static-qr]").count() == 0:
        page.click("text=签发企业码")
        page.wait_for_selector("[data-testid=static-qr]")


def test_enterprise_opens_its_dynamic_code(
    browser: Any, live_server: Any, reference_data: None, artifacts_dir: Path
) -> None:
    _enterprise()
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        is_mobile=True,
    )
    page = context.new_page()
    try:
        _open_code_page(page, live_server.url)
        dynamic = page.locator("[data-testid=dynamic-code]")
        page.wait_for_selector("[data-testid=dynamic-code][data-state=ready] svg")
        first = page.get_attribute("[data-testid=dynamic-code] [data-qr]", "data-token")
        assert first and "秒后自动刷新" in dynamic.inner_text()
        page.click("[data-refresh]")
        page.wait_for_function(
            "t => document.querySelector('[data-testid=dynamic-code] [data-qr]')"
            ".getAttribute('data-token') !== t",
            arg=first,
        )
        page.screenshot(path=str(artifacts_dir / "ecode_enterprise_dynamic.png"), full_page=True)
    finally:
        context.close()


def test_public_visitor_opens_verify_link_and_sees_colour_states(
    page: Any, browser: Any, live_server: Any, reference_data: None, artifacts_dir: Path
) -> None:
    enterprise = _enterprise()
    _open_code_page(page, live_server.url)
    link = page.get_attribute("[data-testid=static-link]", "href")
    assert link and link.startswith("/C/")

    visitor = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    public = visitor.new_page()
    try:
        public.goto(f"{live_server.url}{link}")
        verdict = public.locator("[data-testid=verdict]")
        assert verdict.get_attribute("data-verdict") == "valid"
        assert enterprise.name in verdict.inner_text()
        states = {
            public.locator("[data-testid=licence]").nth(i).get_attribute("data-licence-state")
            for i in range(public.locator("[data-testid=licence]").count())
        }
        assert states == {"valid", "expiring", "expired", "pending"}
        assert public.locator("[data-testid=licence-legend] li").count() == 4
        body = public.inner_text("body")
        assert "王**" in body and "13900001234" not in body
        assert enterprise.legal_rep_id_number not in body
        public.screenshot(path=str(artifacts_dir / "ecode_public_verify.png"), full_page=True)

        forged = link[:-6] + ("AAAAAA" if not link.endswith("AAAAAA") else "BBBBBB")
        public.goto(f"{live_server.url}{forged}")
        assert public.locator("[data-testid=verdict]").get_attribute("data-verdict") == "invalid"
        assert enterprise.name not in public.inner_text("body")
        public.screenshot(path=str(artifacts_dir / "ecode_public_refused.png"), full_page=True)
    finally:
        visitor.close()


def test_desk_prefills_a_form_after_consent(
    page: Any, browser: Any, live_server: Any, reference_data: None, artifacts_dir: Path
) -> None:
    enterprise = _enterprise()
    _open_code_page(page, live_server.url)
    consent = page.locator("[data-testid=consent-form]")
    consent.locator("#purpose").fill("食品生产许可延续")
    consent.locator("button[type=submit]").click()
    page.wait_for_selector("[data-testid=consent-row]")
    page.wait_for_selector("[data-testid=dynamic-code][data-state=ready] svg")
    token = page.get_attribute("[data-testid=dynamic-code] [data-qr]", "data-token")

    officer = staff(Role.FRONT_DESK, username="kc_desk", full_name="李晓婷")
    device = totp_device(officer)
    desk_context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    desk = desk_context.new_page()
    try:
        _sign_in(desk, live_server.url, "kc_desk")
        desk.wait_for_url("**/accounts/login/verify/")
        desk.fill("input[name=code]", totp_code(device))
        desk.click("main button[type=submit]")
        desk.wait_for_url(f"{live_server.url}/")
        desk.click("nav >> text=扫码办事")
        desk.fill("#token", f"HTTPS://QZ.ZQT.GOV.CN/C/{token}")
        desk.fill("#purpose", "食品生产许可延续")
        desk.click("[data-testid=desk-form] button[type=submit]")
        desk.wait_for_selector("[data-testid=prefill-form]")
        assert desk.input_value("[data-testid=prefill-name]") == enterprise.name
        assert desk.input_value("[data-testid=prefill-address]") == enterprise.address
        assert desk.locator("[data-testid=prefill-legal_rep_id_number]").count() == 0
        assert "食品生产许可证" in desk.inner_text("[data-testid=prefill-licences]")
        desk.screenshot(path=str(artifacts_dir / "ecode_desk_prefill.png"), full_page=True)
        # The same dynamic code cannot be used twice.
        desk.click("[data-testid=desk-form] button[type=submit]")
        desk.wait_for_selector("[data-testid=desk-error]")
        assert "replayed" in desk.inner_text("[data-testid=desk-error]")
    finally:
        desk_context.close()
