"""Excel import and export of enterprises and licences (zqt.enterprises.excel).

Workbooks are built in the tests with openpyxl. Given a file, when it is imported in a mode,
then the report lists each bad row's Excel row number, Chinese column and message, and the
database holds exactly what the mode promises.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from tests.accounts.factories import county, staff
from tests.enterprises.factories import EnterpriseFactory, LicenceFactory
from zqt.accounts.enums import Role
from zqt.accounts.permissions import CAPABILITIES
from zqt.audit.models import AuditEvent, AuditOutcome
from zqt.core.errors import PermissionDeniedError, ValidationFailed
from zqt.core.identifiers import make_id_number, make_uscc, mask_id_number, mask_name
from zqt.enterprises import excel
from zqt.enterprises.enums import EnterpriseStatus, EntityType, LicenceStatus, LifecycleStage
from zqt.enterprises.models import Enterprise, Licence

HEADERS = [col.header for col in excel.ENTERPRISE_COLUMNS]
LICENCE_HEADERS = [col.header for col in excel.LICENCE_COLUMNS]
MODES = [excel.ALL_OR_NOTHING, excel.GOOD_ROWS]
ROLES_WITHOUT_IMPORT = [
    Role.FRONT_DESK,
    Role.BOARD_STAFF,
    Role.CHIEF_COMMISSIONER,
    Role.DEPARTMENT_REVIEWER,
    Role.INSPECTOR,
    Role.API_CLIENT,
]


def uscc(serial: int, region: str = "330802") -> str:
    return make_uscc(region_code=region, serial=serial)


def id_number(seq: int = 1) -> str:
    return make_id_number(region_code="330802", birth_date=dt.date(1980, 1, 1), sequence=seq)


def enterprise_row(serial: int, **overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "统一社会信用代码": uscc(serial),
        "企业名称": f"衢州导入测试{serial}号有限公司",
        "主体类型": "有限责任公司",
        "登记状态": "存续",
        "法定代表人": "李四",
        "法定代表人身份证号": id_number(serial % 900),
        "注册资本（万元）": 300,
        "成立日期": dt.date(2018, 3, 1),
        "住所": "浙江省衢州市柯城区测试路8号",
        "所属区划代码": "330802",
        "行业代码": "39",
        "从业人数": 20,
        "营业收入（万元）": 1000.5,
        "研发投入（万元）": "35",
        "企业规模": "小型",
        "生命周期阶段": "发展",
        "联系电话": "0570-1234567",
        "标签": "高新技术企业、专精特新",
    }
    row.update(overrides)
    return row


def xlsx(
    rows: Sequence[dict[str, Any]],
    headers: Sequence[str | None] = tuple(HEADERS),
    *,
    sheet_title: str | None = None,
) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    if sheet_title:
        sheet.title = sheet_title
    sheet.append(list(headers))
    for row in rows:
        sheet.append([row.get(h) if h else None for h in headers])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def errors_of(report: excel.ImportReport) -> set[tuple[int, str]]:
    return {(e["row"], e["column"]) for e in report.errors}


@pytest.fixture
def ops(reference_data):  # type: ignore[no-untyped-def]
    """An operations user of 柯城区 (330802)."""
    return staff(Role.OPERATIONS, org_unit=county())


# --- the template ------------------------------------------------------------------------


def test_template_has_the_layout_and_an_instructions_sheet() -> None:
    workbook = load_workbook(io.BytesIO(excel.enterprise_import_template()))
    assert workbook.sheetnames == [excel.ENTERPRISE_SHEET, excel.INSTRUCTIONS_SHEET]
    assert [c.value for c in workbook.worksheets[0][1]] == HEADERS
    notes = [row[0] for row in workbook[excel.INSTRUCTIONS_SHEET].iter_rows(values_only=True)]
    assert set(HEADERS) <= set(notes)
    licence = load_workbook(io.BytesIO(excel.licence_import_template()))
    assert [c.value for c in licence.worksheets[0][1]] == LICENCE_HEADERS


@pytest.mark.django_db
def test_filled_in_template_imports(ops) -> None:  # type: ignore[no-untyped-def]
    workbook = load_workbook(io.BytesIO(excel.enterprise_import_template()))
    sheet = workbook.worksheets[0]
    row = enterprise_row(1)
    for column, header in enumerate(HEADERS, start=1):
        sheet.cell(row=2, column=column, value=row[header])
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = excel.enterprise_import_excel(user=ops, file=buffer.getvalue(), mode="good_rows")
    assert (report.total, report.imported, report.failed) == (1, 1, 0)


@pytest.mark.django_db
def test_empty_template_is_no_data(ops) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationFailed) as exc:
        excel.enterprise_import_excel(
            user=ops, file=excel.enterprise_import_template(), mode="good_rows"
        )
    assert exc.value.code == "empty_file"
    assert "没有数据行" in exc.value.message


# --- good files ---------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("mode", MODES)
def test_good_file_imports_every_row(ops, mode: str) -> None:  # type: ignore[no-untyped-def]
    content = xlsx([enterprise_row(1), enterprise_row(2), enterprise_row(3)])

    report = excel.enterprise_import_excel(user=ops, file=content, mode=mode)  # type: ignore[arg-type]

    assert (report.total, report.imported, report.failed, report.errors) == (3, 3, 0, [])
    assert report.ok and report.mode == mode
    ent = Enterprise.objects.get(uscc=uscc(2))
    assert ent.entity_type == EntityType.LIMITED_COMPANY  # Chinese label → value
    assert ent.lifecycle_stage == LifecycleStage.GROWTH
    assert ent.status == EnterpriseStatus.EXISTING
    assert ent.registered_capital == Decimal("300.00")
    assert ent.revenue == Decimal("1000.50")
    assert ent.rd_spend == Decimal("35.00")
    assert ent.founded_on == dt.date(2018, 3, 1)
    assert sorted(ent.tags.values_list("name", flat=True)) == ["专精特新", "高新技术企业"]
    # One audit event for the import, none per row.
    events = AuditEvent.objects.filter(action="enterprise.import")
    assert events.count() == 1
    changes = events.get().changes
    assert {k: changes[k] for k in ("mode", "total", "imported", "failed")} == {
        "mode": mode,
        "total": 3,
        "imported": 3,
        "failed": 0,
    }
    assert not AuditEvent.objects.filter(action="enterprise.create").exists()


@pytest.mark.django_db
def test_cells_in_other_shapes_are_read(ops) -> None:  # type: ignore[no-untyped-def]
    """Numbers for codes, text dates, values instead of labels, half-width brackets in headers,
    optional columns left out."""
    headers = [
        h.replace("（", "(").replace("）", ")")
        for h in HEADERS
        if h
        not in ("从业人数", "营业收入（万元）", "研发投入（万元）", "联系电话", "标签", "登记状态")
    ]
    row = enterprise_row(
        7,
        **{
            "成立日期": "2016/5/4",
            "主体类型": "joint_stock",
            "所属区划代码": 330802,
            "行业代码": 39,
            "注册资本(万元)": "1,200.5",
        },
    )
    row = {k.replace("（", "(").replace("）", ")"): v for k, v in row.items()}
    row["注册资本(万元)"] = "1,200.5"
    report = excel.enterprise_import_excel(user=ops, file=xlsx([row], headers), mode="good_rows")
    assert report.errors == []
    ent = Enterprise.objects.get(uscc=uscc(7))
    assert (ent.founded_on, ent.entity_type, ent.region_code, ent.industry_code) == (
        dt.date(2016, 5, 4),
        EntityType.JOINT_STOCK,
        "330802",
        "39",
    )
    assert ent.registered_capital == Decimal("1200.50")
    assert (ent.employees, ent.revenue, ent.phone, ent.status) == (
        0,
        Decimal("0"),
        "",
        EnterpriseStatus.EXISTING,
    )


@pytest.mark.django_db
def test_blank_rows_are_skipped_and_rows_keep_their_excel_numbers(ops) -> None:  # type: ignore[no-untyped-def]
    content = xlsx([enterprise_row(1), {}, enterprise_row(2, **{"企业名称": ""})])
    report = excel.enterprise_import_excel(user=ops, file=content, mode="good_rows")
    assert (report.total, report.imported, report.failed) == (2, 1, 1)
    assert report.errors == [{"row": 4, "column": "企业名称", "message": "企业名称不能为空"}]


@pytest.mark.django_db
def test_uploaded_file_object_is_accepted(ops) -> None:  # type: ignore[no-untyped-def]
    upload = SimpleUploadedFile(
        "企业.xlsx", xlsx([enterprise_row(1)]), content_type=excel.XLSX_CONTENT_TYPE
    )
    report = excel.enterprise_import_excel(user=ops, file=upload, mode="all_or_nothing")
    assert report.imported == 1
    assert AuditEvent.objects.get(action="enterprise.import").changes["file"] == "企业.xlsx"


# --- bad rows -----------------------------------------------------------------------------


def _bad_file() -> bytes:
    return xlsx(
        [
            enterprise_row(1),  # row 2: good
            enterprise_row(
                2, **{"统一社会信用代码": uscc(2)[:-1] + ("0" if uscc(2)[-1] != "0" else "1")}
            ),  # 3: check digit
            enterprise_row(
                3, **{"注册资本（万元）": -5, "所属区划代码": "339999", "主体类型": "股份公司"}
            ),  # 4: three problems
            enterprise_row(4, **{"成立日期": "明年", "从业人数": "很多"}),  # 5: two cell problems
            enterprise_row(5),  # row 6: good
        ]
    )


@pytest.mark.django_db
def test_bad_rows_all_or_nothing_writes_nothing(ops) -> None:  # type: ignore[no-untyped-def]
    report = excel.enterprise_import_excel(user=ops, file=_bad_file(), mode="all_or_nothing")

    assert (report.total, report.imported, report.failed) == (5, 0, 3)
    assert errors_of(report) == {
        (3, "统一社会信用代码"),
        (4, "主体类型"),
        (4, "注册资本（万元）"),
        (4, "所属区划代码"),
        (5, "成立日期"),
        (5, "从业人数"),
    }
    messages = {(e["row"], e["column"]): e["message"] for e in report.errors}
    assert "校验" in messages[(3, "统一社会信用代码")]
    assert messages[(4, "注册资本（万元）")] == "注册资本不能为负数"
    assert "339999" in messages[(4, "所属区划代码")]
    assert "有限责任公司" in messages[(4, "主体类型")]  # lists what is allowed
    assert "有效日期" in messages[(5, "成立日期")]
    assert "整数" in messages[(5, "从业人数")]
    assert [e["row"] for e in report.errors] == sorted(e["row"] for e in report.errors)
    assert Enterprise.objects.count() == 0
    event = AuditEvent.objects.get(action="enterprise.import")
    assert (event.changes["imported"], event.changes["failed"]) == (0, 3)


@pytest.mark.django_db
def test_bad_rows_good_rows_writes_the_good_ones(ops) -> None:  # type: ignore[no-untyped-def]
    report = excel.enterprise_import_excel(user=ops, file=_bad_file(), mode="good_rows")

    assert (report.total, report.imported, report.failed) == (5, 2, 3)
    assert {r for r, _c in errors_of(report)} == {3, 4, 5}
    assert set(Enterprise.objects.values_list("uscc", flat=True)) == {uscc(1), uscc(5)}


@pytest.mark.django_db
def test_id_number_stored_as_a_number_is_refused(ops) -> None:  # type: ignore[no-untyped-def]
    row = enterprise_row(1, **{"法定代表人身份证号": 3.30802198001011e17})
    report = excel.enterprise_import_excel(user=ops, file=xlsx([row]), mode="good_rows")
    assert errors_of(report) == {(2, "法定代表人身份证号")}
    assert "文本格式" in report.errors[0]["message"]


@pytest.mark.django_db
def test_region_outside_the_users_unit_is_a_row_error(ops) -> None:  # type: ignore[no-untyped-def]
    row = enterprise_row(1, **{"统一社会信用代码": uscc(1, "330102"), "所属区划代码": "330102"})
    report = excel.enterprise_import_excel(
        user=ops, file=xlsx([row, enterprise_row(2)]), mode="good_rows"
    )
    assert errors_of(report) == {(2, "所属区划代码")}
    assert "不在您的管辖范围内" in report.errors[0]["message"]
    assert list(Enterprise.objects.values_list("uscc", flat=True)) == [uscc(2)]


@pytest.mark.django_db
def test_report_lists_at_most_the_cap_but_counts_all(ops, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(excel, "MAX_REPORTED_ERRORS", 2)
    rows = [enterprise_row(n, **{"企业名称": ""}) for n in range(1, 5)]
    report = excel.enterprise_import_excel(user=ops, file=xlsx(rows), mode="good_rows")
    assert report.failed == 4
    assert len(report.errors) == 2 and report.errors_truncated


# --- duplicates ---------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("mode", "kept"), [("all_or_nothing", set()), ("good_rows", {3})])
def test_duplicates_within_the_file(ops, mode: str, kept: set[int]) -> None:  # type: ignore[no-untyped-def]
    content = xlsx(
        [enterprise_row(1), enterprise_row(3), enterprise_row(1, **{"企业名称": "别名"})]
    )

    report = excel.enterprise_import_excel(user=ops, file=content, mode=mode)  # type: ignore[arg-type]

    assert errors_of(report) == {(2, "统一社会信用代码"), (4, "统一社会信用代码")}
    by_row = {e["row"]: e["message"] for e in report.errors}
    assert by_row[2] == "统一社会信用代码与文件中第 4 行重复。"
    assert by_row[4] == "统一社会信用代码与文件中第 2 行重复。"
    assert {u for u in Enterprise.objects.values_list("uscc", flat=True)} == {uscc(n) for n in kept}


@pytest.mark.django_db
def test_duplicate_against_the_database(ops) -> None:  # type: ignore[no-untyped-def]
    EnterpriseFactory(uscc=uscc(1))
    report = excel.enterprise_import_excel(
        user=ops, file=xlsx([enterprise_row(1), enterprise_row(2)]), mode="good_rows"
    )
    assert errors_of(report) == {(2, "统一社会信用代码")}
    assert "已登记" in report.errors[0]["message"]
    assert Enterprise.objects.filter(uscc=uscc(2)).exists()


# --- whole-file refusals --------------------------------------------------------------------


@pytest.mark.django_db
def test_wrong_columns_name_missing_and_unknown_headers(ops) -> None:  # type: ignore[no-untyped-def]
    headers = [h for h in HEADERS if h not in ("企业名称", "成立日期")] + ["备注"]
    with pytest.raises(ValidationFailed) as exc:
        excel.enterprise_import_excel(
            user=ops, file=xlsx([enterprise_row(1)], headers), mode="good_rows"
        )
    assert exc.value.code == "bad_columns"
    assert "缺少列：「企业名称」、「成立日期」" in exc.value.message
    assert "无法识别的列：「备注」" in exc.value.message
    assert "统一社会信用代码、企业名称" in exc.value.message  # the expected layout
    assert {e["column"] for e in exc.value.errors} == {"企业名称", "成立日期", "备注"}
    assert Enterprise.objects.count() == 0


@pytest.mark.django_db
def test_repeated_column_is_refused(ops) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationFailed, match="重复的列：「企业名称」"):
        excel.enterprise_import_excel(
            user=ops, file=xlsx([enterprise_row(1)], [*HEADERS, "企业名称"]), mode="good_rows"
        )


@pytest.mark.django_db
def test_export_columns_can_be_imported_again(ops) -> None:  # type: ignore[no-untyped-def]
    """The export's informational columns (区划/行业名称) are ignored by the import."""
    headers = [*HEADERS, "所属区划名称", "行业名称"]
    report = excel.enterprise_import_excel(
        user=ops, file=xlsx([enterprise_row(1)], headers), mode="good_rows"
    )
    assert report.imported == 1


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


