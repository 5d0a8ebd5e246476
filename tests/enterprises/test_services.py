"""Registry write services: validation of every bad input (nothing written), audit diffs,
licences, agent authorisations, tags."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from tests.accounts.factories import UserFactory, staff
from tests.enterprises.factories import EnterpriseFactory, LicenceFactory, enterprise_user
from zqt.accounts.enums import Role
from zqt.audit.models import AuditEvent, AuditOutcome
from zqt.core.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationFailed
from zqt.core.identifiers import USCC_CHARSET, make_id_number, make_uscc, mask_id_number
from zqt.core.timeutil import local_today
from zqt.enterprises import selectors, services
from zqt.enterprises.enums import LicenceStatus
from zqt.enterprises.models import AgentAuthorisation, Enterprise, Licence, Tag

VALID_USCC = make_uscc(region_code="330802", serial=9_000_001)
VALID_ID = make_id_number(region_code="330802", birth_date=dt.date(1985, 5, 5), sequence=123)


def enterprise_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "uscc": VALID_USCC,
        "name": "衢州新登记科技有限公司",
        "entity_type": "limited",
        "legal_rep_name": "李四",
        "legal_rep_id_number": VALID_ID,
        "registered_capital": Decimal("1000"),
        "founded_on": dt.date(2020, 1, 1),
        "address": "浙江省衢州市柯城区新登记路8号",
        "region_code": "330802",
        "industry_code": "39",
        "scale": "small",
        "lifecycle_stage": "startup",
        "tags": ["高新技术企业"],
    }
    data.update(overrides)
    return data


def _replace(code: str, index: int, ch: str) -> str:
    return code[:index] + ch + code[index + 1 :]


def _wrong_check_digit(code: str) -> str:
    other = next(c for c in USCC_CHARSET if c != code[-1])
    return _replace(code, 17, other)


@pytest.fixture
def front_desk(reference_data):  # type: ignore[no-untyped-def]
    return staff(Role.FRONT_DESK)


def _counts() -> tuple[int, int, int]:
    return Enterprise.objects.count(), AuditEvent.objects.count(), Tag.objects.count()


# --- enterprise_create: the happy path --------------------------------------------------------


@pytest.mark.django_db
def test_create_registers_enterprise_with_tags_and_audits_masked_snapshot(front_desk) -> None:
    enterprise = services.enterprise_create(user=front_desk, **enterprise_data())

    enterprise.refresh_from_db()
    assert enterprise.uscc == VALID_USCC
    assert enterprise.registered_capital == Decimal("1000.00")
    assert enterprise.status == "existing"
    assert [t.name for t in enterprise.tags.all()] == ["高新技术企业"]
    event = AuditEvent.objects.get(action="enterprise.create")
    assert event.actor == front_desk
    assert event.object_id == VALID_USCC
    assert event.outcome == AuditOutcome.ALLOWED
    assert event.changes["name"] == {"old": None, "new": "衢州新登记科技有限公司"}
    assert event.changes["legal_rep_id_number"]["new"] == mask_id_number(VALID_ID)
    assert VALID_ID not in str(event.changes)


@pytest.mark.django_db
def test_create_normalises_labels_strings_and_case(front_desk) -> None:
    enterprise = services.enterprise_create(
        user=front_desk,
        **enterprise_data(
            uscc=f"  {VALID_USCC.lower()} ",
            entity_type="有限责任公司",
            scale="小型",
            lifecycle_stage="初创",
            registered_capital="1,234.5",
            founded_on="2019/3/8",
            employees="12",
            tags="高新技术企业、专精特新",
        ),
    )
    assert enterprise.uscc == VALID_USCC
    assert (enterprise.entity_type, enterprise.scale, enterprise.lifecycle_stage) == (
        "limited",
        "small",
        "startup",
    )
    assert enterprise.registered_capital == Decimal("1234.50")
    assert enterprise.founded_on == dt.date(2019, 3, 8)
    assert enterprise.employees == 12
    assert sorted(t.name for t in enterprise.tags.all()) == ["专精特新", "高新技术企业"]


@pytest.mark.django_db
def test_system_create_without_user_skips_checks_and_audits_as_system(reference_data) -> None:
    enterprise = services.enterprise_create(user=None, **enterprise_data(region_code="330102"))
    assert enterprise.region_code == "330102"
    event = AuditEvent.objects.get(action="enterprise.create")
    assert event.actor is None and event.actor_label == "系统"


@pytest.mark.django_db
def test_create_with_audit_false_writes_no_audit_row(front_desk) -> None:
    services.enterprise_create(user=front_desk, audit=False, **enterprise_data(tags=[]))
    assert not AuditEvent.objects.filter(action="enterprise.create").exists()


# --- enterprise_create: every bad input of the issue -----------------------------------------

BAD_INPUTS = [
    pytest.param(
        {"uscc": _wrong_check_digit(VALID_USCC)},
        "uscc",
        "统一社会信用代码校验位错误",
        id="uscc-check-digit",
    ),
    *[
        pytest.param(
            {"uscc": _replace(VALID_USCC, 10, letter)},
            "uscc",
            f"统一社会信用代码含有不允许的字符“{letter}”",
            id=f"uscc-forbidden-{letter}",
        )
        for letter in "IOZSV"
    ],
    pytest.param(
        {"uscc": VALID_USCC[:17]}, "uscc", "统一社会信用代码应为18位，实为17位", id="uscc-too-short"
    ),
    pytest.param(
        {"uscc": VALID_USCC + "1"}, "uscc", "统一社会信用代码应为18位，实为19位", id="uscc-too-long"
    ),
    pytest.param({"uscc": ""}, "uscc", "统一社会信用代码不能为空", id="uscc-empty"),
    pytest.param(
        {"legal_rep_id_number": VALID_ID[:17] + ("0" if VALID_ID[17] != "0" else "1")},
        "legal_rep_id_number",
        "法定代表人公民身份号码校验位错误",
        id="id-check-digit",
    ),
    pytest.param(
        {"legal_rep_id_number": "33080219850505"},
        "legal_rep_id_number",
        "法定代表人公民身份号码应为18位",
        id="id-length",
    ),
    pytest.param(
        {"registered_capital": Decimal("-1")},
        "registered_capital",
        "注册资本不能为负数",
        id="negative-capital",
    ),
    pytest.param(
        {"registered_capital": "abc"},
        "registered_capital",
        "注册资本必须是数字",
        id="capital-not-a-number",
    ),
    pytest.param(
        {"founded_on": "future"}, "founded_on", "成立日期不能晚于今天", id="founded-in-future"
    ),
    pytest.param({"founded_on": "2020-13-45"}, "founded_on", "不是有效日期", id="founded-bad"),
    pytest.param(
        {"region_code": "339999"}, "region_code", "行政区划代码“339999”不存在", id="unknown-region"
    ),
    pytest.param(
        {"industry_code": "99"}, "industry_code", "行业代码“99”不存在", id="unknown-industry"
    ),
    pytest.param(
        {"entity_type": "公司"}, "entity_type", "主体类型“公司”不存在", id="unknown-entity-type"
    ),
    pytest.param({"name": "  "}, "name", "企业名称不能为空", id="empty-name"),
    pytest.param({"employees": -3}, "employees", "从业人数不能为负数", id="negative-employees"),
    pytest.param({"revenue": "-0.01"}, "revenue", "营业收入不能为负数", id="negative-revenue"),
    pytest.param({"phone": "call me"}, "phone", "联系电话“call me”格式不正确", id="bad-phone"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("overrides", "field", "message"), BAD_INPUTS)
def test_create_rejects_bad_input_naming_the_field_and_writes_nothing(
    front_desk, overrides: dict[str, Any], field: str, message: str
) -> None:
    if overrides.get("founded_on") == "future":
        overrides = {"founded_on": local_today() + dt.timedelta(days=1)}
    before = _counts()

    with pytest.raises(ValidationFailed) as exc_info:
        services.enterprise_create(user=front_desk, **enterprise_data(**overrides))

    exc = exc_info.value
    assert exc.code == "invalid"
    assert {"field": field, "message": exc.errors[0]["message"]} == exc.errors[0]
    assert exc.field == field
    assert message in exc.message
    assert _counts() == before


@pytest.mark.django_db
def test_duplicate_uscc_is_refused_and_nothing_written(front_desk) -> None:
    EnterpriseFactory(uscc=VALID_USCC)
    before = _counts()
    with pytest.raises(ValidationFailed) as exc_info:
        services.enterprise_create(user=front_desk, **enterprise_data())
    assert exc_info.value.errors == [
        {"field": "uscc", "message": f"统一社会信用代码“{VALID_USCC}”已存在"}
    ]
    assert _counts() == before


@pytest.mark.django_db
def test_every_bad_field_is_reported_at_once(front_desk) -> None:
    with pytest.raises(ValidationFailed) as exc_info:
        services.enterprise_create(
            user=front_desk,
            **enterprise_data(
                uscc=_wrong_check_digit(VALID_USCC),
                registered_capital=-5,
                region_code="339999",
                industry_code="99",
            ),
        )
    fields = [e["field"] for e in exc_info.value.errors]
    assert fields == ["uscc", "registered_capital", "region_code", "industry_code"]
    assert Enterprise.objects.count() == 0


@pytest.mark.django_db
def test_founded_today_is_accepted(front_desk) -> None:
    enterprise = services.enterprise_create(
        user=front_desk, **enterprise_data(founded_on=local_today())
    )
    assert enterprise.founded_on == local_today()


@pytest.mark.django_db
def test_create_refused_for_role_without_capability_is_audited(reference_data) -> None:
    inspector = staff(Role.INSPECTOR)
    with pytest.raises(PermissionDeniedError):
        services.enterprise_create(user=inspector, **enterprise_data())
    assert Enterprise.objects.count() == 0
    event = AuditEvent.objects.get()
    assert (event.action, event.outcome, event.actor) == (
        "enterprise.create",
        AuditOutcome.DENIED,
        inspector,
    )


@pytest.mark.django_db
def test_create_outside_own_region_is_refused_and_audited(reference_data) -> None:
    from tests.accounts.factories import county

    hangzhou_desk = staff(Role.FRONT_DESK, org_unit=county("330102", "上城区", "330100"))
    with pytest.raises(PermissionDeniedError) as exc_info:
        services.enterprise_create(user=hangzhou_desk, **enterprise_data())
    assert exc_info.value.field == "region_code"
    assert "不在您的管辖范围内" in exc_info.value.message
    assert Enterprise.objects.count() == 0
    assert AuditEvent.objects.get().outcome == AuditOutcome.DENIED


# --- enterprise_validate (also used by the Excel importer) ------------------------------------


@pytest.mark.django_db
def test_validate_with_preloaded_reference_codes_runs_no_reference_queries(
    reference_data, django_assert_num_queries
) -> None:
    refs = services.reference_codes_load()
    with django_assert_num_queries(0):
        cleaned = services.enterprise_validate(
            data=enterprise_data(region_code=330802, industry_code=39.0),
            refs=refs,
            check_duplicate=False,
        )
    assert cleaned["region_code"] == "330802"
    assert cleaned["industry_code"] == "39"
    assert cleaned["employees"] == 0 and cleaned["phone"] == "" and cleaned["status"] == "existing"


@pytest.mark.django_db
def test_validate_accepts_section_and_any_org_unit_code(reference_data) -> None:
    cleaned = services.enterprise_validate(
        data=enterprise_data(industry_code="c", region_code="330802005")
    )
    assert (cleaned["industry_code"], cleaned["region_code"]) == ("C", "330802005")


@pytest.mark.django_db
def test_validate_reports_missing_required_and_unknown_fields(reference_data) -> None:
    with pytest.raises(ValidationFailed) as exc_info:
        services.enterprise_validate(data={"name": "某公司", "colour": "red"})
    errors = exc_info.value.errors
    assert {"field": "colour", "message": "字段“colour”不存在"} in errors
    assert {"field": "uscc", "message": "统一社会信用代码不能为空"} in errors
    assert {"field": "founded_on", "message": "成立日期不能为空"} in errors


@pytest.mark.django_db
def test_validate_partial_checks_only_given_fields(reference_data) -> None:
    assert services.enterprise_validate(data={"employees": "7"}, partial=True) == {"employees": 7}


# --- enterprise_update -----------------------------------------------------------------------


@pytest.mark.django_db
def test_update_records_who_and_what_changed(front_desk) -> None:
    enterprise = EnterpriseFactory(name="衢州旧名有限公司", registered_capital=Decimal("500"))
    new_id = make_id_number(region_code="330802", birth_date=dt.date(1990, 1, 2), sequence=7)

    updated = services.enterprise_update(
        user=front_desk,
        uscc=enterprise.uscc,
        data={
            "name": "衢州新名有限公司",
            "registered_capital": "800",
            "employees": enterprise.employees,  # unchanged: not in the diff
            "legal_rep_id_number": new_id,
            "tags": ["专精特新"],
        },
    )

    updated.refresh_from_db()
    assert updated.name == "衢州新名有限公司"
    assert updated.registered_capital == Decimal("800.00")
    event = AuditEvent.objects.get(action="enterprise.update")
    assert event.actor == front_desk
    assert event.actor_role == Role.FRONT_DESK
    assert event.org_unit_code == "330802"
    assert event.object_id == enterprise.uscc
    assert event.changes == {
        "name": {"old": "衢州旧名有限公司", "new": "衢州新名有限公司"},
        "registered_capital": {"old": "500.00", "new": "800.00"},
        "legal_rep_id_number": {
            "old": mask_id_number(enterprise.legal_rep_id_number),
            "new": mask_id_number(new_id),
        },
        "tags": {"old": [], "new": ["专精特新"]},
    }


@pytest.mark.django_db
def test_update_without_changes_writes_nothing(front_desk) -> None:
    enterprise = EnterpriseFactory()
    updated_at = enterprise.updated_at
    services.enterprise_update(
        user=front_desk, uscc=enterprise.uscc, data={"name": enterprise.name}
    )
    enterprise.refresh_from_db()
    assert enterprise.updated_at == updated_at
    assert not AuditEvent.objects.filter(action="enterprise.update").exists()


@pytest.mark.django_db
def test_update_cannot_change_uscc(front_desk) -> None:
    enterprise = EnterpriseFactory()
    with pytest.raises(ValidationFailed) as exc_info:
        services.enterprise_update(user=front_desk, uscc=enterprise.uscc, data={"uscc": VALID_USCC})
    assert exc_info.value.errors == [{"field": "uscc", "message": "统一社会信用代码不可修改"}]
    # Sending the same USCC back (a full form) is fine.
    services.enterprise_update(
        user=front_desk, uscc=enterprise.uscc, data={"uscc": enterprise.uscc, "employees": 3}
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"registered_capital": -1}, "registered_capital"),
        ({"founded_on": dt.date(2999, 1, 1)}, "founded_on"),
        ({"region_code": "339999"}, "region_code"),
        ({"industry_code": "99"}, "industry_code"),
        ({"legal_rep_id_number": "330802198505051230"}, "legal_rep_id_number"),
        ({"name": None}, "name"),
    ],
)
def test_update_with_bad_input_changes_nothing(
    front_desk, data: dict[str, Any], field: str
) -> None:
    enterprise = EnterpriseFactory()
    snapshot = Enterprise.objects.filter(pk=enterprise.pk).values().get()
    with pytest.raises(ValidationFailed) as exc_info:
        services.enterprise_update(
            user=front_desk, uscc=enterprise.uscc, data={"employees": 999, **data}
        )
    assert exc_info.value.field == field
    assert Enterprise.objects.filter(pk=enterprise.pk).values().get() == snapshot
    assert not AuditEvent.objects.filter(action="enterprise.update").exists()


@pytest.mark.django_db
def test_update_cannot_move_enterprise_out_of_own_region(front_desk) -> None:
    enterprise = EnterpriseFactory()
    with pytest.raises(PermissionDeniedError):
        services.enterprise_update(
            user=front_desk, uscc=enterprise.uscc, data={"region_code": "330102"}
        )
    enterprise.refresh_from_db()
    assert enterprise.region_code == "330802"
    assert AuditEvent.objects.filter(
        action="enterprise.update", outcome=AuditOutcome.DENIED
    ).exists()


@pytest.mark.django_db
def test_update_by_role_without_capability_is_refused(reference_data) -> None:
    enterprise = EnterpriseFactory()
    with pytest.raises(PermissionDeniedError):
        services.enterprise_update(
            user=staff(Role.BOARD_STAFF), uscc=enterprise.uscc, data={"employees": 1}
        )
    with pytest.raises(PermissionDeniedError):
        services.enterprise_update(
            user=enterprise_user(enterprise), uscc=enterprise.uscc, data={"employees": 1}
        )
    assert AuditEvent.objects.filter(outcome=AuditOutcome.DENIED).count() == 2


# --- licences --------------------------------------------------------------------------------


def licence_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "licence_type": "食品经营许可证",
        "number": "JY13308020000001",
        "issuer": "衢州市柯城区市场监督管理局",
        "issued_on": dt.date(2024, 1, 1),
        "expires_on": dt.date(2029, 1, 1),
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_licence_create_and_audit(front_desk) -> None:
    enterprise = EnterpriseFactory()
    licence = services.licence_create(user=front_desk, uscc=enterprise.uscc, **licence_data())
    assert licence.enterprise == enterprise
    assert licence.status == LicenceStatus.ACTIVE
    event = AuditEvent.objects.get(action="licence.create")
    assert event.object_id == str(licence.pk)
    assert event.changes["enterprise"] == {"old": None, "new": enterprise.uscc}
    assert event.changes["number"] == {"old": None, "new": "JY13308020000001"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"expires_on": dt.date(2023, 12, 31)}, "expires_on", "有效期至不能早于发证日期"),
        (
            {"issued_on": dt.date(2999, 1, 1), "expires_on": None},
            "issued_on",
            "发证日期不能晚于今天",
        ),
        ({"licence_type": ""}, "licence_type", "证照类型不能为空"),
        ({"status": "lost"}, "status", "证照状态“lost”不存在"),
        ({"issued_on": "yesterday"}, "issued_on", "发证日期“yesterday”不是有效日期"),
    ],
)
def test_licence_create_rejects_bad_input(
    front_desk, overrides: dict[str, Any], field: str, message: str
) -> None:
    enterprise = EnterpriseFactory()
    with pytest.raises(ValidationFailed) as exc_info:
        services.licence_create(user=front_desk, uscc=enterprise.uscc, **licence_data(**overrides))
    assert exc_info.value.field == field
    assert message in exc_info.value.message
    assert Licence.objects.count() == 0


@pytest.mark.django_db
def test_licence_duplicate_type_and_number_is_refused(front_desk) -> None:
    existing = LicenceFactory()
    with pytest.raises(ValidationFailed) as exc_info:
        services.licence_create(
            user=front_desk,
            uscc=existing.enterprise.uscc,
            **licence_data(licence_type=existing.licence_type, number=existing.number),
        )
    assert exc_info.value.field == "number"
    assert "已存在" in exc_info.value.message
    assert Licence.objects.count() == 1


@pytest.mark.django_db
def test_licence_update_diff_and_rules(front_desk) -> None:
    licence = LicenceFactory(expires_on=dt.date(2027, 1, 1))
    services.licence_update(
        user=front_desk, licence_id=licence.pk, data={"expires_on": "2030-01-01"}
    )
    licence.refresh_from_db()
    assert licence.expires_on == dt.date(2030, 1, 1)
    event = AuditEvent.objects.get(action="licence.update")
    assert event.changes["expires_on"] == {"old": "2027-01-01", "new": "2030-01-01"}

    # The existing issue date still bounds a new expiry.
    with pytest.raises(ValidationFailed) as exc_info:
        services.licence_update(
            user=front_desk, licence_id=licence.pk, data={"expires_on": dt.date(2021, 1, 1)}
        )
    assert exc_info.value.field == "expires_on"
    # Revocation is its own operation (it needs a reason).
    with pytest.raises(ValidationFailed):
        services.licence_update(user=front_desk, licence_id=licence.pk, data={"status": "revoked"})
    licence.refresh_from_db()
    assert licence.status == LicenceStatus.ACTIVE


@pytest.mark.django_db
def test_licence_revoke_needs_reason_is_audited_and_final(front_desk) -> None:
    licence = LicenceFactory()
    with pytest.raises(ValidationFailed) as exc_info:
        services.licence_revoke(user=front_desk, licence_id=licence.pk, reason=" ")
    assert exc_info.value.field == "reason"

    services.licence_revoke(user=front_desk, licence_id=licence.pk, reason="企业申请注销")

    licence.refresh_from_db()
    assert licence.status == LicenceStatus.REVOKED
    event = AuditEvent.objects.get(action="licence.revoke")
    assert event.purpose == "企业申请注销"
    assert event.changes["status"] == {"old": "active", "new": "revoked"}
    with pytest.raises(ConflictError):
        services.licence_revoke(user=front_desk, licence_id=licence.pk, reason="再次")
    with pytest.raises(ConflictError):
        services.licence_update(user=front_desk, licence_id=licence.pk, data={"issuer": "某局"})


@pytest.mark.django_db
def test_unknown_licence_is_not_found_and_audited(front_desk) -> None:
    with pytest.raises(NotFoundError):
        services.licence_revoke(user=front_desk, licence_id=987654, reason="x")
    event = AuditEvent.objects.get()
    assert (event.object_type, event.object_id, event.outcome) == (
        "licence",
        "987654",
        AuditOutcome.DENIED,
    )


# --- agent authorisations --------------------------------------------------------------------


@pytest.fixture
def owner(reference_data):  # type: ignore[no-untyped-def]
    return enterprise_user(EnterpriseFactory())


@pytest.fixture
def agent(reference_data):  # type: ignore[no-untyped-def]
    return UserFactory(role=Role.AGENT, org_unit=None, username="agent-zhang")


def _in_days(days: int) -> dt.datetime:
    return timezone.now() + dt.timedelta(days=days)


@pytest.mark.django_db
def test_grant_lets_the_agent_act_within_scope_until_revoked(owner, agent) -> None:
    enterprise = owner.enterprise_membership.enterprise
    with pytest.raises(NotFoundError):
        selectors.enterprise_get_for_user(user=agent, uscc=enterprise.uscc)

    authorisation = services.agent_authorisation_grant(
        user=owner,
        agent_username="agent-zhang",
        scopes=["enterprise.view"],
        expires_at=_in_days(30),
    )

    assert authorisation.granted_by == owner
    assert selectors.enterprise_get_for_user(user=agent, uscc=enterprise.uscc) == enterprise
    with pytest.raises(NotFoundError):  # licence.view was not granted
        selectors.enterprise_get_for_user(
            user=agent, uscc=enterprise.uscc, capability="licence.view"
        )
    event = AuditEvent.objects.get(action="agent.authorise")
    assert event.changes["scopes"] == ["enterprise.view"]

    services.agent_authorisation_revoke(user=owner, authorisation_id=authorisation.pk)
    services.agent_authorisation_revoke(user=owner, authorisation_id=authorisation.pk)  # no-op
    assert AuditEvent.objects.filter(action="agent.revoke").count() == 1
    with pytest.raises(NotFoundError):
        selectors.enterprise_get_for_user(user=agent, uscc=enterprise.uscc)


@pytest.mark.django_db
def test_new_grant_supersedes_the_active_one(owner, agent) -> None:
    first = services.agent_authorisation_grant(
        user=owner, agent_username="agent-zhang", scopes=["space.view"], expires_at=_in_days(5)
    )
    second = services.agent_authorisation_grant(
        user=owner,
        agent_username="agent-zhang",
        scopes=["space.view", "licence.view"],
        expires_at=_in_days(50),
    )
    first.refresh_from_db()
    assert first.revoked_at is not None
    assert second.revoked_at is None and second.scopes == ["licence.view", "space.view"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"agent_username": "nobody"}, "agent_username", "经办人账号“nobody”不存在"),
        ({"scopes": []}, "scopes", "授权范围不能为空"),
        ({"scopes": ["enterprise.update"]}, "scopes", "授权范围“enterprise.update”不可委托"),
        ({"expires_at": "past"}, "expires_at", "到期时间必须晚于当前时间"),
        ({"expires_at": "too-far"}, "expires_at", "授权期限最长为一年"),
        ({"expires_at": dt.datetime(2030, 1, 1)}, "expires_at", "带时区"),
    ],
)
def test_grant_rejects_bad_input(
    owner, agent, kwargs: dict[str, Any], field: str, message: str
) -> None:
    args: dict[str, Any] = {
        "agent_username": "agent-zhang",
        "scopes": ["enterprise.view"],
        "expires_at": _in_days(30),
    }
    args.update(kwargs)
    if args["expires_at"] == "past":
        args["expires_at"] = _in_days(-1)
    elif args["expires_at"] == "too-far":
        args["expires_at"] = _in_days(366)
    with pytest.raises(ValidationFailed) as exc_info:
        services.agent_authorisation_grant(user=owner, **args)
    assert exc_info.value.field == field
    assert message in exc_info.value.message
    assert AgentAuthorisation.objects.count() == 0


@pytest.mark.django_db
def test_staff_user_is_not_an_agent(owner) -> None:
    staff(Role.FRONT_DESK, username="desk")
    with pytest.raises(ValidationFailed):
        services.agent_authorisation_grant(
            user=owner, agent_username="desk", scopes=["space.view"], expires_at=_in_days(3)
        )


@pytest.mark.django_db
def test_only_enterprise_users_grant_and_only_their_own(owner, agent) -> None:
    with pytest.raises(PermissionDeniedError):
        services.agent_authorisation_grant(
            user=staff(Role.OPERATIONS),
            agent_username="agent-zhang",
            scopes=["space.view"],
            expires_at=_in_days(3),
        )
    unbound = UserFactory(role=Role.ENTERPRISE, org_unit=None)
    with pytest.raises(PermissionDeniedError):
        services.agent_authorisation_grant(
            user=unbound,
            agent_username="agent-zhang",
            scopes=["space.view"],
            expires_at=_in_days(3),
        )
    authorisation = services.agent_authorisation_grant(
        user=owner, agent_username="agent-zhang", scopes=["space.view"], expires_at=_in_days(3)
    )
    other_owner = enterprise_user(EnterpriseFactory())
    with pytest.raises(NotFoundError):
        services.agent_authorisation_revoke(user=other_owner, authorisation_id=authorisation.pk)
    authorisation.refresh_from_db()
    assert authorisation.revoked_at is None
    assert AuditEvent.objects.filter(outcome=AuditOutcome.DENIED).count() == 3


# --- tags ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_tag_ensure_reuses_by_name_or_code_and_creates_missing(reference_data) -> None:
    before = Tag.objects.count()
    tags = services.tag_ensure(names=["high_tech", "高新技术企业", " 链上新星 ", "链上新星", ""])
    assert [t.name for t in tags] == ["高新技术企业", "链上新星"]
    assert Tag.objects.count() == before + 1
    assert tags[1].code.startswith("t_")
    assert services.tag_ensure(names=["链上新星"]) == [tags[1]]
    with pytest.raises(ValidationFailed):
        services.tag_ensure(names=["长" * 33])


# --- consequences of other modules' decisions -----------------------------------------------


def test_status_set_records_the_deciding_person_and_reason(reference_data) -> None:  # type: ignore[no-untyped-def]
    enterprise = EnterpriseFactory(status="existing")
    reviewer = staff(Role.DEPARTMENT_REVIEWER)
    services.enterprise_status_set(
        actor=reviewer, uscc=enterprise.uscc, status="suspended", reason="歇业一件事办件 X 审批通过"
    )
    enterprise.refresh_from_db()
    assert enterprise.status == "suspended"
    event = AuditEvent.objects.get(action="enterprise.status_set", object_id=enterprise.uscc)
    assert event.actor_id == reviewer.pk and event.purpose == "歇业一件事办件 X 审批通过"
    assert event.changes == {"status": {"old": "existing", "new": "suspended"}}


@pytest.mark.parametrize(
    ("status", "reason", "field"),
    [("bogus", "依据", "status"), ("suspended", "  ", "reason")],
)
def test_status_set_bad_input_writes_nothing(reference_data, status, reason, field) -> None:  # type: ignore[no-untyped-def]
    enterprise = EnterpriseFactory(status="existing")
    with pytest.raises(ValidationFailed) as exc:
        services.enterprise_status_set(
            actor=staff(Role.OPERATIONS), uscc=enterprise.uscc, status=status, reason=reason
        )
    assert exc.value.field == field
    enterprise.refresh_from_db()
    assert enterprise.status == "existing"
    assert not AuditEvent.objects.filter(action="enterprise.status_set").exists()


def test_status_set_unknown_enterprise(reference_data) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NotFoundError):
        services.enterprise_status_set(
            actor=staff(Role.OPERATIONS), uscc=VALID_USCC, status="suspended", reason="依据"
        )


def test_credit_record_create_and_bad_kind(reference_data) -> None:  # type: ignore[no-untyped-def]
    from zqt.enterprises.models import CreditRecord

    enterprise = EnterpriseFactory()
    actor = staff(Role.DEPARTMENT_REVIEWER)
    record = services.credit_record_create(
        actor=actor,
        uscc=enterprise.uscc,
        kind="bad",
        title="告知承诺不实：债务清偿承诺",
        source_department="国家税务总局衢州市柯城区税务局",
        recorded_on=local_today(),
    )
    assert record.enterprise_id == enterprise.pk
    assert AuditEvent.objects.filter(action="credit_record.create", actor=actor).exists()
    with pytest.raises(ValidationFailed) as exc:
        services.credit_record_create(
            actor=actor,
            uscc=enterprise.uscc,
            kind="terrible",
            title="x",
            source_department="y",
            recorded_on=local_today(),
        )
    assert exc.value.field == "kind"
    assert CreditRecord.objects.filter(enterprise=enterprise).count() == 1


def test_member_users_are_the_enterprise_accounts_only(reference_data) -> None:  # type: ignore[no-untyped-def]
    enterprise = EnterpriseFactory()
    member = enterprise_user(enterprise)
    enterprise_user(EnterpriseFactory())
    assert list(selectors.enterprise_member_users(enterprise=enterprise)) == [member]
