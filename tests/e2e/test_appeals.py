"""Browser journey of 企业诉求: an enterprise submits, the front desk routes it (confirming the
suggested board), the board answers, the enterprise rates; an overdue case is red on the
workbench. Screenshots: tests/artifacts/appeals_*.png"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from tests.accounts.factories import totp_code, totp_device
from tests.appeals.factories import cast
from zqt.appeals import services, tasks
from zqt.appeals.models import Appeal, StageClock

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "Zqt-test-pass-2026"


@pytest.fixture
def refs_loaded(db: Any) -> None:
    from zqt.accounts import reference as accounts_ref
    from zqt.notifications.services import notification_templates_load

    accounts_ref.org_units_load_reference()
    accounts_ref.service_boards_load_reference()
    accounts_ref.departments_load_reference()
    notification_templates_load()


def _sign_in(page: Any, base: str, user: Any) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    # A fresh device per sign-in: the same user signing in twice within one 30-second step
    # would otherwise replay a used code (refused, as it should be).
    TOTPDevice.objects.filter(user=user).delete()
    device = totp_device(user) if user.is_government_staff else None
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    if user.is_government_staff:
        page.wait_for_url("**/accounts/login/verify/")
        page.fill("input[name=code]", totp_code(device))
        page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_submit_route_answer_rate_and_overdue_is_red(
    page: Any, live_server: Any, refs_loaded: None, artifacts_dir: Path
) -> None:
    c = cast()
    base = live_server.url

    # The enterprise submits online.
    _sign_in(page, base, c.company)
    page.goto(f"{base}/appeals/new/")
    page.fill("#id_title", "厂房施工许可")
    page.fill("#id_content", "我公司新建厂房项目施工许可迟迟没有批下来，请帮忙协调。")
    page.screenshot(path=str(artifacts_dir / "appeals_submit.png"), full_page=True)
    page.click("[data-testid=appeal-form] button[type=submit]")
    page.wait_for_selector("[data-testid=holder-label]")
    assert "综合受理窗口" in page.inner_text("[data-testid=holder-label]")
    appeal = Appeal.objects.get()

    # The front desk confirms the suggested board and routes it.
    _sign_in(page, base, c.desk)
    page.goto(f"{base}/appeals/{appeal.pk}/")
    assert "项目服务" in page.inner_text("[data-testid=suggestion]")
    page.select_option("select[name=difficulty]", "complex")
    page.click("[data-testid=route-submit]")
    page.wait_for_selector(".message--success")
    assert "项目服务" in page.inner_text("[data-testid=holder-label]")

    # The board answers.
    _sign_in(page, base, c.handler)
    page.goto(f"{base}/appeals/{appeal.pk}/")
    page.fill("[data-testid=answer-text]", "已协调住建局，本周内核发施工许可证。")
    page.click("[data-testid=answer-submit]")
    page.wait_for_selector("[data-testid=answer]")

    # The enterprise sees who held it and rates it.
    _sign_in(page, base, c.company)
    page.goto(f"{base}/appeals/{appeal.pk}/")
    page.check("input[name=score][value=good]")
    page.click("[data-testid=rate-card] button[type=submit]")
    page.wait_for_selector("[data-testid=rating]")
    assert "好评" in page.inner_text("[data-testid=rating]")
    assert Appeal.objects.get(pk=appeal.pk).status == "closed"
    page.screenshot(path=str(artifacts_dir / "appeals_rated.png"), full_page=True)

    # An overdue case shows red on the handler's workbench.
    late, _ = services.appeal_submit(
        user=c.company, title="技改补助未兑付", content="去年申报的技改补助资金还没有兑付"
    )
    services.appeal_route(
        user=c.desk,
        appeal_id=late.pk,
        board_code="project",
        appeal_type="help",
        scope="point",
        difficulty="complex",
    )
    past = dt.datetime.now(dt.UTC) - dt.timedelta(days=10)
    for clock in StageClock.objects.filter(appeal=late, stopped_at__isnull=True):
        clock.started_at = past
        clock.save(update_fields=["started_at"])
        services.clock_recompute(clock=clock, reason="测试")
    tasks.supervision_run()
    _sign_in(page, base, c.handler)
    page.goto(f"{base}/appeals/workbench/")
    row = page.locator(f"[data-testid=overdue] [data-reference='{late.reference}']")
    assert row.count() == 1
    assert row.get_attribute("data-due-state") == "overdue"
    bg = row.evaluate("el => getComputedStyle(el).backgroundColor")
    assert bg not in ("rgba(0, 0, 0, 0)", "rgb(255, 255, 255)")
    page.screenshot(path=str(artifacts_dir / "appeals_workbench_overdue.png"), full_page=True)


def test_operations_enter_a_working_day_and_read_the_report(
    page: Any, live_server: Any, refs_loaded: None, artifacts_dir: Path
) -> None:
    from tests.appeals.test_services import routed
    from zqt.appeals.models import WorkingDayOverride

    c = cast()
    routed(c)
    base = live_server.url
    _sign_in(page, base, c.office)
    page.goto(f"{base}/appeals/workbench/")
    page.click("[data-testid=calendar-link]")
    page.goto(f"{base}/appeals/calendar/?year=2099")
    assert "周一至周五" in page.inner_text("[data-testid=coverage]")
    form = page.locator("[data-testid=override-form]")
    form.locator("input[name=day]").fill("2099-10-01")
    form.locator("input[name=note]").fill("国庆节")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("[data-testid=overrides] >> text=2099-10-01")
    assert WorkingDayOverride.objects.filter(day=dt.date(2099, 10, 1)).exists()
    page.screenshot(path=str(artifacts_dir / "appeals_calendar.png"), full_page=True)
    page.goto(f"{base}/appeals/report/")
    assert "厂房" in page.inner_text("[data-testid=themes]")
    page.screenshot(path=str(artifacts_dir / "appeals_report.png"), full_page=True)