NOT_EXCEL = {
    "csv": "统一社会信用代码,企业名称\n91330802MA00000000,某公司\n".encode(),
    "pdf": b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF",
    "random": bytes(range(256)) * 4,
    "xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504,
    "docx": _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}),
    "broken_xlsx": _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"not xml"}),
    "truncated_zip": b"PK\x03\x04" + b"\x00" * 100,
}


@pytest.mark.django_db
@pytest.mark.parametrize("kind", sorted(NOT_EXCEL))
@pytest.mark.parametrize("importer", ["enterprise", "licence"])
def test_non_excel_file_is_refused(ops, kind: str, importer: str) -> None:  # type: ignore[no-untyped-def]
    run = excel.enterprise_import_excel if importer == "enterprise" else excel.licence_import_excel
    with pytest.raises(ValidationFailed) as exc:
        run(user=ops, file=NOT_EXCEL[kind], mode="good_rows")
    assert exc.value.code == "not_excel"
    assert exc.value.message.startswith("文件不是有效的 Excel（.xlsx）文件")
    assert exc.value.field == "file"
    assert Enterprise.objects.count() == 0
    assert Licence.objects.count() == 0


@pytest.mark.django_db
def test_old_xls_gets_a_save_as_hint(ops) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationFailed, match="另存为"):
        excel.enterprise_import_excel(user=ops, file=NOT_EXCEL["xls"], mode="good_rows")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "content",
    [b"", None],
    ids=["zero_bytes", "workbook_without_cells"],
)
def test_empty_file_is_refused(ops, content: bytes | None) -> None:  # type: ignore[no-untyped-def]
    if content is None:
        buffer = io.BytesIO()
        Workbook().save(buffer)
        content = buffer.getvalue()
    with pytest.raises(ValidationFailed) as exc:
        excel.enterprise_import_excel(user=ops, file=content, mode="good_rows")
    assert exc.value.code == "empty_file"


