"""The enterprise space read model (zqt.enterprises.space)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.accounts.factories import UserFactory, staff
from tests.enterprises.factories import (
    EnterpriseFactory,
    LicenceFactory,
    agent_for,
    enterprise_user,
)
from zqt.accounts.enums import Role
from zqt.audit.models import AuditEvent, AuditOutcome
from zqt.core.errors import NotFoundError, PermissionDeniedError, ValidationFailed
from zqt.enterprises import space, tasks
from zqt.enterprises.enums import LicenceStatus, TodoStatus
from zqt.enterprises.licence_state import LEGEND, LicenceState
from zqt.enterprises.models import AgentAuthorisation, Todo
from zqt.enterprises.selectors import LicenceRow

TODAY = dt.date(2026, 3, 2)


def days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


@pytest.fixture
def shop(reference_data):  # type: ignore[no-untyped-def]
    """A hotel (industry 61: 应办 特种行业许可证, 公共场所卫生许可证), licences in every state."""
    enterprise = EnterpriseFactory(name="衢州康乐酒店有限公司", industry_code="61")
    LicenceFactory(enterprise=enterprise, licence_type="特种行业许可证", expires_on=days(400))
    LicenceFactory(enterprise=enterprise, licence_type="公共场所卫生许可证", expires_on=days(-3))
    LicenceFactory(enterprise=enterprise, licence_type="烟草专卖零售许可证", expires_on=days(45))
    LicenceFactory(enterprise=enterprise, licence_type="酒类零售许可证", expires_on=days(10))
    LicenceFactory(
        enterprise=enterprise,
        licence_type="户外广告许可",
        status=LicenceStatus.PENDING,
        expires_on=None,
    )
    LicenceFactory(
        enterprise=enterprise,
        licence_type="出版物经营许可证",
        status=LicenceStatus.REVOKED,
        expires_on=days(20),
    )
    return enterprise


@pytest.mark.django_db
def test_enterprise_user_sees_licences_in_colour_with_the_legend(shop) -> None:  # type: ignore[no-untyped-def]
    result = space.enterprise_space_for_user(user=enterprise_user(shop), today=TODAY)

    assert result.enterprise == shop
    assert result.summary.name == "衢州康乐酒店有限公司"
    assert result.summary.industry_code == "61" and result.summary.industry_name
    states = {row.licence_type: (row.state, row.state_label, row.colour) for row in result.licences}
    assert states == {
        "特种行业许可证": (LicenceState.VALID, "有效", "green"),
        "公共场所卫生许可证": (LicenceState.EXPIRED, "已失效", "grey"),
        "烟草专卖零售许可证": (LicenceState.EXPIRING, "即将到期", "yellow"),
        "酒类零售许可证": (LicenceState.EXPIRING, "即将到期", "yellow"),
        "户外广告许可": (LicenceState.PENDING, "办理中", "blue"),
        "出版物经营许可证": (LicenceState.EXPIRED, "已失效", "grey"),
    }
    assert result.legend == LEGEND
    assert {colour for _s, _l, colour, _m in result.legend} == {"green", "yellow", "grey", "blue"}
    assert result.acting_as_agent is False


@pytest.mark.django_db
def test_permits_required_done_and_missing(shop) -> None:  # type: ignore[no-untyped-def]
    permits = space.enterprise_space_for_user(user=enterprise_user(shop), today=TODAY).permits

    assert [p.licence_type for p in permits.required] == ["公共场所卫生许可证", "特种行业许可证"]
    assert [p.licence_type for p in permits.done] == ["特种行业许可证"]
    [missing] = permits.missing
    assert missing.licence_type == "公共场所卫生许可证"
    assert (missing.held, missing.state, missing.colour) == (False, LicenceState.EXPIRED, "grey")
    assert missing.issuer_hint == "卫生健康委员会"
    assert permits.done[0].licence is not None and permits.done[0].colour == "green"


@pytest.mark.django_db
def test_permit_never_applied_for_is_missing(reference_data) -> None:  # type: ignore[no-untyped-def]
    enterprise = EnterpriseFactory(industry_code="54")  # 道路运输经营许可证
    permits = space.enterprise_space_for_user(user=enterprise_user(enterprise), today=TODAY).permits
    [item] = permits.missing
    assert (item.licence_type, item.licence, item.state_label) == (
        "道路运输经营许可证",
        None,
        "未办理",
    )
    assert permits.done == []


@pytest.mark.django_db
def test_industry_without_requirements_has_an_empty_list(reference_data) -> None:  # type: ignore[no-untyped-def]
    enterprise = EnterpriseFactory(industry_code="65")
    permits = space.enterprise_space_for_user(user=enterprise_user(enterprise)).permits
    assert (permits.required, permits.done, permits.missing) == ([], [], [])


@pytest.mark.django_db
def test_reminders_list_licences_within_60_and_30_days(shop) -> None:  # type: ignore[no-untyped-def]
    result = space.enterprise_space_for_user(user=enterprise_user(shop), today=TODAY)
    assert [
        (r.licence_type, r.days_left, r.threshold_days, r.colour) for r in result.reminders
    ] == [
        ("酒类零售许可证", 10, 30, "yellow"),
        ("烟草专卖零售许可证", 45, 60, "yellow"),
    ]


@pytest.mark.django_db
def test_open_todos_by_due_date_and_messages(shop) -> None:  # type: ignore[no-untyped-def]
    user = enterprise_user(shop)
    Todo.objects.create(enterprise=shop, title="年报", due_on=None, source_key="t:none")
    Todo.objects.create(
        enterprise=shop, title="已办结", due_on=days(1), source_key="t:done", status=TodoStatus.DONE
    )
    Todo.objects.create(enterprise=shop, title="社保", due_on=days(90), source_key="t:90")
    tasks.licence_reminders_run(today=TODAY)  # adds renewal to-dos (10 and 45 days) + messages
    other = EnterpriseFactory()
    Todo.objects.create(enterprise=other, title="别家的", due_on=days(2), source_key="t:other")

    result = space.enterprise_space_for_user(user=user, today=TODAY)

    assert [t.title for t in result.todos] == [
        "证照即将到期：酒类零售许可证（还有10天）",
        "证照即将到期：烟草专卖零售许可证（还有45天）",
        "社保",
        "年报",
    ]
    assert len(result.messages) == 2 and result.unread_messages == 2
    assert {m.recipient_id for m in result.messages} == {user.pk}


@pytest.mark.django_db
def test_messages_are_the_latest_ten(shop) -> None:  # type: ignore[no-untyped-def]
    from zqt.notifications.services import notification_send

    user = enterprise_user(shop)
    for n in range(12):
        notification_send(
            recipient=user,
            template_code="licence_expiring",
            event_key=f"test:{n}",
            context={
                "enterprise_name": "x",
                "licence_type": f"证{n}",
                "number": "1",
                "expires_on": "2026年1月1日",
                "days_left": 1,
            },
            channels=["inapp"],
        )
    result = space.enterprise_space_for_user(user=user)
    assert len(result.messages) == space.MAX_MESSAGES
    assert result.unread_messages == 12
    assert result.messages[0].title.endswith("证11")


@pytest.mark.django_db
def test_query_count_is_constant(shop, django_assert_max_num_queries, settings) -> None:  # type: ignore[no-untyped-def]
    # The registry's own part; cards of other modules (ZQT_SPACE_SECTIONS) are counted below.
    settings.ZQT_SPACE_SECTIONS = []
    user = enterprise_user(shop)
    for n in range(10):
        LicenceFactory(enterprise=shop, expires_on=days(n))
        Todo.objects.create(enterprise=shop, title=f"事项{n}", due_on=days(n), source_key=f"k{n}")
    with django_assert_max_num_queries(12):
        space.enterprise_space_for_user(user=user, today=TODAY)


@pytest.mark.django_db
def test_query_count_with_every_card_does_not_grow_with_rows(shop, settings) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = enterprise_user(shop)
    with CaptureQueriesContext(connection) as before:
        space.enterprise_space_for_user(user=user, today=TODAY)
    for n in range(10):
        LicenceFactory(enterprise=shop, expires_on=days(n))
        Todo.objects.create(enterprise=shop, title=f"事项{n}", due_on=days(n), source_key=f"k{n}")
    with CaptureQueriesContext(connection) as after:
        space.enterprise_space_for_user(user=user, today=TODAY)
    assert len(after) <= len(before) + 1  # +1: a first-time lazy lookup is allowed


# --- who may see it -----------------------------------------------------------------------


@pytest.mark.django_db
def test_enterprise_user_may_name_its_own_uscc_but_no_other(shop) -> None:  # type: ignore[no-untyped-def]
    user = enterprise_user(shop)
    other = EnterpriseFactory()
    assert space.enterprise_space_for_user(user=user, uscc=shop.uscc).enterprise == shop
    with pytest.raises(NotFoundError):
        space.enterprise_space_for_user(user=user, uscc=other.uscc)
    event = AuditEvent.objects.get(outcome=AuditOutcome.DENIED)
    assert (event.action, event.object_id) == ("space.view", other.uscc)


@pytest.mark.django_db
def test_enterprise_account_bound_to_no_enterprise(reference_data) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NotFoundError, match="未绑定企业"):
        space.enterprise_space_for_user(user=UserFactory(role=Role.ENTERPRISE, org_unit=None))


@pytest.mark.django_db
def test_agent_with_space_scope_sees_the_space(shop) -> None:  # type: ignore[no-untyped-def]
    agent = agent_for(shop, scopes=["space.view"])
    result = space.enterprise_space_for_user(user=agent, uscc=shop.uscc, today=TODAY)
    assert result.enterprise == shop and result.acting_as_agent
    assert [p.licence_type for p in result.permits.done] == ["特种行业许可证"]


@pytest.mark.django_db
def test_agent_must_name_the_enterprise(shop) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationFailed) as exc:
        space.enterprise_space_for_user(user=agent_for(shop, scopes=["space.view"]))
    assert exc.value.field == "uscc"


@pytest.mark.django_db
def test_agent_without_space_scope_is_refused(shop) -> None:  # type: ignore[no-untyped-def]
    agent = agent_for(shop, scopes=["enterprise.view"])
    with pytest.raises(NotFoundError):
        space.enterprise_space_for_user(user=agent, uscc=shop.uscc)
    assert AuditEvent.objects.filter(actor=agent, outcome=AuditOutcome.DENIED).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("change", ["revoked", "expired"])
def test_agent_with_ended_authorisation_is_refused(shop, change: str) -> None:  # type: ignore[no-untyped-def]
    agent = agent_for(shop, scopes=["space.view"])
    now = timezone.now()
    authorisation = AgentAuthorisation.objects.get(agent=agent)
    if change == "revoked":
        authorisation.revoked_at = now
    else:
        authorisation.valid_from = now - dt.timedelta(days=10)
        authorisation.expires_at = now - dt.timedelta(seconds=1)
    authorisation.save()
    with pytest.raises(NotFoundError):
        space.enterprise_space_for_user(user=agent, uscc=shop.uscc)


@pytest.mark.django_db
def test_agent_authorised_for_another_enterprise_is_refused(shop) -> None:  # type: ignore[no-untyped-def]
    agent = agent_for(EnterpriseFactory(), scopes=["space.view"])
    with pytest.raises(NotFoundError):
        space.enterprise_space_for_user(user=agent, uscc=shop.uscc)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role",
    [
        Role.FRONT_DESK,
        Role.BOARD_STAFF,
        Role.CHIEF_COMMISSIONER,
        Role.DEPARTMENT_REVIEWER,
        Role.INSPECTOR,
        Role.OPERATIONS,
        Role.API_CLIENT,
    ],
)
def test_government_roles_have_no_space(shop, role: str) -> None:  # type: ignore[no-untyped-def]
    user = staff(role)
    with pytest.raises(PermissionDeniedError):
        space.enterprise_space_for_user(user=user, uscc=shop.uscc)
    event = AuditEvent.objects.get(actor=user)
    assert (event.action, event.outcome) == ("space.view", AuditOutcome.DENIED)


@pytest.mark.django_db
def test_anonymous_is_refused(shop) -> None:  # type: ignore[no-untyped-def]
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDeniedError):
        space.enterprise_space_for_user(user=AnonymousUser(), uscc=shop.uscc)


# --- pure parts ---------------------------------------------------------------------------


def _row(
    licence_type: str,
    state: LicenceState,
    *,
    pk: int = 1,
    left: int | None = 100,
    status: str = LicenceStatus.ACTIVE,
) -> LicenceRow:
    return LicenceRow(
        id=pk,
        licence_type=licence_type,
        number="N",
        issuer="I",
        issued_on=TODAY,
        expires_on=None if left is None else days(left),
        status=status,
        status_label="",
        state=state,
        state_label=state.label,
        colour=state.colour,
        days_left=left,
    )


def test_threshold_for() -> None:
    thresholds = (30, 60)
    assert [space.threshold_for(d, thresholds) for d in (-1, 0, 30, 31, 60, 61)] == [
        None,
        30,
        30,
        60,
        60,
        None,
    ]


def test_best_licence_of_a_type_decides_the_permit() -> None:
    rows = [
        _row("排污许可证", LicenceState.EXPIRED, pk=1),
        _row("排污许可证", LicenceState.EXPIRING, pk=2),
        _row("取水许可证", LicenceState.PENDING, pk=3),
    ]
    permits = space.permits_for(
        requirements=[("排污许可证", ""), ("取水许可证", "")], licences=rows
    )
    assert [(p.licence_type, p.held, p.state) for p in permits.required] == [
        ("排污许可证", True, LicenceState.EXPIRING),
        ("取水许可证", False, LicenceState.PENDING),  # applied for, not yet held: 未办
    ]


def test_reminders_skip_pending_and_open_ended() -> None:
    rows = [
        _row("a", LicenceState.PENDING, left=5, status=LicenceStatus.PENDING),
        _row("b", LicenceState.VALID, left=None),
        _row("c", LicenceState.EXPIRING, left=5, pk=9),
    ]
    assert [r.licence_id for r in space.reminders_for(licences=rows, thresholds=(30, 60))] == [9]


def test_reminder_thresholds_come_from_settings(settings) -> None:  # type: ignore[no-untyped-def]
    settings.ZQT_LICENCE_REMINDER_DAYS = (60, 30, 7)
    assert space.reminder_thresholds() == (7, 30, 60)
    settings.ZQT_LICENCE_REMINDER_DAYS = ()
    with pytest.raises(ValueError):
        space.reminder_thresholds()
