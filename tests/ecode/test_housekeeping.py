"""Gaps closed after the first review: nonce purge, rate limit of login codes, list-expiry
notices to operations users, the uppercase login-code URL, libsodium ≡ OpenSSL, fast base32."""

from __future__ import annotations

import base64
import datetime as dt
import os
import time

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from tests.accounts.factories import province, staff
from tests.ecode.factories import enterprise_with_code
from tests.enterprises.factories import enterprise_user
from zqt.accounts.enums import Role
from zqt.audit.models import AuditEvent
from zqt.ecode import codec, selectors, services
from zqt.ecode.errors import CodeError, RateLimited
from zqt.ecode.models import LoginChallenge, NonceRedemption
from zqt.ecode.signing import Ed25519Signer, Ed25519Verifier, OpenSSLEd25519Verifier
from zqt.notifications.models import Notification
from zqt.notifications.services import notification_templates_load

# --- pure ------------------------------------------------------------------------------------


@hsettings(max_examples=200, deadline=None)
@given(st.binary(min_size=1, max_size=120))
def test_fast_base32_matches_the_standard_library(raw: bytes) -> None:
    token = base64.b32encode(raw).decode().rstrip("=")
    assert codec._b32decode(token) == raw


@pytest.mark.parametrize("token", ["", "A", "ABC", "ABCDEF", "AB0D", "AB1C", "AB8C", "AB=C", "ab"])
def test_fast_base32_refuses_what_the_standard_library_refuses(token: str) -> None:
    with pytest.raises(CodeError) as info:
        codec._b32decode(token)
    assert info.value.code == "bad_encoding"


def test_libsodium_and_openssl_verifiers_agree() -> None:
    signer = Ed25519Signer.generate()
    fast, reference = Ed25519Verifier(signer.public_key), OpenSSLEd25519Verifier(signer.public_key)
    for size in (0, 1, 90, 500):
        message = os.urandom(size)
        signature = signer.sign(message)
        assert fast.verify(signature, message) and reference.verify(signature, message)
        bad = bytes([signature[0] ^ 1]) + signature[1:]
        assert not fast.verify(bad, message) and not reference.verify(bad, message)
        assert not fast.verify(signature, message + b"x")
        assert not fast.verify(signature[:63], message)
    with pytest.raises(ValueError):
        Ed25519Verifier(b"short")


def test_login_code_url_is_uppercase_alphanumeric() -> None:
    url = selectors.login_code_url(scheme="https", host="zqt.example.cn", key="ab" * 16)
    assert url == "HTTPS://ZQT.EXAMPLE.CN/L/" + "AB" * 16
    alphanumeric = set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")
    assert set(url) <= alphanumeric


# --- database --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_dynamic_code_validity_is_capped_at_the_configured_ttl(settings) -> None:  # type: ignore[no-untyped-def]
    enterprise, _code = enterprise_with_code()
    owner = enterprise_user(enterprise)
    settings.ZQT_ECODE_DYNAMIC_TTL_S = 600
    url = services.dynamic_code_issue(user=owner)["url"]
    settings.ZQT_ECODE_DYNAMIC_TTL_S = 60
    later = time.time() + 60 + 10 + 5
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(services.time, "time", lambda: later)
        with pytest.raises(CodeError) as info:
            services.code_verify(text=url)
    assert info.value.code == "expired"


@pytest.mark.django_db
def test_purge_keeps_nonces_that_could_still_be_replayed(settings) -> None:  # type: ignore[no-untyped-def]
    settings.ZQT_ECODE_DYNAMIC_TTL_S = 60
    settings.ZQT_ECODE_CLOCK_SKEW_S = 10
    enterprise, _code = enterprise_with_code()
    now = timezone.now()
    for name, age in (("fresh", 30), ("edge", 79), ("old", 81), ("older", 3600)):
        row = NonceRedemption.objects.create(
            nonce=name.encode().hex()[:16], enterprise=enterprise, purpose="inspection"
        )
        NonceRedemption.objects.filter(pk=row.pk).update(
            redeemed_at=now - dt.timedelta(seconds=age)
        )
    result = services.housekeeping_run(now=now)
    assert result["nonces"] == 2
    assert sorted(NonceRedemption.objects.values_list("nonce", flat=True)) == sorted(
        [b"fresh".hex()[:16], b"edge".hex()[:16]]
    )
    assert AuditEvent.objects.filter(action="ecode.housekeeping").exists()
    assert services.housekeeping_run(now=now) == {"nonces": 0, "login_challenges": 0}