@pytest.mark.django_db
def test_too_many_rows_is_refused(ops, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(excel, "MAX_ROWS", 3)
    rows = [enterprise_row(n) for n in range(1, 5)]
    with pytest.raises(ValidationFailed) as exc:
        excel.enterprise_import_excel(user=ops, file=xlsx(rows), mode="good_rows")
    assert exc.value.code == "too_many_rows"
    assert "3 行上限" in exc.value.message
    assert Enterprise.objects.count() == 0


@pytest.mark.django_db
def test_too_large_file_is_refused(ops, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    content = xlsx([enterprise_row(1)])
    monkeypatch.setattr(excel, "MAX_FILE_BYTES", len(content) - 1)
    with pytest.raises(ValidationFailed) as exc:
        excel.enterprise_import_excel(user=ops, file=content, mode="good_rows")
    assert exc.value.code == "file_too_large"
    upload = SimpleUploadedFile("big.xlsx", content)
    with pytest.raises(ValidationFailed, match="上限"):
        excel.enterprise_import_excel(user=ops, file=upload, mode="good_rows")


@pytest.mark.django_db
def test_unknown_mode_is_refused(ops) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationFailed) as exc:
        excel.enterprise_import_excel(user=ops, file=xlsx([enterprise_row(1)]), mode="some")  # type: ignore[arg-type]
    assert exc.value.field == "mode"
    assert Enterprise.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("role", [*ROLES_WITHOUT_IMPORT, Role.ENTERPRISE, Role.AGENT])
@pytest.mark.parametrize("importer", ["enterprise", "licence"])
def test_roles_without_import_are_refused_and_audited(
    reference_data, role: str, importer: str
) -> None:  # type: ignore[no-untyped-def]
    user = staff(role) if role not in (Role.ENTERPRISE, Role.AGENT) else staff(role, org_unit=None)
    run = excel.enterprise_import_excel if importer == "enterprise" else excel.licence_import_excel
    with pytest.raises(PermissionDeniedError):
        run(user=user, file=xlsx([enterprise_row(1)]), mode="good_rows")
    assert Enterprise.objects.count() == 0
    event = AuditEvent.objects.get(action=f"{importer}.import")
    assert (event.outcome, event.actor_id) == (AuditOutcome.DENIED, user.pk)


# --- licences -----------------------------------------------------------------------------


def licence_row(owner: str, n: int, **overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "统一社会信用代码": owner,
        "证照类型": "食品经营许可证",
        "证照编号": f"JY133080200{n:05d}",
        "发证机关": "衢州市柯城区市场监督管理局",
        "发证日期": dt.date(2023, 1, 1),
        "有效期至": dt.date(2028, 1, 1),
        "状态": "有效",
    }
    row.update(overrides)
    return row


@pytest.mark.django_db
@pytest.mark.parametrize("mode", MODES)
def test_licence_good_file(ops, mode: str) -> None:  # type: ignore[no-untyped-def]
    owner = EnterpriseFactory()
    rows = [
        licence_row(owner.uscc, 1),
        licence_row(owner.uscc, 2, **{"有效期至": None, "状态": None, "证照类型": "排污许可证"}),
        licence_row(owner.uscc, 3, **{"状态": "审批中", "发证日期": "2024-02-03"}),
    ]
    report = excel.licence_import_excel(
        user=ops,
        file=xlsx(rows, LICENCE_HEADERS, sheet_title=excel.LICENCE_SHEET),
        mode=mode,  # type: ignore[arg-type]
    )
    assert (report.total, report.imported, report.failed) == (3, 3, 0)
    open_ended = Licence.objects.get(licence_type="排污许可证")
    assert (open_ended.expires_on, open_ended.status) == (None, LicenceStatus.ACTIVE)
    pending = Licence.objects.get(number="JY13308020000003")
    assert (pending.status, pending.issued_on) == (LicenceStatus.PENDING, dt.date(2024, 2, 3))
    assert AuditEvent.objects.filter(action="licence.import").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(("mode", "kept"), [("all_or_nothing", 0), ("good_rows", 1)])
def test_licence_bad_rows(ops, mode: str, kept: int) -> None:  # type: ignore[no-untyped-def]
    owner = EnterpriseFactory()
    hangzhou = EnterpriseFactory(uscc=uscc(50, "330102"), region_code="330102")
    LicenceFactory(enterprise=owner, licence_type="食品经营许可证", number="JY13308020000009")
    rows = [
        licence_row(owner.uscc, 1),  # 2: good
        licence_row(uscc(99), 2),  # 3: no such enterprise
        licence_row(hangzhou.uscc, 3),  # 4: outside the user's region
        licence_row(owner.uscc, 4, **{"有效期至": dt.date(2020, 1, 1)}),  # 5: before issue
        licence_row(owner.uscc, 9),  # 6: already registered
        licence_row(owner.uscc, 5),  # 7: duplicate of 8
        licence_row(owner.uscc, 5),  # 8
        licence_row(owner.uscc, 6, **{"状态": "过期", "发证机关": None}),  # 9
    ]
    report = excel.licence_import_excel(user=ops, file=xlsx(rows, LICENCE_HEADERS), mode=mode)  # type: ignore[arg-type]
    assert (report.total, report.imported, report.failed) == (8, kept, 7)
    assert errors_of(report) == {
        (3, "统一社会信用代码"),
        (4, "统一社会信用代码"),
        (5, "有效期至"),
        (6, "证照编号"),
        (7, "证照编号"),
        (8, "证照编号"),
        (9, "发证机关"),
        (9, "状态"),
    }
    messages = {(e["row"], e["column"]): e["message"] for e in report.errors}
    assert "不在您的管辖范围内" in messages[(4, "统一社会信用代码")]
    assert messages[(5, "有效期至")] == "有效期至不能早于发证日期"
    assert "已存在" in messages[(6, "证照编号")]
    assert messages[(7, "证照编号")] == "证照类型和编号与文件中第 8 行重复。"
    assert Licence.objects.count() == 1 + kept


# --- export -------------------------------------------------------------------------------


def _rows(content: bytes) -> list[tuple[Any, ...]]:
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    return list(workbook.worksheets[0].iter_rows(values_only=True))


@pytest.fixture
def registry(reference_data):  # type: ignore[no-untyped-def]
    """Two enterprises in 柯城区 (one tagged), one in 杭州 (outside a 柯城区 user's scope)."""
    from zqt.enterprises.models import Tag

    first = EnterpriseFactory(
        uscc=uscc(1),
        name="衢州甲科技有限公司",
        industry_code="39",
        legal_rep_id_number=id_number(11),
    )
    first.tags.add(Tag.objects.get(code="high_tech"))
    EnterpriseFactory(
        uscc=uscc(2),
        name="衢州乙贸易有限公司",
        industry_code="51",
        status=EnterpriseStatus.SUSPENDED,
    )
    EnterpriseFactory(uscc=uscc(3, "330102"), name="杭州丙科技有限公司", region_code="330102")
    return first


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.OPERATIONS, Role.CHIEF_COMMISSIONER])
def test_export_is_region_scoped_masked_and_audited(registry, role: str) -> None:  # type: ignore[no-untyped-def]
    user = staff(role, org_unit=county())
    rows = _rows(excel.enterprise_export_excel(user=user, ip_address="10.0.0.1"))
    assert rows[0] == excel.EXPORT_HEADERS
    by_uscc = {row[0]: dict(zip(excel.EXPORT_HEADERS, row, strict=True)) for row in rows[1:]}
    assert set(by_uscc) == {uscc(1), uscc(2)}  # not the 杭州 one
    first = by_uscc[uscc(1)]
    assert first["法定代表人身份证号"] == mask_id_number(id_number(11))
    assert first["法定代表人"] == mask_name("张三")
    assert first["主体类型"] == "有限责任公司"
    assert first["登记状态"] == "存续"
    assert first["所属区划名称"] == "柯城区"
    assert first["行业代码"] == "39" and first["行业名称"]
    assert first["标签"] == "高新技术企业"
    assert first["注册资本（万元）"] == 500
    assert first["成立日期"] == dt.datetime(2015, 6, 1)
    event = AuditEvent.objects.get(action="enterprise.export")
    assert event.changes["rows"] == 2 and event.changes["id_numbers_masked"] is True
    assert event.ip_address == "10.0.0.1"


