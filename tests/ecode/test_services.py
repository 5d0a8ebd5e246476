"""Services of the enterprise code against the database: issue, verify, revoke, rotate, replay,
pre-fill under consent, lists, login by code, statistics."""

from __future__ import annotations

import datetime as dt
import time
from unittest import mock

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from tests.accounts.factories import county, staff
from tests.ecode.factories import enterprise_with_code
from tests.enterprises.factories import EnterpriseFactory, enterprise_user
from zqt.accounts.enums import Role
from zqt.audit.models import AuditEvent
from zqt.core.errors import NotFoundError, PermissionDeniedError, ValidationFailed
from zqt.ecode import codec, keys, selectors, services
from zqt.ecode.enums import Audience, ScanResult
from zqt.ecode.errors import CodeError
from zqt.ecode.models import EnterpriseCode, NonceRedemption, ScanRecord
from zqt.ecode.offline import OfflineVerifier
from zqt.ecode.signing import ED25519

pytestmark = pytest.mark.django_db


def _reason(fn, **kw) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(CodeError) as info:
        fn(**kw)
    return info.value.code


def _dynamic(enterprise) -> str:  # type: ignore[no-untyped-def]
    owner = enterprise_user(enterprise)
    return str(services.dynamic_code_issue(user=owner)["url"])


def _consent(enterprise, fields: list[str] | None = None) -> None:  # type: ignore[no-untyped-def]
    owner = (
        enterprise.members.first().user
        if enterprise.members.exists()
        else enterprise_user(enterprise)
    )
    county()
    services.prefill_consent_grant(
        user=owner,
        grantee_code="330802",
        purpose="食品经营许可延续",
        fields=fields or ["name", "uscc", "address", "legal_rep_name", "licences"],
        days=30,
    )


def test_issue_static_code_caches_images_and_verifies() -> None:
    enterprise, code = enterprise_with_code()
    assert code.svg.startswith("<svg") and bytes(code.png).startswith(b"\x89PNG")
    assert 1 <= code.qr_version <= 8
    url = selectors.code_url(code)
    assert url == url.upper() and "/C/" in url
    result = services.code_verify(text=url)
    assert result.enterprise == enterprise and result.claims.kind is codec.CodeKind.STATIC
    assert ScanRecord.objects.get().result == ScanResult.OK


def test_status_indexes_are_unique_and_reissue_keeps_slot() -> None:
    a, code_a = enterprise_with_code()
    _b, code_b = enterprise_with_code()
    assert code_a.status_index != code_b.status_index
    again = services._issue(enterprise=a, actor=None, ip_address=None)
    assert again.status_index == code_a.status_index
    assert EnterpriseCode.objects.count() == 2


def test_enterprise_may_issue_own_code_others_refused() -> None:
    enterprise = EnterpriseFactory()
    owner = enterprise_user(enterprise)
    code = services.ecode_issue(user=owner)
    assert code.enterprise == enterprise
    inspector = staff(Role.INSPECTOR)
    with pytest.raises(PermissionDeniedError):
        services.ecode_issue(user=inspector, uscc=enterprise.uscc)
    assert AuditEvent.objects.filter(action="ecode.issue", outcome="denied").exists()


def test_revoked_or_deregistered_enterprise_fails_at_once() -> None:
    enterprise, code = enterprise_with_code()
    url = selectors.code_url(code)
    enterprise.status = "revoked"
    enterprise.save(update_fields=["status"])
    assert _reason(services.code_verify, text=url) == "revoked"
    enterprise.status = "deregistered"
    enterprise.save(update_fields=["status"])
    assert _reason(services.code_verify, text=url) == "revoked"
    failed = ScanRecord.objects.filter(result=ScanResult.FAILED)
    assert failed.count() == 2 and set(failed.values_list("failure_reason", flat=True)) == {
        "revoked"
    }


def test_suspended_enterprise_verifies_with_warning_status() -> None:
    _enterprise, code = enterprise_with_code(status="suspended")
    assert services.code_verify(text=code.token).status.name == "SUSPENDED"


def test_revoked_code_and_reissue() -> None:
    enterprise, code = enterprise_with_code()
    desk = staff(Role.FRONT_DESK)
    with pytest.raises(ValidationFailed):
        services.ecode_revoke(user=desk, uscc=enterprise.uscc, reason=" ")
    services.ecode_revoke(user=desk, uscc=enterprise.uscc, reason="海报遗失")
    assert _reason(services.code_verify, text=code.token) == "code_revoked"
    time.sleep(1.01)  # the re-issue must carry a later issue time than the revocation
    new = services._issue(enterprise=enterprise, actor=None, ip_address=None)
    assert services.code_verify(text=new.token).enterprise == enterprise


def test_rotation_old_codes_verify_until_retired_then_refused() -> None:
    _e, code = enterprise_with_code()
    ring = keys.key_ring()
    old = ring.active_code_key().kid
    ring.rotate()
    keys.reset_cache()
    assert services.code_verify(text=code.token).claims.kid.hex() == old
    ring = keys.key_ring()
    ring.retire(old)
    keys.reset_cache()
    assert _reason(services.code_verify, text=code.token) == "key_revoked"


