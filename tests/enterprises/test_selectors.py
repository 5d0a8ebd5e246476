"""Registry reads: fetch-and-authorise, search (name/USCC, filters, paging, query counts),
detail with masking, licence states."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from tests.accounts.factories import city, county, province, staff
from tests.enterprises.factories import (
    EnterpriseFactory,
    LicenceFactory,
    agent_for,
    enterprise_user,
)
from zqt.accounts.enums import Role
from zqt.audit.models import AuditEvent, AuditOutcome
from zqt.core.errors import NotFoundError, PermissionDeniedError, ValidationFailed
from zqt.core.identifiers import make_uscc, mask_id_number
from zqt.enterprises import selectors
from zqt.enterprises.enums import LicenceStatus
from zqt.enterprises.licence_state import LicenceState
from zqt.enterprises.models import AgentAuthorisation, CreditRecord, Honour, Penalty, Tag


def _uscc(serial: int, region: str = "330802") -> str:
    return make_uscc(region_code=region, serial=serial)


@pytest.fixture
def desk(reference_data):  # type: ignore[no-untyped-def]
    return staff(Role.FRONT_DESK)


# --- enterprise_get_for_user -------------------------------------------------------------------


@pytest.mark.django_db
def test_staff_read_in_scope_is_returned_and_audited_with_purpose(desk) -> None:
    enterprise = EnterpriseFactory()
    got = selectors.enterprise_get_for_user(
        user=desk, uscc=enterprise.uscc.lower(), purpose="窗口受理", ip_address="10.0.0.8"
    )
    assert got == enterprise
    event = AuditEvent.objects.get()
    assert (event.action, event.object_id, event.purpose, event.outcome, event.ip_address) == (
        "enterprise.view",
        enterprise.uscc,
        "窗口受理",
        AuditOutcome.ALLOWED,
        "10.0.0.8",
    )


@pytest.mark.django_db
def test_enterprise_reading_its_own_record_is_not_an_audited_access(reference_data) -> None:
    enterprise = EnterpriseFactory()
    selectors.enterprise_get_for_user(user=enterprise_user(enterprise), uscc=enterprise.uscc)
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_city_staff_see_their_counties(reference_data) -> None:
    enterprise = EnterpriseFactory()
    city_ops = staff(Role.OPERATIONS, org_unit=city())
    assert selectors.enterprise_get_for_user(user=city_ops, uscc=enterprise.uscc) == enterprise


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("uscc", "reason"),
    [
        ("91330802MA2XXXXXXX", "invalid_uscc"),
        ("not-a-code", "invalid_uscc"),
        (_uscc(5_555_555), "not_found"),
    ],
)
def test_malformed_or_unknown_uscc_is_not_found_and_audited(desk, uscc: str, reason: str) -> None:
    with pytest.raises(NotFoundError):
        selectors.enterprise_get_for_user(user=desk, uscc=uscc)
    event = AuditEvent.objects.get()
    assert event.outcome == AuditOutcome.DENIED
    assert event.changes == {"reason": reason}


@pytest.mark.django_db
def test_out_of_scope_is_the_same_404_as_unknown(reference_data) -> None:
    enterprise = EnterpriseFactory()
    hangzhou = staff(Role.FRONT_DESK, org_unit=county("330102", "上城区", "330100"))
    with pytest.raises(NotFoundError) as out_of_scope:
        selectors.enterprise_get_for_user(user=hangzhou, uscc=enterprise.uscc)
    with pytest.raises(NotFoundError) as unknown:
        selectors.enterprise_get_for_user(user=hangzhou, uscc=_uscc(5_555_555))
    assert out_of_scope.value.message == unknown.value.message
    assert AuditEvent.objects.get(object_id=enterprise.uscc).changes == {"reason": "out_of_scope"}


@pytest.mark.django_db
def test_staff_without_org_unit_sees_nothing(reference_data) -> None:
    enterprise = EnterpriseFactory()
    orphan = staff(Role.FRONT_DESK)
    orphan.org_unit = None
    orphan.save()
    with pytest.raises(NotFoundError):
        selectors.enterprise_get_for_user(user=orphan, uscc=enterprise.uscc)
    assert not selectors.enterprise_queryset_for_user(user=orphan).exists()


@pytest.mark.django_db
def test_anonymous_and_missing_capability_are_403_and_audited(reference_data) -> None:
    enterprise = EnterpriseFactory()
    with pytest.raises(PermissionDeniedError):
        selectors.enterprise_get_for_user(user=AnonymousUser(), uscc=enterprise.uscc)
    with pytest.raises(PermissionDeniedError):
        selectors.enterprise_get_for_user(
            user=staff(Role.BOARD_STAFF), uscc=enterprise.uscc, capability="enterprise.update"
        )
    events = list(AuditEvent.objects.order_by("id"))
    assert [(e.actor_label, e.changes["reason"], e.outcome) for e in events] == [
        ("匿名", "anonymous", AuditOutcome.DENIED),
        (events[1].actor_label, "no_capability", AuditOutcome.DENIED),
    ]


@pytest.mark.django_db
def test_agent_access_follows_authorisation_window(reference_data) -> None:
    enterprise = EnterpriseFactory()
    agent = agent_for(enterprise, scopes=["enterprise.view"])
    assert selectors.enterprise_get_for_user(user=agent, uscc=enterprise.uscc) == enterprise
    authorisation = AgentAuthorisation.objects.get(agent=agent)
    now = timezone.now()
    # Not yet valid.
    AgentAuthorisation.objects.filter(pk=authorisation.pk).update(
        valid_from=now + dt.timedelta(hours=1), expires_at=now + dt.timedelta(days=2)
    )
    with pytest.raises(NotFoundError):
        selectors.enterprise_get_for_user(user=agent, uscc=enterprise.uscc)
    # Expired exactly now.
    AgentAuthorisation.objects.filter(pk=authorisation.pk).update(
        valid_from=now - dt.timedelta(days=2), expires_at=now
    )
    with pytest.raises(NotFoundError):
        selectors.enterprise_get_for_user(user=agent, uscc=enterprise.uscc)
    assert list(selectors.enterprise_queryset_for_user(user=agent)) == []


@pytest.mark.django_db
def test_queryset_for_user_per_role(reference_data) -> None:
    mine = EnterpriseFactory()
    other = EnterpriseFactory()
    hangzhou = EnterpriseFactory(uscc=_uscc(1, "330102"), region_code="330102")
    assert set(selectors.enterprise_queryset_for_user(user=staff(Role.INSPECTOR))) == {
        mine,
        other,
    }
    province_ops = staff(Role.OPERATIONS, org_unit=province())
    assert selectors.enterprise_queryset_for_user(user=province_ops).count() == 3
    assert list(selectors.enterprise_queryset_for_user(user=enterprise_user(mine))) == [mine]
    assert list(selectors.enterprise_queryset_for_user(user=agent_for(hangzhou))) == [hangzhou]
    assert not selectors.enterprise_queryset_for_user(user=AnonymousUser()).exists()
    with pytest.raises(PermissionDeniedError):
        selectors.enterprise_queryset_for_user(
            user=staff(Role.INSPECTOR), capability="enterprise.export"
        )


# --- search ----------------------------------------------------------------------------------


@pytest.fixture
def registry(reference_data):  # type: ignore[no-untyped-def]
    """A handful of 柯城区 enterprises plus one in 杭州上城区 (out of scope for 柯城 staff)."""
    rows = {
        "a": ("衢州华科电子有限公司", "39", "existing"),
        "b": ("衢州华科机械有限公司", "34", "existing"),
        "c": ("浙江衢州华科物流有限公司", "54", "suspended"),
        "d": ("柯城鑫泰贸易商行", "51", "existing"),
        "e": ("华科衢州联合有限公司", "39", "revoked"),
    }
    made = {}
    for i, (key, (name, industry, status)) in enumerate(sorted(rows.items())):
        made[key] = EnterpriseFactory(
            uscc=_uscc(200 + i), name=name, industry_code=industry, status=status
        )
    made["d"].tags.add(Tag.objects.get(code="specialised"))
    made["hz"] = EnterpriseFactory(
        uscc=_uscc(300, "330102"), name="衢州华科杭州分公司", region_code="330102"
    )
    return made


def _names(page: selectors.SearchPage) -> list[str]:
    return [item.name for item in page.items]


@pytest.mark.django_db
def test_name_search_lists_prefix_matches_first_then_substring_matches(desk, registry) -> None:
    page = selectors.enterprise_search(user=desk, query="衢州华科")
    assert _names(page) == [
        "衢州华科机械有限公司",  # prefix group, by name (code point order: 机 < 电)
        "衢州华科电子有限公司",
        "浙江衢州华科物流有限公司",  # then names containing the query
    ]
    assert page.query_kind == "name"
    assert page.total == 3 and page.total_display == "3"
    assert not page.has_next
    # the 杭州 branch is out of scope for 柯城 staff
    assert "衢州华科杭州分公司" not in _names(page)


@pytest.mark.django_db
def test_two_character_substring_and_mixed_case(desk, registry) -> None:
    assert _names(selectors.enterprise_search(user=desk, query="鑫泰")) == ["柯城鑫泰贸易商行"]
    EnterpriseFactory(uscc=_uscc(400), name="衢州ABC智能有限公司")
    assert _names(selectors.enterprise_search(user=desk, query="abc智能")) == [
        "衢州ABC智能有限公司"
    ]


@pytest.mark.django_db
def test_uscc_prefix_search(desk, registry) -> None:
    target = registry["c"]
    page = selectors.enterprise_search(user=desk, query=target.uscc.lower())
    assert page.query_kind == "uscc"
    assert _names(page) == [target.name]
    prefix = selectors.enterprise_search(user=desk, query="913308")
    assert prefix.query_kind == "uscc"
    assert prefix.total == 5  # all 柯城区 ones, not the 杭州 one
    assert [i.uscc for i in prefix.items] == sorted(i.uscc for i in prefix.items)


@pytest.mark.django_db
def test_looks_like_uscc() -> None:
    assert selectors.looks_like_uscc("913308")
    assert selectors.looks_like_uscc(_uscc(1))
    assert not selectors.looks_like_uscc("91330")  # too short
    assert not selectors.looks_like_uscc("衢州华科")
    assert not selectors.looks_like_uscc("ABCDEF")  # no region digits
    assert not selectors.looks_like_uscc("9133080I")  # I is not a USCC character


@pytest.mark.django_db
def test_filters(desk, registry) -> None:
    def names(**filters: str) -> list[str]:
        return sorted(_names(selectors.enterprise_search(user=desk, **filters)))

    assert names(industry_code="39") == ["华科衢州联合有限公司", "衢州华科电子有限公司"]
    # a section (门类) covers its divisions: C = manufacturing (13-43)
    assert names(industry_code="c") == [
        "华科衢州联合有限公司",
        "衢州华科机械有限公司",
        "衢州华科电子有限公司",
    ]
    assert names(status="suspended") == ["浙江衢州华科物流有限公司"]
    assert names(tag="specialised") == ["柯城鑫泰贸易商行"]
    assert names(tag="专精特新") == ["柯城鑫泰贸易商行"]
    assert names(region_code="330800") == names()  # the city covers the county
    assert names(region_code="330102") == []  # outside the user's scope stays outside
    assert names(query="华科", status="existing", industry_code="34") == ["衢州华科机械有限公司"]


@pytest.mark.django_db
def test_search_masks_legal_rep_for_non_sensitive_roles(registry) -> None:
    ops_item = selectors.enterprise_search(user=staff(Role.OPERATIONS), query="柯城").items[0]
    desk_item = selectors.enterprise_search(user=staff(Role.FRONT_DESK), query="柯城").items[0]
    assert (ops_item.legal_rep_name, desk_item.legal_rep_name) == ("张*", "张三")
    assert ops_item.region_name == "柯城区" and ops_item.industry_name == "批发业"
    assert ops_item.tags == ["专精特新"]


@pytest.mark.django_db
def test_paging_across_prefix_and_substring_groups(desk, registry) -> None:
    query = "华科"
    everything = _names(selectors.enterprise_search(user=desk, query=query, page_size=50))
    assert everything[0] == "华科衢州联合有限公司"  # the only prefix match comes first
    assert len(everything) == 4
    pages = [
        selectors.enterprise_search(user=desk, query=query, page=n, page_size=1)
        for n in range(1, 6)
    ]
    assert [_names(p) for p in pages[:4]] == [[name] for name in everything]
    assert [p.has_next for p in pages] == [True, True, True, False, False]
    assert pages[0].total == 4 and pages[3].total == 4
    assert pages[4].items == [] and pages[4].total == 4
    # export order = page order
    queryset = selectors.enterprise_search_queryset(user=desk, query=query)
    assert [e.name for e in queryset] == everything


@pytest.mark.django_db
def test_total_is_capped(desk, registry, monkeypatch) -> None:
    monkeypatch.setattr(selectors, "SEARCH_COUNT_CAP", 3)
    page = selectors.enterprise_search(user=desk, page_size=2)
    assert page.has_next
    assert page.total is None
    assert page.total_display == "3+"
    page = selectors.enterprise_search(user=desk, page_size=2, query="衢州华科")
    assert page.total == 3


@pytest.mark.django_db
def test_name_search_total_is_capped_separately(desk, registry, monkeypatch) -> None:
    monkeypatch.setattr(selectors, "NAME_COUNT_CAP", 2)
    page = selectors.enterprise_search(user=desk, query="华科", page_size=1)
    assert page.has_next and page.total is None and page.total_display == "2+"
    page = selectors.enterprise_search(user=desk, query="鑫泰", page_size=1)
    assert page.total == 1


@pytest.mark.django_db
@pytest.mark.parametrize("cap", [1, 2, 3, 2000])
def test_dense_substring_group_pages_in_sql_order_like_the_sorted_one(
    desk, registry, monkeypatch, cap: int
) -> None:
    """Past NAME_COUNT_CAP keys the substring group is paged by SQL instead of sorted in
    Python: both give the same pages."""
    monkeypatch.setattr(selectors, "NAME_COUNT_CAP", cap)
    pages = [
        _names(selectors.enterprise_search(user=desk, query="华科", page=n, page_size=2))
        for n in (1, 2, 3)
    ]
    assert pages == [
        ["华科衢州联合有限公司", "浙江衢州华科物流有限公司"],
        ["衢州华科机械有限公司", "衢州华科电子有限公司"],
        [],
    ]


@pytest.mark.django_db
def test_like_wildcards_in_the_query_are_literal(desk) -> None:
    EnterpriseFactory(uscc=_uscc(501), name="衢州百分百%纯净水有限公司")
    EnterpriseFactory(uscc=_uscc(502), name="衢州百分百X纯净水有限公司")
    EnterpriseFactory(uscc=_uscc(503), name="衢州_下划线有限公司")
    assert _names(selectors.enterprise_search(user=desk, query="百%纯")) == [
        "衢州百分百%纯净水有限公司"
    ]
    assert _names(selectors.enterprise_search(user=desk, query="州_下")) == ["衢州_下划线有限公司"]
    assert _names(selectors.enterprise_search(user=desk, query="百_纯")) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"page": 0}, "page"),
        ({"page_size": 0}, "page_size"),
        ({"page_size": 101}, "page_size"),
        ({"page": 501, "page_size": 20}, "page"),  # beyond the first 10,000 rows
        ({"status": "bogus"}, "status"),
    ],
)
def test_search_rejects_bad_arguments(desk, kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationFailed) as exc_info:
        selectors.enterprise_search(user=desk, **kwargs)  # type: ignore[arg-type]
    assert exc_info.value.field == field


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.ENTERPRISE, Role.AGENT])
def test_search_requires_capability_and_refusal_is_audited(reference_data, role: str) -> None:
    from tests.accounts.factories import UserFactory

    user = UserFactory(role=role, org_unit=None)
    with pytest.raises(PermissionDeniedError):
        selectors.enterprise_search(user=user, query="衢州")
    event = AuditEvent.objects.get()
    assert (event.action, event.outcome) == ("enterprise.search", AuditOutcome.DENIED)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "queries_small", "queries_big"),
    [
        # user.org_unit, page ids, rows by id, tags, region names, industry names;
        # + a capped count when there is a next page
        ("", 6, 7),
        ("913308", 6, 7),
        # a name: the small page also reads the substring group's keys (none match here);
        # the big page is filled by the prefix group, then counts both groups
        ("衢州", 7, 8),
    ],
)
def test_search_is_n_plus_one_free(
    desk, django_assert_num_queries, query: str, queries_small: int, queries_big: int
) -> None:
    tags = list(Tag.objects.all()[:3])

    def make(n: int, start: int) -> None:
        for i in range(n):
            enterprise = EnterpriseFactory(
                uscc=_uscc(start + i),
                name=f"衢州批量{start + i}有限公司",
                industry_code=["39", "51", "14"][i % 3],
            )
            enterprise.tags.add(*tags[: i % 4])

    make(3, 1000)
    desk.refresh_from_db()  # nothing cached on the user between the two runs
    with django_assert_num_queries(queries_small):
        small = selectors.enterprise_search(user=desk, query=query, page_size=20)
    assert len(small.items) == 3
    make(30, 2000)
    desk.refresh_from_db()
    with django_assert_num_queries(queries_big):
        big = selectors.enterprise_search(user=desk, query=query, page_size=20)
    assert len(big.items) == 20 and big.has_next and big.total == 33


# --- detail and licences ---------------------------------------------------------------------


@pytest.fixture
def rich(reference_data):  # type: ignore[no-untyped-def]
    enterprise = EnterpriseFactory(name="衢州全景食品有限公司", industry_code="14")
    enterprise.tags.add(Tag.objects.get(code="high_tech"))
    today = dt.date(2026, 3, 1)
    LicenceFactory(enterprise=enterprise, licence_type="A证", expires_on=today + dt.timedelta(61))
    LicenceFactory(enterprise=enterprise, licence_type="B证", expires_on=today + dt.timedelta(60))
    LicenceFactory(enterprise=enterprise, licence_type="C证", expires_on=today)
    LicenceFactory(enterprise=enterprise, licence_type="D证", expires_on=today - dt.timedelta(1))
    LicenceFactory(
        enterprise=enterprise,
        licence_type="E证",
        status=LicenceStatus.REVOKED,
        expires_on=today + dt.timedelta(300),
    )
    LicenceFactory(
        enterprise=enterprise, licence_type="F证", status=LicenceStatus.PENDING, expires_on=None
    )
    LicenceFactory(enterprise=enterprise, licence_type="G证", expires_on=None)
    CreditRecord.objects.create(
        enterprise=enterprise,
        kind="good",
        title="纳税信用A级",
        source_department="税务局",
        recorded_on=dt.date(2024, 4, 1),
    )
    Penalty.objects.create(
        enterprise=enterprise,
        decision_number="衢柯市监罚〔2024〕12号",
        department="市场监管局",
        reason="未按规定公示年度报告",
        amount=Decimal("2000"),
        decided_on=dt.date(2024, 3, 1),
    )
    Honour.objects.create(
        enterprise=enterprise,
        title="省级专精特新中小企业",
        granted_by="省经信厅",
        granted_on=dt.date(2023, 5, 1),
    )
    return enterprise, today


@pytest.mark.django_db
def test_licence_list_states_and_order(rich) -> None:
    enterprise, today = rich
    rows = selectors.licence_list_for_enterprise(enterprise=enterprise, today=today)
    assert [(r.licence_type, r.state, r.colour, r.days_left) for r in rows] == [
        ("D证", LicenceState.EXPIRED, "grey", -1),
        ("C证", LicenceState.EXPIRING, "yellow", 0),
        ("B证", LicenceState.EXPIRING, "yellow", 60),
        ("A证", LicenceState.VALID, "green", 61),
        ("E证", LicenceState.EXPIRED, "grey", 300),  # revoked
        ("F证", LicenceState.PENDING, "blue", None),
        ("G证", LicenceState.VALID, "green", None),
    ]
    assert rows[4].status_label == "已吊销/注销"
    assert rows[1].state_label == "即将到期"


@pytest.mark.django_db
def test_detail_contents_and_masking_for_operations(rich, django_assert_num_queries) -> None:
    enterprise, today = rich
    ops = staff(Role.OPERATIONS)
    # industry, region (+ its city), tags, licences, credit records, penalties, honours
    with django_assert_num_queries(7):
        detail = selectors.enterprise_detail(enterprise=enterprise, user=ops, today=today)
    assert detail["legal_rep_name"] == "张*"
    assert detail["legal_rep_id_number"] == mask_id_number(enterprise.legal_rep_id_number)
    assert enterprise.legal_rep_id_number not in str(detail)
    assert detail["sensitive_visible"] is False
    assert detail["region_name"] == "衢州市柯城区"
    assert detail["industry_name"] == "食品制造业"
    assert detail["tags"] == ["高新技术企业"]
    assert len(detail["licences"]) == 7
    assert detail["credit_records"][0]["kind_label"] == "守信"
    assert detail["penalties"][0]["amount"] == Decimal("2000.00")
    assert detail["honours"][0]["title"] == "省级专精特新中小企业"


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.FRONT_DESK, Role.INSPECTOR])
def test_detail_unmasked_for_roles_that_check_identity(rich, role: str) -> None:
    enterprise, today = rich
    detail = selectors.enterprise_detail(enterprise=enterprise, user=staff(role), today=today)
    assert detail["legal_rep_id_number"] == enterprise.legal_rep_id_number
    assert detail["legal_rep_name"] == "张三"
    assert detail["sensitive_visible"] is True


@pytest.mark.django_db
def test_enterprise_sees_its_own_detail_masked(rich) -> None:
    enterprise, today = rich
    detail = selectors.enterprise_detail(
        enterprise=enterprise, user=enterprise_user(enterprise), today=today
    )
    assert detail["legal_rep_id_number"] == mask_id_number(enterprise.legal_rep_id_number)


@pytest.mark.django_db
def test_licence_get_for_user_scopes_by_enterprise(rich) -> None:
    enterprise, _ = rich
    licence = enterprise.licences.first()
    assert selectors.licence_get_for_user(user=staff(Role.INSPECTOR), licence_id=licence.pk)
    assert selectors.licence_get_for_user(user=enterprise_user(enterprise), licence_id=licence.pk)
    other = enterprise_user(EnterpriseFactory())
    with pytest.raises(NotFoundError):
        selectors.licence_get_for_user(user=other, licence_id=licence.pk)
    with pytest.raises(PermissionDeniedError):
        selectors.licence_get_for_user(
            user=staff(Role.INSPECTOR), licence_id=licence.pk, capability="licence.manage"
        )
    assert AuditEvent.objects.filter(outcome=AuditOutcome.DENIED).count() == 2


@pytest.mark.django_db
def test_agent_authorisation_helpers(reference_data) -> None:
    enterprise = EnterpriseFactory()
    agent = agent_for(enterprise)
    rows = list(selectors.agent_authorisation_list(enterprise=enterprise))
    assert [r.agent for r in rows] == [agent]
    assert selectors.agent_authorisation_is_active(rows[0])
    assert not selectors.agent_authorisation_is_active(
        rows[0], now=timezone.now() + dt.timedelta(days=365)
    )
    assert selectors.enterprise_for_member(user=agent) is None
    assert selectors.enterprise_for_member(user=enterprise_user(enterprise)) == enterprise


@pytest.mark.django_db
def test_postgresql_search_indexes_exist() -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the search indexes are PostgreSQL-only (migration 0002)")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s",
            ["enterprises_enterprise"],
        )
        indexes = dict(cursor.fetchall())
        cursor.execute("SELECT zqt_bigrams(%s)", ["衢州Hua科"])
        bigrams = cursor.fetchone()[0]
    assert 'COLLATE "C"' in indexes["ent_name_c_uscc"]
    assert "INCLUDE (region_code, industry_code, status, id)" in indexes["ent_name_c_uscc"]
    assert "gin (zqt_bigrams" in indexes["ent_name_bigrams"]
    assert bigrams == ["衢州", "州h", "hu", "ua", "a科"]