@pytest.mark.django_db
def test_export_shows_id_numbers_to_a_role_allowed_to_see_them(registry, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # No shipped role holds both enterprise.export and enterprise.view_sensitive; grant it.
    monkeypatch.setitem(CAPABILITIES, "enterprise.view_sensitive", frozenset({Role.OPERATIONS}))
    rows = _rows(excel.enterprise_export_excel(user=staff(Role.OPERATIONS), query="衢州甲"))
    assert [(row[4], row[5]) for row in rows[1:]] == [("张三", id_number(11))]
    assert AuditEvent.objects.get(action="enterprise.export").changes["id_numbers_masked"] is False


@pytest.mark.django_db
def test_export_applies_the_search_filters(registry) -> None:  # type: ignore[no-untyped-def]
    ops = staff(Role.OPERATIONS)

    def exported(**filters: Any) -> set[str]:
        return {row[0] for row in _rows(excel.enterprise_export_excel(user=ops, **filters))[1:]}

    assert exported(query="乙贸易") == {uscc(2)}
    assert exported(status=EnterpriseStatus.SUSPENDED) == {uscc(2)}
    assert exported(tag="high_tech") == {uscc(1)}
    assert exported(industry_code="39") == {uscc(1)}
    assert exported(region_code="330102") == set()  # outside the scope: nothing, not 杭州
    event = AuditEvent.objects.filter(action="enterprise.export").order_by("id").first()
    assert event is not None and event.changes["filters"]["query"] == "乙贸易"


@pytest.mark.django_db
def test_export_of_a_province_user_sees_every_region(registry) -> None:  # type: ignore[no-untyped-def]
    from tests.accounts.factories import province

    rows = _rows(excel.enterprise_export_excel(user=staff(Role.OPERATIONS, org_unit=province())))
    assert len(rows) == 4


@pytest.mark.django_db
def test_export_over_the_limit_is_refused(registry) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationFailed, match="超过 1 家"):
        excel.enterprise_export_excel(user=staff(Role.OPERATIONS), limit=1)
    assert not AuditEvent.objects.filter(action="enterprise.export").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role",
    [Role.FRONT_DESK, Role.BOARD_STAFF, Role.DEPARTMENT_REVIEWER, Role.INSPECTOR, Role.API_CLIENT],
)
def test_export_refused_without_the_capability(registry, role: str) -> None:  # type: ignore[no-untyped-def]
    user = staff(role)
    with pytest.raises(PermissionDeniedError):
        excel.enterprise_export_excel(user=user, query="衢州")
    event = AuditEvent.objects.get(action="enterprise.export")
    assert (event.outcome, event.actor_id) == (AuditOutcome.DENIED, user.pk)


