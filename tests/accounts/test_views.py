"""Sign-in pages: password step, TOTP step for staff, TOTP enrolment, lockout, logout."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.accounts.factories import (
    UserFactory,
    login_verified,
    staff,
    totp_code,
    totp_device,
)
from zqt.accounts.enums import Role
from zqt.audit.models import AuditEvent

PASSWORD = "Zqt-test-pass-2026"
LOGIN = "/accounts/login/"
VERIFY = "/accounts/login/verify/"
SETUP = "/accounts/totp/setup/"
AUDIT = "/audit/"


@pytest.fixture(autouse=True)
def _no_otp_throttle(settings):  # type: ignore[no-untyped-def]
    # django-otp delays the next attempt after a wrong code (1 s, 2 s, …); tests must not sleep.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


def _password(client, username: str, password: str = PASSWORD, **extra):  # type: ignore[no-untyped-def]
    return client.post(LOGIN, {"username": username, "password": password, **extra})


def _signed_in(client) -> bool:  # type: ignore[no-untyped-def]
    return "_auth_user_id" in client.session


# --- names ---------------------------------------------------------------------------------


def test_url_names() -> None:
    assert reverse("accounts:login") == LOGIN
    assert reverse("accounts:totp_verify") == VERIFY
    assert reverse("accounts:totp_setup") == SETUP
    assert reverse("accounts:logout") == "/accounts/logout/"


# --- password step -------------------------------------------------------------------------


@pytest.mark.django_db
def test_login_page_renders_in_chinese(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get(LOGIN)
    assert response.status_code == 200
    body = response.content.decode()
    assert "登录政企通" in body
    assert 'name="csrfmiddlewaretoken"' in body


@pytest.mark.django_db
def test_enterprise_user_logs_in_with_password_only(client) -> None:  # type: ignore[no-untyped-def]
    user = UserFactory(role=Role.ENTERPRISE, org_unit=None)
    response = _password(client, user.username)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert _signed_in(client)


@pytest.mark.django_db
def test_agent_logs_in_with_password_only(client) -> None:  # type: ignore[no-untyped-def]
    user = UserFactory(role=Role.AGENT, org_unit=None)
    assert _password(client, user.username).status_code == 302
    assert _signed_in(client)


@pytest.mark.django_db
def test_wrong_password_is_refused(client) -> None:  # type: ignore[no-untyped-def]
    user = UserFactory(role=Role.ENTERPRISE, org_unit=None)
    response = _password(client, user.username, "wrong-password")
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()
    assert not _signed_in(client)


@pytest.mark.django_db
def test_unknown_user_is_refused(client) -> None:  # type: ignore[no-untyped-def]
    response = _password(client, "nobody", "whatever-password")
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()


@pytest.mark.django_db
def test_inactive_user_is_refused(client) -> None:  # type: ignore[no-untyped-def]
    user = UserFactory(role=Role.ENTERPRISE, org_unit=None, is_active=False)
    assert _password(client, user.username).status_code == 200
    assert not _signed_in(client)


@pytest.mark.django_db
def test_api_client_cannot_log_in_to_pages(client) -> None:  # type: ignore[no-untyped-def]
    user = staff(Role.API_CLIENT)
    response = _password(client, user.username)
    assert response.status_code == 200
    assert "接口账号不能登录页面" in response.content.decode()
    assert not _signed_in(client)


@pytest.mark.django_db
def test_login_follows_safe_next_only(client) -> None:  # type: ignore[no-untyped-def]
    user = UserFactory(role=Role.ENTERPRISE, org_unit=None)
    response = _password(client, user.username, next="/space/")
    assert response["Location"] == "/space/"
    client.logout()
    response = _password(client, user.username, next="https://evil.example.com/")
    assert response["Location"] == "/"


# --- TOTP step for staff -------------------------------------------------------------------


@pytest.mark.django_db
def test_staff_password_alone_does_not_sign_in(client) -> None:  # type: ignore[no-untyped-def]
    user = staff(Role.OPERATIONS)
    totp_device(user)
    response = _password(client, user.username)
    assert response.status_code == 302
    assert response["Location"] == VERIFY
    assert not _signed_in(client)
    # No staff page opens on the password alone.
    assert client.get(AUDIT).status_code == 302


@pytest.mark.django_db
def test_staff_wrong_totp_code_is_refused(client) -> None:  # type: ignore[no-untyped-def]
    user = staff(Role.OPERATIONS)
    device = totp_device(user)
    _password(client, user.username)
    right = totp_code(device)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    response = client.post(VERIFY, {"code": wrong})
    assert response.status_code == 200
    assert "动态验证码不正确" in response.content.decode()
    assert not _signed_in(client)


@pytest.mark.django_db
def test_staff_malformed_totp_code_is_refused(client) -> None:  # type: ignore[no-untyped-def]
    user = staff(Role.OPERATIONS)
    totp_device(user)
    _password(client, user.username)
    response = client.post(VERIFY, {"code": "12ab"})
    assert response.status_code == 200
    assert "6位数字" in response.content.decode()
    assert not _signed_in(client)


@pytest.mark.django_db
def test_staff_right_totp_code_signs_in_verified(client) -> None:  # type: ignore[no-untyped-def]
    user = staff(Role.OPERATIONS)
    device = totp_device(user)
    _password(client, user.username, next=AUDIT)
    response = client.post(VERIFY, {"code": totp_code(device)})
    assert response.status_code == 302
    assert response["Location"] == AUDIT
    assert _signed_in(client)
    assert client.session["otp_device_id"] == device.persistent_id
    assert client.get(AUDIT).status_code == 200


@pytest.mark.django_db
def test_totp_code_cannot_be_replayed(client) -> None:  # type: ignore[no-untyped-def]
    user = staff(Role.OPERATIONS)
    device = totp_device(user)
    code = totp_code(device)
    _password(client, user.username)
    assert client.post(VERIFY, {"code": code}).status_code == 302
    client.post("/accounts/logout/")
    _password(client, user.username)
    response = client.post(VERIFY, {"code": code})
    assert response.status_code == 200
    assert not _signed_in(client)


@pytest.mark.django_db
def test_totp_step_without_password_step_goes_to_login(client) -> None:  # type: ignore[no-untyped-def]
    assert client.get(VERIFY)["Location"] == LOGIN
    assert client.post(VERIFY, {"code": "123456"})["Location"] == LOGIN
    assert client.get(SETUP)["Location"] == LOGIN


@pytest.mark.django_db
def test_password_step_expires(client, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import zqt.accounts.views as views

    user = staff(Role.OPERATIONS)
    device = totp_device(user)
    _password(client, user.username)
    real_time = views.time.time
    monkeypatch.setattr(views.time, "time", lambda: real_time() + 301)
    response = client.post(VERIFY, {"code": totp_code(device)})
    assert response["Location"] == LOGIN
    assert not _signed_in(client)


@pytest.mark.django_db
def test_staff_signed_in_without_otp_is_sent_to_login(client) -> None:  # type: ignore[no-untyped-def]
    user = staff(Role.OPERATIONS)
    client.force_login(user)  # a session that somehow skipped the second factor
    response = client.get(AUDIT)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


# --- TOTP enrolment ------------------------------------------------------------------------


@pytest.mark.django_db
def test_staff_without_device_is_sent_to_enrolment(client) -> None:  # type: ignore[no-untyped-def]
    user = staff(Role.FRONT_DESK)
    response = _password(client, user.username)
    assert response["Location"] == SETUP
    response = client.get(SETUP)
    assert response.status_code == 200
    body = response.content.decode()
    assert "<svg" in body  # QR code rendered inline, no external service
    device = TOTPDevice.objects.get(user=user)
    assert not device.confirmed
    assert 'data-secret="' + response.context["secret"] + '"' in body
    # No request leaves the server for the QR code.
    assert "http://" not in body.split("<svg", 1)[1].split("</svg>", 1)[0].replace(
        "http://www.w3.org", ""
    )


@pytest.mark.django_db
def test_enrolment_confirms_with_right_code(client) -> None:  # type: ignore[no-untyped-def]
    user = staff(Role.FRONT_DESK)
    _password(client, user.username)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=user)
    response = client.post(SETUP, {"code": totp_code(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert _signed_in(client)
    assert client.session["otp_device_id"] == device.persistent_id
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"totp_device.create", "totp_device.confirm"} <= actions


@pytest.mark.django_db
def test_enrolment_refuses_wrong_code(client) -> None:  # type: ignore[no-untyped-def]
    user = staff(Role.FRONT_DESK)
    _password(client, user.username)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=user)
    wrong = f"{(int(totp_code(device)) + 1) % 1_000_000:06d}"
    response = client.post(SETUP, {"code": wrong})
    assert response.status_code == 200
    assert "动态验证码不正确" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert not _signed_in(client)


@pytest.mark.django_db
def test_enrolment_reuses_the_unconfirmed_device(client) -> None:  # type: ignore[no-untyped-def]
    user = staff(Role.FRONT_DESK)
    _password(client, user.username)
    first = client.get(SETUP).context["secret"]
    second = client.get(SETUP).context["secret"]
    assert first == second
    assert TOTPDevice.objects.filter(user=user).count() == 1


@pytest.mark.django_db
def test_enrolment_is_closed_once_a_device_is_confirmed(client) -> None:  # type: ignore[no-untyped-def]
    user = staff(Role.FRONT_DESK)
    totp_device(user)
    _password(client, user.username)
    assert client.get(SETUP)["Location"] == VERIFY


@pytest.mark.django_db
def test_enterprise_user_has_no_enrolment(client) -> None:  # type: ignore[no-untyped-def]
    user = UserFactory(role=Role.ENTERPRISE, org_unit=None)
    _password(client, user.username)
    assert client.get(SETUP)["Location"] == "/"
    assert not TOTPDevice.objects.exists()


# --- throttling ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_lockout_after_failure_limit(client, settings) -> None:  # type: ignore[no-untyped-def]
    user = UserFactory(role=Role.ENTERPRISE, org_unit=None)
    responses = [
        _password(client, user.username, "wrong-password")
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert [r.status_code for r in responses[:-1]] == [200] * (settings.AXES_FAILURE_LIMIT - 1)
    assert responses[-1].status_code == 429
    assert "登录失败次数过多，请15分钟后再试" in responses[-1].content.decode()
    # Locked: even the right password is refused now.
    response = _password(client, user.username)
    assert response.status_code == 429
    assert not _signed_in(client)


@pytest.mark.django_db
def test_failed_totp_codes_count_as_failed_logins(client, settings) -> None:  # type: ignore[no-untyped-def]
    user = staff(Role.OPERATIONS)
    device = totp_device(user)
    _password(client, user.username)
    right = totp_code(device)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    statuses = [
        client.post(VERIFY, {"code": wrong}).status_code for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert statuses[-1] == 429
    assert set(statuses[:-1]) == {200}
    assert not _signed_in(client)
    # The account is locked for password logins as well.
    response = _password(client, user.username)
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()


@pytest.mark.django_db
def test_totp_attempts_are_limited_per_session(client, settings) -> None:  # type: ignore[no-untyped-def]
    # Even with throttling by django-axes off, one password step allows few code attempts.
    settings.AXES_ENABLED = False
    settings.AXES_FAILURE_LIMIT = 3
    user = staff(Role.OPERATIONS)
    device = totp_device(user)
    _password(client, user.username)
    right = totp_code(device)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    statuses = [client.post(VERIFY, {"code": wrong}).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    # The pending password step is gone: back to the login page even with the right code.
    assert client.post(VERIFY, {"code": right})["Location"] == LOGIN
    assert not _signed_in(client)


# --- logout --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_logout_requires_post(client) -> None:  # type: ignore[no-untyped-def]
    user = UserFactory(role=Role.ENTERPRISE, org_unit=None)
    client.force_login(user)
    assert client.get("/accounts/logout/").status_code == 405
    assert _signed_in(client)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert not _signed_in(client)


@pytest.mark.django_db
def test_signed_in_user_visiting_login_is_redirected(client) -> None:  # type: ignore[no-untyped-def]
    user = staff(Role.OPERATIONS)
    login_verified(client, user)
    assert client.get(LOGIN)["Location"] == "/"


# --- the page guard ------------------------------------------------------------------------


@pytest.mark.django_db
def test_guard_sends_anonymous_to_login_with_next(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get(AUDIT)
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next=/audit/"


@pytest.mark.django_db
def test_guard_refuses_enterprise_user_on_staff_page(client) -> None:  # type: ignore[no-untyped-def]
    login_verified(client, UserFactory(role=Role.ENTERPRISE, org_unit=None))
    response = client.get(AUDIT)
    assert response.status_code == 403
    assert "仅供政府工作人员使用" in response.content.decode()


@pytest.mark.django_db
def test_guard_refuses_staff_without_capability(client) -> None:  # type: ignore[no-untyped-def]
    login_verified(client, staff(Role.FRONT_DESK))
    response = client.get(AUDIT)
    assert response.status_code == 403
    assert "没有访问此页面的权限" in response.content.decode()


# --- base layout ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_language_switch_to_english(client) -> None:  # type: ignore[no-untyped-def]
    body = client.get("/").content.decode()
    assert '<html lang="zh-hans">' in body
    assert 'action="/i18n/setlang/"' in body
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert '<html lang="en">' in client.get("/").content.decode()


@pytest.mark.django_db
def test_layout_shows_user_role_nav_and_logout(client) -> None:  # type: ignore[no-untyped-def]
    login_verified(client, staff(Role.OPERATIONS, full_name="赵营商"))
    body = client.get("/").content.decode()
    assert "赵营商" in body
    assert "营商办" in body  # role label
    assert 'action="/accounts/logout/"' in body
    assert 'href="/audit/"' in body  # nav from nav_items


@pytest.mark.django_db
def test_layout_shows_messages(rf) -> None:  # type: ignore[no-untyped-def]
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.messages import constants
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.db import SessionStore
    from django.template.loader import render_to_string

    request = rf.get("/")
    request.session = SessionStore()
    request.user = AnonymousUser()
    request._messages = FallbackStorage(request)
    request._messages.add(constants.ERROR, "测试提示信息")
    html = render_to_string("base.html", request=request)
    assert 'class="message message--error"' in html
    assert "测试提示信息" in html
