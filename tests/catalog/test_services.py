"""Local catalogs under 四统一, publishing with history, Excel round trip, pages and API."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from tests.accounts.factories import county, login_verified, staff
from zqt.accounts.enums import Role
from zqt.audit.models import AuditEvent
from zqt.catalog import excel, selectors, services
from zqt.catalog.models import CatalogChange, CatalogItem, CatalogVersion
from zqt.catalog.rules import channels_parse, four_unified_errors, local_code
from zqt.core.errors import NotFoundError, PermissionDeniedError, ValidationFailed

GOOD = {
    "name": "柯城区产业园标准厂房租赁对接",
    "responsible_units": "柯城区经济和信息化局",
    "service_scope": "柯城区内工业企业",
    "channels": ["online", "window"],
    "time_limit_days": "5",
    "materials": "营业执照\n用地需求说明",
}


def test_rules_pure() -> None:
    assert channels_parse("网上办、窗口办") == ["online", "window"]
    assert channels_parse(["terminal", "online"]) == ["online", "terminal"]
    with pytest.raises(ValueError):
        channels_parse("邮寄")
    errors = four_unified_errors({"name": "x", "channels": []})
    assert {e["field"] for e in errors} == {"responsible_units", "service_scope", "channels"}
    assert (
        local_code(base_code="0505", org_unit_code="330802", existing=["0505-330802-01"])
        == "0505-330802-02"
    )
    assert local_code(base_code="05", org_unit_code="330802", existing=[]) == "0500-330802-01"


pytestmark_db = pytest.mark.django_db


@pytest.mark.django_db
def test_local_item_publish_and_history(reference_data: None) -> None:
    ops = staff(Role.OPERATIONS)
    item = services.catalog_item_create(user=ops, base_code="0505", **GOOD)
    assert item.code == "0505-330802-01" and item.status == "draft"
    assert item.board_code == "project" and item.extends and item.extends.code == "0505"
    assert item not in selectors.catalog_browse(org_unit_code="330802")
    version = services.catalog_publish(user=ops, note="首版")
    assert version.number == 1 and version.item_count == 72
    item.refresh_from_db()
    assert item.status == "published"
    assert item in selectors.catalog_browse(org_unit_code="330802")
    assert item not in selectors.catalog_browse(org_unit_code="330102")  # another county
    services.catalog_item_update(user=ops, code=item.code, data={"time_limit_days": 3})
    item.refresh_from_db()
    assert item.status == "draft" and item.time_limit_days == 3
    v2 = services.catalog_publish(user=ops)
    assert v2.number == 2
    actions = list(CatalogChange.objects.filter(item=item).values_list("action", "version__number"))
    assert ("create", 1) in actions and ("update", 2) in actions
    assert AuditEvent.objects.filter(action="catalog.publish").count() == 2


@pytest.mark.django_db
def test_four_unified_and_scope_errors(reference_data: None) -> None:
    ops = staff(Role.OPERATIONS)
    with pytest.raises(ValidationFailed) as exc:
        services.catalog_item_create(
            user=ops, base_code="0505", **{**GOOD, "service_scope": "", "channels": []}
        )
    assert {e["field"] for e in exc.value.errors} == {"service_scope", "channels"}
    with pytest.raises(ValidationFailed):
        services.catalog_item_create(user=ops, base_code="9999", **GOOD)
    with pytest.raises(ValidationFailed):
        services.catalog_item_create(user=ops, base_code="0505", **{**GOOD, "channels": "邮寄"})
    assert not CatalogItem.objects.filter(org_unit__isnull=False).exists()
    item = services.catalog_item_create(user=ops, base_code="05", **GOOD)
    other_ops = staff(Role.OPERATIONS, org_unit=county("330102", "上城区", "330100"))
    with pytest.raises(NotFoundError):
        services.catalog_item_update(user=other_ops, code=item.code, data={"name": "x"})
    with pytest.raises(NotFoundError):  # county staff cannot edit the provincial guide
        services.catalog_item_update(user=ops, code="0101", data={"name": "x"})
    with pytest.raises(PermissionDeniedError):
        services.catalog_item_create(user=staff(Role.FRONT_DESK), base_code="05", **GOOD)


@pytest.mark.django_db
def test_excel_round_trip_and_all_or_nothing(reference_data: None) -> None:
    ops = staff(Role.OPERATIONS)
    services.catalog_item_create(user=ops, base_code="0505", **GOOD)
    content = excel.catalog_export_excel(user=ops)
    wb = load_workbook(io.BytesIO(content))
    ws = wb.active
    assert ws is not None
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "事项编码" and len(rows) == 1 + 72
    ws.append(
        [
            "",
            "0702",
            "",
            "柯城区众创空间入驻",
            "孵化场地对接",
            "柯城区科技局",
            "柯城区初创企业",
            "网上办、窗口办",
            10,
            "创业计划书",
            "",
            "",
        ]
    )
    buf = io.BytesIO()
    wb.save(buf)
    result = excel.catalog_import_excel(user=ops, file=io.BytesIO(buf.getvalue()))
    assert result == {"created": 1, "updated": 1}
    assert CatalogItem.objects.get(code="0702-330802-01").materials == ["创业计划书"]
    bad = Workbook()
    sheet = bad.active
    assert sheet is not None
    sheet.append(excel.HEADERS)
    sheet.append(["", "0702", "", "合规事项", "", "科技局", "全区", "网上办", "", "", "", ""])
    sheet.append(["", "0702", "", "缺范围", "", "科技局", "", "", "", "", "", ""])
    buf = io.BytesIO()
    bad.save(buf)
    with pytest.raises(ValidationFailed) as exc:
        excel.catalog_import_excel(user=ops, file=io.BytesIO(buf.getvalue()))
    assert all(e["message"].startswith("第3行") for e in exc.value.errors)
    assert not CatalogItem.objects.filter(name="合规事项").exists()
    with pytest.raises(ValidationFailed):
        excel.catalog_import_excel(user=ops, file=io.BytesIO(b"not excel"))


@pytest.mark.django_db
def test_public_pages_and_search(client, reference_data: None) -> None:  # type: ignore[no-untyped-def]
    r = client.get(reverse("catalog:browse"))
    assert r.status_code == 200 and "政策查询" in r.content.decode()
    r = client.get(reverse("catalog:browse"), {"q": "融资担保"})
    assert "0303" in r.content.decode()
    r = client.get(reverse("catalog:browse"), {"q": "我想找知识产权质押"})
    assert "0903" in r.content.decode()  # jieba words: 知识产权 / 质押
    r = client.get(reverse("catalog:item", args=["0804"]))
    page = r.content.decode()
    assert "公证远程办理" in page and "司法部门" in page and "网上办" in page and "办理时限" in page
    assert client.get(reverse("catalog:item", args=["9999"])).status_code == 404


@pytest.mark.django_db
def test_manage_page_permissions_and_import(client, reference_data: None) -> None:  # type: ignore[no-untyped-def]
    login_verified(client, staff(Role.FRONT_DESK))
    assert client.get(reverse("catalog:manage")).status_code == 403
    ops = staff(Role.OPERATIONS)
    login_verified(client, ops)
    r = client.post(
        reverse("catalog:manage"),
        {
            "base_code": "0505",
            **{k: v for k, v in GOOD.items() if k != "channels"},
            "channels": ["online"],
        },
    )
    assert r.status_code == 302
    r = client.post(reverse("catalog:manage"), {"action": "publish", "note": "x"})
    assert (
        r.status_code == 302
        and CatalogVersion.objects.filter(number=1, org_unit__code="330802").exists()
    )
    r = client.get(reverse("catalog:export"))
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    upload = SimpleUploadedFile("c.xlsx", r.content)
    r = client.post(reverse("catalog:import"), {"file": upload})
    assert r.status_code == 302


@pytest.mark.django_db
def test_api(client, reference_data: None) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/api/v1/catalog/items", {"category": "08"})
    assert r.status_code == 200 and len(r.json()) == 8
    assert (
        client.get("/api/v1/catalog/items/0101").json()["responsible_units"]
        == "经信部门、各涉企相关部门"
    )
    r = client.post(
        "/api/v1/catalog/items",
        {"base_code": "05", **GOOD, "time_limit_days": 5, "materials": []},
        content_type="application/json",
    )
    assert r.status_code == 401
    client.force_login(staff(Role.OPERATIONS))
    r = client.post(
        "/api/v1/catalog/items",
        {"base_code": "05", **GOOD, "time_limit_days": 5, "materials": []},
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["status"] == "draft"
    r = client.post("/api/v1/catalog/publish", {"note": "api"}, content_type="application/json")
    assert r.status_code == 201 and r.json()["number"] == 1
    client.force_login(staff(Role.BOARD_STAFF))
    r = client.patch(
        "/api/v1/catalog/items/0500-330802-01", {"name": "x"}, content_type="application/json"
    )
    assert r.status_code == 403