@pytest.mark.django_db
def test_export_query_count_does_not_grow_with_rows(
    reference_data, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    from zqt.enterprises.models import Tag

    tag = Tag.objects.get(code="high_tech")
    for n in range(40):
        EnterpriseFactory(uscc=uscc(100 + n)).tags.add(tag)
    ops = staff(Role.OPERATIONS)
    ops.org_unit  # noqa: B018 (load the unit outside the counted block)
    with django_assert_max_num_queries(10):
        rows = _rows(excel.enterprise_export_excel(user=ops))
    assert len(rows) == 41


@pytest.mark.django_db
@pytest.mark.parametrize(("mode", "kept"), [("all_or_nothing", set()), ("good_rows", {1, 3})])
def test_a_write_that_fails_after_the_checks_is_reported(ops, monkeypatch, mode, kept) -> None:  # type: ignore[no-untyped-def]
    """E.g. another user registered the same USCC between our check and our insert."""
    from zqt.enterprises import services

    real_create = services.enterprise_create

    def racing_create(**kwargs: Any) -> Any:
        if kwargs["uscc"] == uscc(2):
            message = f"统一社会信用代码“{uscc(2)}”已存在"
            raise ValidationFailed(
                message, field="uscc", errors=[{"field": "uscc", "message": message}]
            )
        return real_create(**kwargs)

    monkeypatch.setattr(services, "enterprise_create", racing_create)
    content = xlsx([enterprise_row(1), enterprise_row(2), enterprise_row(3)])

    report = excel.enterprise_import_excel(user=ops, file=content, mode=mode)

    assert report.errors == [
        {"row": 3, "column": "统一社会信用代码", "message": f"统一社会信用代码“{uscc(2)}”已存在"}
    ]
    assert report.imported == len(kept) and report.failed == 1
    assert set(Enterprise.objects.values_list("uscc", flat=True)) == {uscc(n) for n in kept}
    assert AuditEvent.objects.get(action="enterprise.import").changes["imported"] == len(kept)