@pytest.mark.django_db
def test_purge_removes_expired_login_challenges_only() -> None:
    live, _ = services.login_challenge_create(ip_address="10.0.0.1")
    old, _ = services.login_challenge_create(ip_address="10.0.0.1")
    LoginChallenge.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - dt.timedelta(hours=2),
        expires_at=timezone.now() - dt.timedelta(hours=2) + dt.timedelta(seconds=120),
    )
    assert services.login_challenges_purge() == 1
    assert list(LoginChallenge.objects.values_list("pk", flat=True)) == [live.pk]


@pytest.mark.django_db
def test_login_codes_are_rate_limited_per_session_and_per_ip(settings) -> None:  # type: ignore[no-untyped-def]
    settings.ZQT_ECODE_LOGIN_LIMIT_SESSION = 3
    settings.ZQT_ECODE_LOGIN_LIMIT_IP = 5
    for _ in range(3):
        services.login_challenge_create(ip_address="10.0.0.1", client_id="browser-a")
    with pytest.raises(RateLimited) as info:
        services.login_challenge_create(ip_address="10.0.0.1", client_id="browser-a")
    assert info.value.code == "rate_limited" and "频繁" in info.value.message
    assert info.value.retry_after == 600
    # Another browser on the same IP still gets codes, up to the per-IP limit.
    services.login_challenge_create(ip_address="10.0.0.1", client_id="browser-b")
    services.login_challenge_create(ip_address="10.0.0.1", client_id="browser-b")
    with pytest.raises(RateLimited):
        services.login_challenge_create(ip_address="10.0.0.1", client_id="browser-c")
    # Another IP is not affected; the refusals are audited.
    services.login_challenge_create(ip_address="10.0.0.2", client_id="browser-d")
    assert AuditEvent.objects.filter(action="ecode.login_code", outcome="denied").count() == 2
    # Outside the window the old codes no longer count.
    LoginChallenge.objects.update(created_at=timezone.now() - dt.timedelta(seconds=601))
    services.login_challenge_create(ip_address="10.0.0.1", client_id="browser-a")


@pytest.mark.django_db
def test_login_page_answers_429_with_a_chinese_message(client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.ZQT_ECODE_LOGIN_LIMIT_SESSION = 2
    for _ in range(2):
        page = client.get("/code/login/")
        assert page.status_code == 200
        approve = page.context["approve_url"]
        assert approve == approve.upper() and "/L/" in approve
    refused = client.get("/code/login/")
    assert refused.status_code == 429
    assert refused["Retry-After"] == "600"
    assert "获取登录码过于频繁" in refused.content.decode()
    assert "data-login-code" not in refused.content.decode()


@pytest.mark.django_db
def test_uppercase_login_url_leads_to_the_approval_page(client) -> None:  # type: ignore[no-untyped-def]
    challenge, _secret = services.login_challenge_create(ip_address="10.0.0.1")
    response = client.get(f"/L/{challenge.key.upper()}")
    assert response.status_code == 302
    assert response["Location"] == f"/code/login/approve/{challenge.key}/"


@pytest.mark.django_db
def test_list_expiry_warning_reaches_operations_users_once() -> None:
    notification_templates_load()
    office = staff(Role.OPERATIONS, org_unit=province())
    staff(Role.INSPECTOR, org_unit=province())
    services.lists_publish()
    later = timezone.now() + dt.timedelta(hours=20)
    assert len(services.lists_check(now=later)) == 2
    notices = Notification.objects.filter(recipient=office)
    assert notices.count() == 2  # one per list, in-app
    assert all("企业码离线清单即将过期" in n.title for n in notices)
    assert "ecode.lists_refresh" in notices.first().body  # type: ignore[union-attr]
    # The hourly job runs again: no second message for the same documents.
    services.lists_check(now=later + dt.timedelta(minutes=60))
    assert Notification.objects.filter(recipient=office).count() == 2
    assert not Notification.objects.exclude(recipient=office).exists()
