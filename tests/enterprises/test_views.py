"""Registry pages: staff search, export, detail, import; the enterprise space.

Every page is tried by the roles that may use it and by those that may not (anonymous → login,
wrong role → 403, another region's or another enterprise's data → 404).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.accounts.factories import UserFactory, county, login_verified, province, staff
from tests.enterprises.factories import (
    EnterpriseFactory,
    LicenceFactory,
    agent_for,
    enterprise_user,
)
from zqt.accounts.enums import Role
from zqt.audit.models import AuditEvent, AuditOutcome
from zqt.core.identifiers import make_id_number, make_uscc
from zqt.core.timeutil import local_today
from zqt.enterprises.enums import EnterpriseStatus, LicenceStatus
from zqt.enterprises.models import CreditRecord, Honour, Penalty, Tag

SEARCH = "/enterprises/"
STAFF_ROLES = [
    Role.FRONT_DESK,
    Role.BOARD_STAFF,
    Role.CHIEF_COMMISSIONER,
    Role.DEPARTMENT_REVIEWER,
    Role.INSPECTOR,
    Role.OPERATIONS,
]


def detail_url(uscc: str) -> str:
    return f"/enterprises/{uscc}/"


def _hangzhou_enterprise():  # type: ignore[no-untyped-def]
    return EnterpriseFactory(
        uscc=make_uscc(region_code="330102", serial=777_001),
        name="杭州绿源贸易有限公司",
        region_code="330102",
    )


@pytest.fixture
def green(reference_data):  # type: ignore[no-untyped-def]
    """An enterprise in 柯城区 with a tag, licences in every state, credit, penalty, honour."""
    enterprise = EnterpriseFactory(name="衢州绿源食品有限公司", industry_code="14")
    enterprise.tags.add(Tag.objects.get(code="high_tech"))
    today = local_today()
    LicenceFactory(
        enterprise=enterprise,
        licence_type="食品生产许可证",
        expires_on=today + dt.timedelta(days=20),
    )
    LicenceFactory(
        enterprise=enterprise, licence_type="排污许可证", expires_on=today + dt.timedelta(days=400)
    )
    LicenceFactory(
        enterprise=enterprise, licence_type="取水许可证", expires_on=today - dt.timedelta(days=3)
    )
    LicenceFactory(enterprise=enterprise, licence_type="卫生许可证", status=LicenceStatus.PENDING)
    CreditRecord.objects.create(
        enterprise=enterprise,
        kind="good",
        title="纳税信用A级",
        source_department="国家税务总局衢州市税务局",
        recorded_on=dt.date(2024, 4, 1),
    )
    Penalty.objects.create(
        enterprise=enterprise,
        decision_number="衢柯市监罚〔2024〕12号",
        department="衢州市柯城区市场监督管理局",
        reason="未按规定公示年度报告",
        amount=Decimal("2000"),
        decided_on=dt.date(2024, 3, 1),
    )
    Honour.objects.create(
        enterprise=enterprise,
        title="浙江省专精特新中小企业",
        granted_by="浙江省经济和信息化厅",
        granted_on=dt.date(2023, 5, 1),
    )
    return enterprise


def test_url_names() -> None:
    assert reverse("enterprises:search") == SEARCH
    assert reverse("enterprises:export") == "/enterprises/export/"
    assert reverse("enterprises:import") == "/enterprises/import/"
    assert reverse("enterprises:import_template") == "/enterprises/import/template/"
    assert reverse("enterprises:detail", args=["91330802MA2XXXXX0A"]) == (
        "/enterprises/91330802MA2XXXXX0A/"
    )
    assert reverse("space:home") == "/space/"


# --- search --------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", STAFF_ROLES)
def test_staff_search_by_partial_name(client, green, role: str) -> None:  # type: ignore[no-untyped-def]
    EnterpriseFactory(name="衢州蓝天物流有限公司")
    login_verified(client, staff(role))
    response = client.get(SEARCH, {"q": "绿源"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "衢州绿源食品有限公司" in body
    assert "衢州蓝天物流有限公司" not in body
    assert green.uscc in body
    assert "高新技术企业" in body
    assert "柯城区" in body


@pytest.mark.django_db
def test_staff_search_by_uscc_prefix(client, green) -> None:  # type: ignore[no-untyped-def]
    other = EnterpriseFactory(name="衢州蓝天物流有限公司")
    login_verified(client, staff(Role.FRONT_DESK))
    response = client.get(SEARCH, {"q": green.uscc[:14]})
    items = response.context["result"].items
    assert green.uscc in [item.uscc for item in items]
    response = client.get(SEARCH, {"q": green.uscc})
    assert [item.uscc for item in response.context["result"].items] == [green.uscc]
    assert other.uscc not in response.content.decode()


@pytest.mark.django_db
def test_search_never_shows_other_regions(client, green) -> None:  # type: ignore[no-untyped-def]
    _hangzhou_enterprise()
    login_verified(client, staff(Role.FRONT_DESK))
    body = client.get(SEARCH, {"q": "绿源"}).content.decode()
    assert "衢州绿源食品有限公司" in body
    assert "杭州绿源贸易有限公司" not in body


@pytest.mark.django_db
def test_provincial_staff_search_all_regions(client, green) -> None:  # type: ignore[no-untyped-def]
    _hangzhou_enterprise()
    login_verified(client, staff(Role.OPERATIONS, province()))
    body = client.get(SEARCH, {"q": "绿源"}).content.decode()
    assert "衢州绿源食品有限公司" in body
    assert "杭州绿源贸易有限公司" in body


@pytest.mark.django_db
def test_search_filters(client, green) -> None:  # type: ignore[no-untyped-def]
    closed = EnterpriseFactory(
        name="衢州绿源包装有限公司", status=EnterpriseStatus.DEREGISTERED, industry_code="22"
    )
    login_verified(client, staff(Role.OPERATIONS, county().parent))

    def usccs(**params: str) -> set[str]:
        response = client.get(SEARCH, {"q": "绿源", **params})
        assert response.status_code == 200
        return {item.uscc for item in response.context["result"].items}

    assert usccs() == {green.uscc, closed.uscc}
    assert usccs(status="deregistered") == {closed.uscc}
    assert usccs(industry="C") == {green.uscc, closed.uscc}  # section → its divisions
    assert usccs(industry="14") == {green.uscc}
    assert usccs(tag="high_tech") == {green.uscc}
    assert usccs(region="330802") == {green.uscc, closed.uscc}
    assert usccs(region="330803") == set()


@pytest.mark.django_db
def test_region_filter_offers_only_units_in_scope(client, reference_data) -> None:  # type: ignore[no-untyped-def]
    login_verified(client, staff(Role.FRONT_DESK, county().parent))  # 衢州市
    response = client.get(SEARCH)
    codes = [code for code, _label in response.context["form"].fields["region"].choices if code]
    assert codes and all(code.startswith("3308") for code in codes)
    # A region outside the scope is not a valid choice.
    response = client.get(SEARCH, {"region": "330102"})
    assert response.context["result"] is None
    assert response.context["form"].errors["region"]


@pytest.mark.django_db
def test_search_paginates(client, reference_data) -> None:  # type: ignore[no-untyped-def]
    for n in range(25):
        EnterpriseFactory(name=f"衢州分页测试{n:02d}有限公司")
    login_verified(client, staff(Role.FRONT_DESK))
    first = client.get(SEARCH, {"q": "分页测试"})
    result = first.context["result"]
    assert len(result.items) == 20 and result.has_next and result.total == 25
    assert first.context["next_query"]
    second = client.get(f"{SEARCH}?{first.context['next_query']}")
    assert len(second.context["result"].items) == 5
    assert not second.context["result"].has_next
    assert second.context["prev_query"]


@pytest.mark.django_db
def test_search_shows_domain_error(client, reference_data) -> None:  # type: ignore[no-untyped-def]
    login_verified(client, staff(Role.FRONT_DESK))
    response = client.get(SEARCH, {"q": "测试", "page": "100000"})
    assert response.status_code == 200
    assert "请增加查询条件缩小范围" in response.content.decode()


@pytest.mark.django_db
def test_search_query_count_is_constant(client, reference_data, django_assert_max_num_queries):  # type: ignore[no-untyped-def]
    for n in range(20):
        e = EnterpriseFactory(name=f"衢州计数测试{n:02d}有限公司")
        e.tags.add(Tag.objects.get(code="high_tech"))
    login_verified(client, staff(Role.FRONT_DESK))
    client.get(SEARCH, {"q": "计数测试"})  # warm the session/user caches
    with django_assert_max_num_queries(16):
        response = client.get(SEARCH, {"q": "计数测试"})
    assert len(response.context["result"].items) == 20


@pytest.mark.django_db
def test_export_button_only_for_roles_that_may_export(client, green) -> None:  # type: ignore[no-untyped-def]
    login_verified(client, staff(Role.FRONT_DESK))
    assert "导出Excel" not in client.get(SEARCH, {"q": "绿源"}).content.decode()
    client.logout()
    login_verified(client, staff(Role.OPERATIONS))
    body = client.get(SEARCH, {"q": "绿源"}).content.decode()
    assert "导出Excel" in body
    assert "/enterprises/export/?q=" in body


@pytest.mark.django_db
def test_search_anonymous_redirects_to_login(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get(SEARCH)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/enterprises/"


@pytest.mark.django_db
def test_search_refuses_enterprise_user_and_agent(client, green) -> None:  # type: ignore[no-untyped-def]
    login_verified(client, enterprise_user(green))
    assert client.get(SEARCH).status_code == 403
    client.logout()
    login_verified(client, agent_for(green))
    assert client.get(SEARCH).status_code == 403


@pytest.mark.django_db
def test_search_requires_second_factor(client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(staff(Role.FRONT_DESK))
    assert client.get(SEARCH).status_code == 302


# --- detail --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_detail_for_staff_shows_everything_and_is_audited(client, green) -> None:  # type: ignore[no-untyped-def]
    user = staff(Role.BOARD_STAFF)
    login_verified(client, user)
    response = client.get(detail_url(green.uscc))
    assert response.status_code == 200
    body = response.content.decode()
    for text in (
        "衢州绿源食品有限公司",
        green.uscc,
        "高新技术企业",
        "纳税信用A级",
        "衢柯市监罚〔2024〕12号",
        "浙江省专精特新中小企业",
        "食品生产许可证",
        "还有20天到期",
    ):
        assert text in body, text
    # Colour badges and the legend for all four states.
    for state in ("valid", "expiring", "expired", "pending"):
        assert f"state--{state}" in body
    assert 'data-testid="licence-legend"' in body
    # Board staff do not see the legal representative's ID number in full.
    assert green.legal_rep_id_number not in body
    assert "已脱敏" in body
    event = AuditEvent.objects.get(action="enterprise.view", object_id=green.uscc)
    assert event.actor_id == user.pk
    assert event.purpose == "窗口查询"
    assert event.outcome == AuditOutcome.ALLOWED


@pytest.mark.django_db
def test_detail_front_desk_sees_full_id_number(client, green) -> None:  # type: ignore[no-untyped-def]
    login_verified(client, staff(Role.FRONT_DESK))
    body = client.get(detail_url(green.uscc)).content.decode()
    assert green.legal_rep_id_number in body


@pytest.mark.django_db
def test_detail_records_chosen_purpose(client, green) -> None:  # type: ignore[no-untyped-def]
    login_verified(client, staff(Role.INSPECTOR))
    assert client.get(detail_url(green.uscc), {"purpose": "执法检查"}).status_code == 200
    assert AuditEvent.objects.get(action="enterprise.view").purpose == "执法检查"
    # An unknown purpose falls back to the default instead of writing free text to the trail.
    client.get(detail_url(green.uscc), {"purpose": "<script>"})
    purposes = AuditEvent.objects.filter(action="enterprise.view").values_list("purpose", flat=True)
    assert set(purposes) == {"执法检查", "窗口查询"}


@pytest.mark.django_db
def test_detail_other_region_is_404_and_audited(client, reference_data) -> None:  # type: ignore[no-untyped-def]
    foreign = _hangzhou_enterprise()
    login_verified(client, staff(Role.FRONT_DESK))
    response = client.get(detail_url(foreign.uscc))
    assert response.status_code == 404
    assert "不在您的管辖范围内" in response.content.decode()
    assert "杭州绿源贸易有限公司" not in response.content.decode()
    event = AuditEvent.objects.get(object_id=foreign.uscc)
    assert event.outcome == AuditOutcome.DENIED


@pytest.mark.django_db
@pytest.mark.parametrize("uscc", ["91330802MA2XXXXX0A", "not-a-code", "913308020000000000"])
def test_detail_unknown_or_invalid_uscc_is_404(client, reference_data, uscc: str) -> None:  # type: ignore[no-untyped-def]
    login_verified(client, staff(Role.FRONT_DESK))
    assert client.get(detail_url(uscc)).status_code == 404


@pytest.mark.django_db
def test_detail_enterprise_user_sees_own_enterprise_only(client, green) -> None:  # type: ignore[no-untyped-def]
    other = EnterpriseFactory(name="衢州蓝天物流有限公司")
    login_verified(client, enterprise_user(green))
    response = client.get(detail_url(green.uscc))
    assert response.status_code == 200
    assert 'data-testid="purpose-form"' not in response.content.decode()
    assert client.get(detail_url(other.uscc)).status_code == 404


@pytest.mark.django_db
def test_detail_agent_needs_an_authorisation(client, green) -> None:  # type: ignore[no-untyped-def]
    other = EnterpriseFactory(name="衢州蓝天物流有限公司")
    agent = agent_for(green)
    login_verified(client, agent)
    assert client.get(detail_url(green.uscc)).status_code == 200
    read = AuditEvent.objects.get(action="enterprise.view", outcome=AuditOutcome.ALLOWED)
    assert (read.actor_id, read.purpose) == (agent.pk, "经办人代办")
    assert client.get(detail_url(other.uscc)).status_code == 404


@pytest.mark.django_db
def test_detail_agent_without_view_scope_is_404(client, green) -> None:  # type: ignore[no-untyped-def]
    login_verified(client, agent_for(green, scopes=["space.view"]))
    assert client.get(detail_url(green.uscc)).status_code == 404


@pytest.mark.django_db
def test_detail_anonymous_redirects_to_login(client, green) -> None:  # type: ignore[no-untyped-def]
    response = client.get(detail_url(green.uscc))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.django_db
def test_detail_api_client_role_is_refused(client, green) -> None:  # type: ignore[no-untyped-def]
    login_verified(client, staff(Role.API_CLIENT))
    response = client.get(detail_url(green.uscc))
    assert response.status_code == 403
    assert "接口账号不能使用页面" in response.content.decode()


@pytest.mark.django_db
def test_detail_staff_without_otp_is_sent_to_login(client, green) -> None:  # type: ignore[no-untyped-def]
    client.force_login(staff(Role.FRONT_DESK))
    assert client.get(detail_url(green.uscc)).status_code == 302
    assert not AuditEvent.objects.filter(action="enterprise.view").exists()


@pytest.mark.django_db
def test_detail_user_without_role_is_403(client, green) -> None:  # type: ignore[no-untyped-def]
    login_verified(client, UserFactory(role="", org_unit=None))
    assert client.get(detail_url(green.uscc)).status_code == 403


# --- export --------------------------------------------------------------------------------


def _xlsx_rows(content: bytes) -> list[tuple[object, ...]]:
    import io

    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(content), read_only=True)
    return list(workbook.worksheets[0].iter_rows(values_only=True))


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.OPERATIONS, Role.CHIEF_COMMISSIONER])
def test_export_downloads_the_search_result(client, green, role: str) -> None:  # type: ignore[no-untyped-def]
    EnterpriseFactory(name="衢州蓝天物流有限公司")
    _hangzhou_enterprise()
    login_verified(client, staff(role))
    response = client.get("/enterprises/export/", {"q": "绿源"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "attachment;" in response["Content-Disposition"]
    rows = _xlsx_rows(response.content)
    cells = {str(cell) for row in rows[1:] for cell in row}
    assert green.uscc in cells
    assert "衢州蓝天物流有限公司" not in cells
    assert "杭州绿源贸易有限公司" not in cells  # out of region


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role", [Role.FRONT_DESK, Role.BOARD_STAFF, Role.DEPARTMENT_REVIEWER, Role.INSPECTOR]
)
def test_export_refused_for_other_staff(client, green, role: str) -> None:  # type: ignore[no-untyped-def]
    login_verified(client, staff(role))
    assert client.get("/enterprises/export/", {"q": "绿源"}).status_code == 403


@pytest.mark.django_db
def test_export_refused_for_enterprise_side_and_anonymous(client, green) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/enterprises/export/").status_code == 302
    login_verified(client, enterprise_user(green))
    assert client.get("/enterprises/export/").status_code == 403


@pytest.mark.django_db
def test_export_with_invalid_filter_goes_back_to_search(client, green) -> None:  # type: ignore[no-untyped-def]
    login_verified(client, staff(Role.OPERATIONS))
    response = client.get("/enterprises/export/", {"q": "绿源", "region": "330102"})
    assert response.status_code == 302
    assert response["Location"].startswith("/enterprises/?")


# --- import --------------------------------------------------------------------------------

IMPORT = "/enterprises/import/"


def _enterprise_row(uscc: str, name: str, **overrides: object) -> dict[str, object]:
    row: dict[str, object] = {
        "统一社会信用代码": uscc,
        "企业名称": name,
        "主体类型": "有限责任公司",
        "登记状态": "存续",
        "法定代表人": "李四",
        "法定代表人身份证号": make_id_number(
            region_code="330802", birth_date=dt.date(1980, 1, 1), sequence=1
        ),
        "注册资本（万元）": 300,
        "成立日期": dt.date(2018, 3, 1),
        "住所": "浙江省衢州市柯城区测试路8号",
        "所属区划代码": "330802",
        "行业代码": "39",
        "从业人数": 20,
        "企业规模": "小型",
        "生命周期阶段": "发展",
    }
    row.update(overrides)
    return row


def _workbook(rows: list[dict[str, object]], *, template: bytes | None = None) -> bytes:
    import io

    from openpyxl import load_workbook

    from zqt.enterprises import excel

    workbook = load_workbook(io.BytesIO(template or excel.enterprise_import_template()))
    sheet = workbook.worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    for number, row in enumerate(rows, start=2):
        for column, header in enumerate(headers, start=1):
            if header in row:
                sheet.cell(row=number, column=column, value=row[header])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _upload(client, content: bytes, mode: str, kind: str = "enterprise", name: str = "导入.xlsx"):  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(
        name,
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    return client.post(IMPORT, {"kind": kind, "mode": mode, "file": upload})


@pytest.fixture
def importer(client, reference_data):  # type: ignore[no-untyped-def]
    login_verified(client, staff(Role.OPERATIONS))
    return client


def _good_usccs(n: int) -> list[str]:
    return [make_uscc(region_code="330802", serial=880_000 + i) for i in range(n)]


@pytest.mark.django_db
def test_import_page_renders_form_and_templates(importer) -> None:  # type: ignore[no-untyped-def]
    response = importer.get(IMPORT)
    assert response.status_code == 200
    body = response.content.decode()
    assert "全部成功才导入" in body
    assert "导入正确的行" in body
    assert "/enterprises/import/template/?kind=enterprise" in body


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["enterprise", "licence"])
def test_import_template_downloads(importer, kind: str) -> None:  # type: ignore[no-untyped-def]
    response = importer.get("/enterprises/import/template/", {"kind": kind})
    assert response.status_code == 200
    assert f'filename="{kind}-import-template.xlsx"' in response["Content-Disposition"]
    header = _xlsx_rows(response.content)[0]
    assert header[0] == "统一社会信用代码"


@pytest.mark.django_db
def test_import_good_file(importer) -> None:  # type: ignore[no-untyped-def]
    usccs = _good_usccs(2)
    content = _workbook(
        [
            _enterprise_row(usccs[0], "衢州导入一号有限公司"),
            _enterprise_row(usccs[1], "衢州导入二号有限公司"),
        ]
    )
    response = _upload(importer, content, "all_or_nothing")
    assert response.status_code == 200
    report = response.context["report"]
    assert (report.total, report.imported, report.failed) == (2, 2, 0)
    assert "全部导入成功" in response.content.decode()
    from zqt.enterprises.models import Enterprise

    assert set(Enterprise.objects.values_list("uscc", flat=True)) >= set(usccs)


@pytest.mark.django_db
@pytest.mark.parametrize(("mode", "imported"), [("all_or_nothing", 0), ("good_rows", 1)])
def test_import_bad_rows_are_listed(importer, mode: str, imported: int) -> None:  # type: ignore[no-untyped-def]
    from zqt.enterprises.models import Enterprise

    good, bad = _good_usccs(2)
    bad = bad[:-1] + ("0" if bad[-1] != "0" else "1")  # wrong check digit
    content = _workbook(
        [
            _enterprise_row(good, "衢州导入一号有限公司"),
            _enterprise_row(bad, "衢州导入二号有限公司", **{"注册资本（万元）": -5}),
        ]
    )
    response = _upload(importer, content, mode)
    assert response.status_code == 200
    report = response.context["report"]
    assert (report.total, report.imported, report.failed) == (2, imported, 1)
    body = response.content.decode()
    assert 'data-testid="import-errors"' in body
    assert {err["row"] for err in report.errors} == {3}
    assert "统一社会信用代码" in {err["column"] for err in report.errors}
    assert Enterprise.objects.filter(uscc=good).exists() == bool(imported)
    if imported:
        assert "已导入 1 行" in body
    else:
        assert "未导入任何数据" in body


@pytest.mark.django_db
def test_import_non_excel_file_is_refused(importer) -> None:  # type: ignore[no-untyped-def]
    response = _upload(importer, b"uscc,name\n1,2\n", "good_rows", name="data.csv")
    assert response.status_code == 400
    assert "Excel" in response.content.decode()
    assert response.context["report"] is None


@pytest.mark.django_db
def test_import_wrong_columns_are_refused(importer) -> None:  # type: ignore[no-untyped-def]
    import io

    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["名称", "地址"])
    workbook.active.append(["衢州某公司", "某路1号"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = _upload(importer, buffer.getvalue(), "good_rows")
    assert response.status_code == 400
    assert response.context["error"]


@pytest.mark.django_db
def test_import_requires_file_and_mode(importer) -> None:  # type: ignore[no-untyped-def]
    response = importer.post(IMPORT, {"kind": "enterprise"})
    assert response.status_code == 400
    assert response.context["form"].errors.keys() >= {"file", "mode"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role",
    [
        Role.FRONT_DESK,
        Role.BOARD_STAFF,
        Role.CHIEF_COMMISSIONER,
        Role.DEPARTMENT_REVIEWER,
        Role.INSPECTOR,
    ],
)
def test_import_refused_for_other_staff(client, reference_data, role: str) -> None:  # type: ignore[no-untyped-def]
    login_verified(client, staff(role))
    assert client.get(IMPORT).status_code == 403
    assert client.get("/enterprises/import/template/").status_code == 403
    response = _upload(
        client, _workbook([_enterprise_row(_good_usccs(1)[0], "衢州甲公司")]), "good_rows"
    )
    assert response.status_code == 403
    from zqt.enterprises.models import Enterprise

    assert not Enterprise.objects.exists()


@pytest.mark.django_db
def test_import_refused_for_enterprise_side_and_anonymous(client, green) -> None:  # type: ignore[no-untyped-def]
    assert client.get(IMPORT).status_code == 302
    login_verified(client, enterprise_user(green))
    assert client.get(IMPORT).status_code == 403


# --- enterprise space ----------------------------------------------------------------------

SPACE = "/space/"


@pytest.mark.django_db
def test_space_for_enterprise_user(client, green) -> None:  # type: ignore[no-untyped-def]
    from zqt.enterprises.models import Todo

    Todo.objects.create(
        enterprise=green,
        title="提交年度报告",
        due_on=local_today() + dt.timedelta(days=10),
        source_key="test:annual-report",
    )
    login_verified(client, enterprise_user(green))
    response = client.get(SPACE)
    assert response.status_code == 200
    body = response.content.decode()
    assert "衢州绿源食品有限公司" in body
    assert 'data-testid="licence-legend"' in body
    # The licence expiring in 20 days: warning colour class and the countdown.
    assert 'class="licence licence--expiring"' in body
    assert "还有20天到期" in body
    assert 'data-testid="reminders"' in body
    assert "提交年度报告" in body
    for label in ("应办", "已办", "未办"):
        assert label in body


@pytest.mark.django_db
def test_space_enterprise_user_cannot_open_another_enterprise(client, green) -> None:  # type: ignore[no-untyped-def]
    other = EnterpriseFactory(name="衢州蓝天物流有限公司")
    login_verified(client, enterprise_user(green))
    response = client.get(SPACE, {"uscc": other.uscc})
    assert response.status_code == 404
    assert "衢州蓝天物流有限公司" not in response.content.decode()


@pytest.mark.django_db
def test_space_enterprise_account_without_enterprise_is_404(client, reference_data) -> None:  # type: ignore[no-untyped-def]
    login_verified(client, UserFactory(role=Role.ENTERPRISE, org_unit=None))
    assert client.get(SPACE).status_code == 404


@pytest.mark.django_db
def test_space_for_agent_with_uscc(client, green) -> None:  # type: ignore[no-untyped-def]
    other = EnterpriseFactory(name="衢州蓝天物流有限公司")
    login_verified(client, agent_for(green))
    response = client.get(SPACE, {"uscc": green.uscc})
    assert response.status_code == 200
    assert "经办人代办" in response.content.decode()
    assert client.get(SPACE, {"uscc": other.uscc}).status_code == 404


@pytest.mark.django_db
def test_space_agent_without_uscc_chooses(client, green) -> None:  # type: ignore[no-untyped-def]
    login_verified(client, agent_for(green))
    response = client.get(SPACE)
    assert response.status_code == 200
    assert f"?uscc={green.uscc}" in response.content.decode()


@pytest.mark.django_db
def test_space_picker_offers_only_enterprises_whose_space_was_delegated(client, green) -> None:  # type: ignore[no-untyped-def]
    from zqt.enterprises.models import AgentAuthorisation

    view_only = EnterpriseFactory(name="衢州只读授权有限公司")
    agent = agent_for(green)
    AgentAuthorisation.objects.create(
        enterprise=view_only,
        agent=agent,
        scopes=["enterprise.view"],
        valid_from=dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
        expires_at=dt.datetime(2099, 1, 1, tzinfo=dt.UTC),
    )
    login_verified(client, agent)
    page = client.get(SPACE).content.decode()
    assert f"?uscc={green.uscc}" in page
    assert view_only.uscc not in page


@pytest.mark.django_db
def test_space_agent_with_expired_authorisation_is_404(client, green) -> None:  # type: ignore[no-untyped-def]
    from zqt.enterprises.models import AgentAuthorisation

    agent = agent_for(green)
    AgentAuthorisation.objects.filter(agent=agent).update(
        expires_at=dt.datetime(2020, 1, 2, tzinfo=dt.UTC),
        valid_from=dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
    )
    login_verified(client, agent)
    assert client.get(SPACE, {"uscc": green.uscc}).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("role", STAFF_ROLES)
def test_space_refused_for_staff(client, green, role: str) -> None:  # type: ignore[no-untyped-def]
    login_verified(client, staff(role))
    assert client.get(SPACE, {"uscc": green.uscc}).status_code == 403


@pytest.mark.django_db
def test_space_anonymous_redirects_to_login(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get(SPACE)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/space/"


# --- home ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_home_for_anonymous_is_the_landing_page(client) -> None:  # type: ignore[no-untyped-def]
    body = client.get("/").content.decode()
    assert "政企通" in body
    assert 'href="/accounts/login/"' in body


@pytest.mark.django_db
def test_home_for_staff_links_to_search(client, reference_data) -> None:  # type: ignore[no-untyped-def]
    login_verified(client, staff(Role.OPERATIONS))
    body = client.get("/").content.decode()
    assert 'href="/enterprises/"' in body
    assert 'href="/audit/"' in body
    assert 'href="/space/"' not in body


@pytest.mark.django_db
def test_home_for_enterprise_links_to_space(client, green) -> None:  # type: ignore[no-untyped-def]
    login_verified(client, enterprise_user(green))
    body = client.get("/").content.decode()
    assert 'href="/space/"' in body
    assert 'href="/enterprises/"' not in body


@pytest.mark.django_db
def test_healthz(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
