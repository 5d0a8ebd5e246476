"""The demo data set (`zqt load_demo`): accounts for every role, idempotent."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from zqt.accounts.enums import BoardPosition, Role
from zqt.accounts.models import BoardMembership, BoardStaffing, ServiceBoard, User
from zqt.accounts.permissions import DELEGABLE
from zqt.accounts.selectors import api_token_authenticate
from zqt.core import demo
from zqt.core.timeutil import local_today
from zqt.enterprises.enums import LicenceStatus
from zqt.enterprises.models import AgentAuthorisation, Enterprise, EnterpriseMembership
from zqt.enterprises.selectors import agent_authorisation_is_active

pytestmark = pytest.mark.django_db

DEMO_COUNT = 400


@pytest.fixture
def loaded() -> demo.DemoResult:
    return demo.demo_load(enterprises=DEMO_COUNT, seed=2026)


def test_demo_creates_an_account_for_every_role(loaded: demo.DemoResult) -> None:
    assert loaded.created
    assert {login.role for login in loaded.logins} == set(Role.values)
    assert {u.role for u in User.objects.filter(username__startswith="demo_")} == set(Role.values)
    for login in loaded.logins:
        user = User.objects.get(username=login.username)
        assert login.password == demo.DEMO_PASSWORD
        assert user.check_password(demo.DEMO_PASSWORD)
        assert user.is_active
    ops = {u.username: u.org_unit.code for u in User.objects.filter(role=Role.OPERATIONS)}
    assert ops["demo_ops_province"] == "330000"
    assert ops["demo_ops_city"] == "330800"
    for role in (
        Role.FRONT_DESK,
        Role.BOARD_STAFF,
        Role.CHIEF_COMMISSIONER,
        Role.DEPARTMENT_REVIEWER,
        Role.INSPECTOR,
    ):
        user = User.objects.get(username__startswith="demo_", role=role)
        assert user.org_unit is not None and user.org_unit.code == "330802"
        assert user.departments.exists()
    assert Enterprise.objects.count() == DEMO_COUNT


def test_staff_have_the_fixed_demo_totp_secret(loaded: demo.DemoResult) -> None:
    staff = [u for u in User.objects.filter(username__startswith="demo_") if u.is_government_staff]
    assert len(staff) >= 6
    for user in staff:
        device = TOTPDevice.objects.get(user=user, confirmed=True)
        assert device.key == demo.DEMO_TOTP_KEY_HEX
    assert loaded.totp_secret_base32 == "PJYXILLEMVWW6LLUN52HALLTMVRXEZLU"
    device = TOTPDevice.objects.get(user__username="demo_inspector")
    assert device.verify_token(demo.current_totp_code())
    non_staff = User.objects.filter(role__in=[Role.ENTERPRISE, Role.AGENT, Role.API_CLIENT])
    assert not TOTPDevice.objects.filter(user__in=non_staff).exists()


def test_enterprise_user_has_licences_expiring_within_30_and_60_days(
    loaded: demo.DemoResult,
) -> None:
    membership = EnterpriseMembership.objects.select_related("enterprise").get(
        user__username="demo_enterprise"
    )
    enterprise = membership.enterprise
    assert enterprise.region_code == "330802"
    assert enterprise.uscc == loaded.enterprise_uscc
    today = local_today()
    days = sorted(
        (lc.expires_on - today).days
        for lc in enterprise.licences.filter(status=LicenceStatus.ACTIVE, expires_on__isnull=False)
    )
    assert any(0 <= d <= 30 for d in days)
    assert any(30 < d <= 60 for d in days)


def test_agent_is_authorised_for_the_demo_enterprise(loaded: demo.DemoResult) -> None:
    agent = User.objects.get(username="demo_agent")
    authorisation = AgentAuthorisation.objects.get(agent=agent)
    assert authorisation.enterprise.uscc == loaded.enterprise_uscc
    assert agent_authorisation_is_active(authorisation, now=timezone.now())
    assert set(authorisation.scopes) == set(DELEGABLE)


def test_api_client_token_authenticates(loaded: demo.DemoResult) -> None:
    user = api_token_authenticate(token=loaded.api_token)
    assert user is not None and user.username == "demo_api" and user.role == Role.API_CLIENT


def test_boards_are_staffed_one_plus_one_plus_one_plus_x(loaded: demo.DemoResult) -> None:
    staffings = BoardStaffing.objects.filter(org_unit__code="330802")
    assert staffings.count() == ServiceBoard.objects.count() == 11
    for staffing in staffings:
        assert staffing.lead_department is not None
        assert staffing.lead_department.org_unit.code == "330802"
        positions = list(
            BoardMembership.objects.filter(staffing=staffing).values_list("position", flat=True)
        )
        assert positions.count(BoardPosition.LEADER_IN_CHARGE) == 1
        assert positions.count(BoardPosition.CHIEF_COMMISSIONER) == 1
        assert positions.count(BoardPosition.COMMISSIONER) >= 1


def test_second_load_changes_nothing_and_returns_the_logins(loaded: demo.DemoResult) -> None:
    users, enterprises = User.objects.count(), Enterprise.objects.count()
    again = demo.demo_load(enterprises=DEMO_COUNT, seed=2026)
    assert not again.created
    assert again.logins == loaded.logins
    assert again.enterprise_uscc == loaded.enterprise_uscc
    assert (User.objects.count(), Enterprise.objects.count()) == (users, enterprises)


def test_load_demo_command_prints_logins_and_warning() -> None:
    out = io.StringIO()
    call_command("load_demo", enterprises=300, seed=7, stdout=out)
    text = out.getvalue()
    for account in demo.ACCOUNTS:
        assert account.username in text
    assert demo.DEMO_PASSWORD in text
    assert "PJYXILLEMVWW6LLUN52HALLTMVRXEZLU" in text
    assert "仅供演示" in text
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert "演示数据已存在" in out.getvalue()
    assert Enterprise.objects.count() == 300


def test_demo_region_weights_centre_on_kecheng() -> None:
    weights = demo.demo_region_weights()
    total = sum(weights.values())
    assert weights["330802"] / total == pytest.approx(0.35)
    assert sum(w for c, w in weights.items() if c.startswith("3308")) / total == pytest.approx(0.5)


def test_load_demo_is_refused_where_demo_data_is_not_allowed(settings) -> None:  # type: ignore[no-untyped-def]
    from django.core.management.base import CommandError

    settings.ZQT_ALLOW_DEMO_DATA = False
    with pytest.raises(CommandError, match="ZQT_ALLOW_DEMO_DATA"):
        call_command("load_demo", enterprises=10, stdout=io.StringIO())
    assert not Enterprise.objects.exists()