def test_compromised_key_revokes_its_codes_at_once() -> None:
    enterprise, code = enterprise_with_code()
    keys.key_ring().mark_compromised(code.kid)
    keys.reset_cache()
    assert _reason(services.code_verify, text=code.token) == "key_revoked"
    new = services._issue(enterprise=enterprise, actor=None, ip_address=None)
    assert new.kid != code.kid and services.code_verify(text=new.token)


def test_unknown_enterprise_for_a_validly_signed_code() -> None:
    enterprise, _code = enterprise_with_code()
    ring = keys.key_ring()
    key = ring.active_code_key()
    forged_index = codec.sign(
        codec.Claims(
            codec.CodeKind.STATIC, key.kid_bytes, enterprise.uscc, 99_999, int(time.time())
        ),
        key.signer,  # type: ignore[arg-type]
    )
    assert _reason(services.code_verify, text=forged_index) == "unknown_enterprise"


def test_dynamic_code_expires() -> None:
    enterprise, _code = enterprise_with_code()
    url = _dynamic(enterprise)
    later = time.time() + 60 + 11
    with mock.patch("zqt.ecode.services.time.time", return_value=later):
        assert _reason(services.code_verify, text=url) == "expired"


def test_nonce_unique_constraint_refuses_second_redemption() -> None:
    enterprise, _code = enterprise_with_code()
    NonceRedemption.objects.create(nonce="00" * 8, enterprise=enterprise, purpose="prefill")
    with pytest.raises(IntegrityError), transaction.atomic():
        NonceRedemption.objects.create(nonce="00" * 8, enterprise=enterprise, purpose="inspection")


def test_inspection_scan_consumes_dynamic_code_and_is_audited() -> None:
    enterprise, _code = enterprise_with_code()
    url = _dynamic(enterprise)
    inspector = staff(Role.INSPECTOR)
    facts = services.inspection_scan(user=inspector, text=url)
    assert facts["detail"]["uscc"] == enterprise.uscc
    assert facts["detail"]["legal_rep_id_number"] == enterprise.legal_rep_id_number
    assert AuditEvent.objects.filter(action="enterprise.view", purpose="现场检查扫码").exists()
    assert _reason(services.inspection_scan, user=inspector, text=url) == "replayed"
    assert ScanRecord.objects.filter(
        audience=Audience.INSPECTOR, failure_reason="replayed"
    ).exists()
    again = services.inspection_scan(user=inspector, text=_dynamic_again(enterprise))
    assert len(again["inspection_history"]) == 2


def _dynamic_again(enterprise) -> str:  # type: ignore[no-untyped-def]
    owner = enterprise.members.first().user
    return str(services.dynamic_code_issue(user=owner)["url"])


def test_inspector_outside_region_gets_not_found() -> None:
    _enterprise, code = enterprise_with_code()
    other = staff(Role.INSPECTOR, org_unit=county("330102", "上城区", "330100"))
    with pytest.raises(NotFoundError):
        services.inspection_scan(user=other, text=code.token)


def test_desk_prefill_returns_only_granted_fields_once() -> None:
    enterprise, _code = enterprise_with_code()
    url = _dynamic(enterprise)
    _consent(enterprise, fields=["name", "uscc", "licences"])
    desk = staff(Role.FRONT_DESK)
    result = services.desk_prefill(user=desk, text=url, purpose="许可延续")
    assert set(result["values"]) == {"name", "uscc", "licences"}
    assert "legal_rep_id_number" not in result["values"]
    event = AuditEvent.objects.get(action="ecode.prefill", outcome="allowed")
    assert event.purpose == "许可延续" and event.changes["fields"] == ["name", "uscc", "licences"]
    assert _reason(services.desk_prefill, user=desk, text=url, purpose="再次") == "replayed"


def test_desk_prefill_refused_without_consent_and_consumes_nothing() -> None:
    enterprise, code = enterprise_with_code()
    url = _dynamic(enterprise)
    desk = staff(Role.FRONT_DESK)
    with pytest.raises(PermissionDeniedError) as info:
        services.desk_prefill(user=desk, text=url, purpose="许可延续")
    assert info.value.code == "no_consent"
    assert not NonceRedemption.objects.exists()
    assert AuditEvent.objects.filter(action="ecode.prefill", outcome="denied").exists()
    # A static code never pre-fills (it is not presented by the enterprise for this).
    _consent(enterprise)
    assert _reason(services.desk_prefill, user=desk, text=code.token, purpose="x") == "wrong_kind"
    with pytest.raises(ValidationFailed):
        services.desk_prefill(user=desk, text=url, purpose="")


def test_desk_of_another_region_and_revoked_consent_refused() -> None:
    enterprise, _code = enterprise_with_code()
    _consent(enterprise)
    other = staff(Role.FRONT_DESK, org_unit=county("330102", "上城区", "330100"))
    with pytest.raises(PermissionDeniedError):
        services.desk_prefill(user=other, text=_dynamic_again(enterprise), purpose="x")
    owner = enterprise.members.first().user
    consent = selectors.consent_list(enterprise=enterprise)[0]
    services.prefill_consent_revoke(user=owner, consent_id=consent.pk)
    with pytest.raises(PermissionDeniedError):
        services.desk_prefill(
            user=staff(Role.FRONT_DESK), text=_dynamic_again(enterprise), purpose="x"
        )


def test_inspector_may_not_prefill() -> None:
    enterprise, _code = enterprise_with_code()
    with pytest.raises(PermissionDeniedError):
        services.desk_prefill(user=staff(Role.INSPECTOR), text=_dynamic(enterprise), purpose="x")


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"grantee_code": "999999"}, "grantee"),
        ({"purpose": ""}, "purpose"),
        ({"fields": ["password"]}, "fields"),
        ({"fields": []}, "fields"),
        ({"days": 0}, "days"),
        ({"days": 400}, "days"),
    ],
)
def test_consent_bad_inputs(kw: dict, field: str) -> None:  # type: ignore[type-arg]
    enterprise = EnterpriseFactory()
    owner = enterprise_user(enterprise)
    county()
    data = {"grantee_code": "330802", "purpose": "办事", "fields": ["name"], "days": 30}
    data.update(kw)
    with pytest.raises(ValidationFailed) as info:
        services.prefill_consent_grant(user=owner, **data)
    assert info.value.field == field
    assert not selectors.consent_list(enterprise=enterprise)


def test_published_lists_verify_offline_and_track_status() -> None:
    enterprise, code = enterprise_with_code()
    _revoked, revoked_code = enterprise_with_code(status="deregistered")
    docs = services.lists_publish()
    ring = keys.key_ring()
    anchor = ring.anchor_key()
    verifier = OfflineVerifier(
        trust_list=docs["trust"].document,
        status_list=docs["status"].document,
        anchors={anchor.kid: (ED25519, anchor.public_key)},
        now=int(time.time()),
    )
    assert verifier.verify(code.token, now=int(time.time())).claims.uscc == enterprise.uscc
    with pytest.raises(CodeError) as info:
        verifier.verify(revoked_code.token, now=int(time.time()))
    assert info.value.code == "revoked"
    # A rotation makes the current lists stale: the next request republishes them.
    ring.rotate()
    keys.reset_cache()
    current = services.lists_current()
    assert current["trust"].pk != docs["trust"].pk


def test_lists_check_warns_before_expiry(settings) -> None:  # type: ignore[no-untyped-def]
    assert services.lists_check()  # nothing published yet
    services.lists_publish()
    assert services.lists_check() == []
    later = timezone.now() + dt.timedelta(hours=20)
    assert len(services.lists_check(now=later)) == 2
    assert AuditEvent.objects.filter(action="ecode.lists_warning").exists()


def test_login_by_code_two_device_flow() -> None:
    enterprise = EnterpriseFactory()
    owner = enterprise_user(enterprise)
    challenge, secret = services.login_challenge_create(ip_address="10.0.0.1", user_agent="UA")
    assert services.login_challenge_complete(key=challenge.key, browser_secret=secret) is None
    with pytest.raises(NotFoundError):  # another browser cannot ride on the challenge
        services.login_challenge_complete(key=challenge.key, browser_secret="guess")
    with pytest.raises(PermissionDeniedError):
        services.login_challenge_approve(user=staff(Role.FRONT_DESK), key=challenge.key)
    services.login_challenge_approve(user=owner, key=challenge.key)
    with pytest.raises(ValidationFailed):
        services.login_challenge_approve(user=owner, key=challenge.key)
    assert services.login_challenge_complete(key=challenge.key, browser_secret=secret) == owner
    with pytest.raises(NotFoundError):  # spent
        services.login_challenge_complete(key=challenge.key, browser_secret=secret)


def test_scan_stats_by_day_audience_and_failure_reason() -> None:
    _enterprise, code = enterprise_with_code()
    services.code_verify(text=code.token)
    with pytest.raises(CodeError):
        services.code_verify(text="HTTPS://X/C/AAAA")
    ops = staff(Role.OPERATIONS)
    stats = selectors.scan_stats(user=ops)
    assert stats.by_day[0]["total"] >= 1
    assert stats.totals.get("public", 0) >= 1
    with pytest.raises(PermissionDeniedError):
        selectors.scan_stats(user=staff(Role.INSPECTOR))


def test_public_facts_have_no_personal_data() -> None:
    enterprise, _code = enterprise_with_code(legal_rep_name="王小明", phone="13800001111")
    facts = selectors.public_facts(enterprise=enterprise)
    text = str(facts)
    assert facts["legal_rep_name"] == "王**"
    assert enterprise.legal_rep_id_number not in text and "13800001111" not in text
    assert "legal_rep_id_number" not in facts and "phone" not in facts


def test_demo_load_is_idempotent() -> None:
    from zqt.ecode.demo import demo_load

    enterprise = EnterpriseFactory()
    county()
    demo_load(enterprise=enterprise)
    demo_load(enterprise=enterprise)
    assert EnterpriseCode.objects.filter(enterprise=enterprise).count() == 1
    assert len(selectors.consent_list(enterprise=enterprise)) == 1
