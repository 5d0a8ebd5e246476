"""Excel (.xlsx) import and export of enterprises and licences, with openpyxl.

Import (`enterprise_import_excel`, `licence_import_excel`):

1. the file is checked before anything else: not empty, at most MAX_FILE_BYTES, really an .xlsx
   (a zip holding xl/workbook.xml that openpyxl can open; CSV, PDF, old .xls renamed and random
   bytes get one Chinese error), at most MAX_ROWS data rows, and its header row matches the fixed
   column layout (one error naming the missing and unknown headers). Any of these raises
   ValidationFailed and nothing is written;
2. every row is read cell by cell (only what is Excel-specific: date cells, codes stored as
   numbers, blanks) and checked with the registry's own validators (`services.enterprise_validate`,
   `services.licence_validate`: choice labels, formats, reference codes), plus duplicates inside
   the file and against the database and the user's region scope. Problems are collected per
   row as {"row": Excel row number, "column": Chinese header, "message": Chinese message};
3. "all_or_nothing": if any row has a problem nothing is written and the report lists them all;
   otherwise every row is written through the registry's services (enterprise_create with
   audit=False, licence_create), each in a savepoint, inside one transaction that also holds the
   one audit event of the import ("enterprise.import" / "licence.import", with the counts). A
   write that still fails (e.g. a concurrent registration) rolls everything back.
   "good_rows": the rows without problems are written the same way, the others are reported.

Export (`enterprise_export_excel`) streams the user's region-scoped search result into a
write-only workbook, masking the legal representative's ID number unless the role may see it.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, Any, Literal

from django.db import transaction
from django.db.models import TextChoices
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from zqt.accounts.models import OrgUnit, User
from zqt.accounts.permissions import role_can
from zqt.accounts.selectors import user_scope_prefix
from zqt.audit.models import AuditOutcome
from zqt.audit.services import audit_record
from zqt.core.errors import DomainError, PermissionDeniedError, ValidationFailed
from zqt.core.identifiers import mask_id_number, mask_name
from zqt.core.timeutil import local_today
from zqt.enterprises import selectors, services
from zqt.enterprises.enums import (
    EnterpriseStatus,
    EntityType,
    LicenceStatus,
    LifecycleStage,
    Scale,
)
from zqt.enterprises.models import Enterprise, Industry

ImportMode = Literal["all_or_nothing", "good_rows"]
ALL_OR_NOTHING: ImportMode = "all_or_nothing"
GOOD_ROWS: ImportMode = "good_rows"
IMPORT_MODES: list[tuple[str, str]] = [
    (ALL_OR_NOTHING, "全部正确才导入（任一行有错误则不导入任何数据）"),
    (GOOD_ROWS, "导入正确的行（有错误的行不导入，并列出错误）"),
]

MAX_FILE_BYTES = 10 * 1024 * 1024
# A 10 MB zip can inflate to gigabytes; refuse workbooks whose parts inflate beyond this.
MAX_UNCOMPRESSED_BYTES = 300 * 1024 * 1024
# Rows go through the same services as single registrations (validation, scope, tags, audit):
# measured ~280 rows/s on SQLite, so 10,000 rows finish within a request of about 40 s.
# Larger batches belong to the data-sharing interface (API) or several files.
MAX_ROWS = 10_000
# The report lists at most this many row errors (the counts stay exact).
MAX_REPORTED_ERRORS = 1_000

NOT_EXCEL_MESSAGE = "文件不是有效的 Excel（.xlsx）文件。"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

ENTERPRISE_SHEET = "市场主体"
LICENCE_SHEET = "证照"
INSTRUCTIONS_SHEET = "填写说明"

CellKind = Literal["text", "code", "industry", "decimal", "integer", "date", "choice", "tags"]


@dataclass(frozen=True)
class Column:
    """One column of an import layout: its Chinese header, the service argument it fills, how a
    cell is read, and what the template shows."""

    header: str
    field: str
    kind: CellKind = "text"
    required: bool = True
    choices: type[TextChoices] | None = None
    example: Any = ""
    note: str = ""
    width: int = 16


@dataclass
class ImportReport:
    """What an import did. `errors` are {"row", "column", "message"} dicts, ordered by row."""

    mode: str
    total: int = 0
    imported: int = 0
    failed: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    errors_truncated: bool = False

    @property
    def ok(self) -> bool:
        return self.failed == 0


ENTERPRISE_COLUMNS: tuple[Column, ...] = (
    Column(
        "统一社会信用代码",
        "uscc",
        "code",
        example="91330802MA2H7K3Q0Y",
        note="18位，按 GB 32100 校验",
        width=22,
    ),
    Column("企业名称", "name", example="衢州示例科技有限公司", width=28),
    Column("主体类型", "entity_type", "choice", choices=EntityType, example="有限责任公司"),
    Column(
        "登记状态",
        "status",
        "choice",
        required=False,
        choices=EnterpriseStatus,
        example="存续",
        note="不填默认为存续",
    ),
    Column("法定代表人", "legal_rep_name", example="张三"),
    Column(
        "法定代表人身份证号",
        "legal_rep_id_number",
        "code",
        example="330802198001010016",
        note="18位，请设置为文本格式",
        width=22,
    ),
    Column("注册资本（万元）", "registered_capital", "decimal", example=500),
    Column("成立日期", "founded_on", "date", example=dt.date(2015, 6, 1), note="如 2015-06-01"),
    Column("住所", "address", example="浙江省衢州市柯城区示例路1号", width=32),
    Column("所属区划代码", "region_code", "code", example="330802", note="GB/T 2260 行政区划代码"),
    Column(
        "行业代码",
        "industry_code",
        "industry",
        example="39",
        note="GB/T 4754-2017 门类或大类代码",
    ),
    Column("从业人数", "employees", "integer", required=False, example=50, note="不填为0"),
    Column("营业收入（万元）", "revenue", "decimal", required=False, example=3000, note="不填为0"),
    Column("研发投入（万元）", "rd_spend", "decimal", required=False, example=120, note="不填为0"),
    Column("企业规模", "scale", "choice", choices=Scale, example="小型"),
    Column("生命周期阶段", "lifecycle_stage", "choice", choices=LifecycleStage, example="发展"),
    Column("联系电话", "phone", "code", required=False, example="0570-1234567"),
    Column(
        "标签",
        "tags",
        "tags",
        required=False,
        example="高新技术企业、专精特新",
        note="多个标签用“、”或“;”分隔",
        width=24,
    ),
)

LICENCE_COLUMNS: tuple[Column, ...] = (
    Column(
        "统一社会信用代码",
        "uscc",
        "code",
        example="91330802MA2H7K3Q0Y",
        note="持证的市场主体（须已登记）",
        width=22,
    ),
    Column("证照类型", "licence_type", example="食品经营许可证", width=22),
    Column("证照编号", "number", "code", example="JY13308020000001", width=22),
    Column("发证机关", "issuer", example="衢州市柯城区市场监督管理局", width=28),
    Column("发证日期", "issued_on", "date", example=dt.date(2022, 1, 1), note="如 2022-01-01"),
    Column(
        "有效期至",
        "expires_on",
        "date",
        required=False,
        example=dt.date(2027, 1, 1),
        note="长期有效的不填",
    ),
    Column(
        "状态",
        "status",
        "choice",
        required=False,
        choices=LicenceStatus,
        example="有效",
        note="不填默认为有效",
    ),
)

# Columns the export adds for people; an exported file can be imported again, these are ignored.
INFORMATIONAL_HEADERS = frozenset({"所属区划名称", "行业名称"})


# --- reading the file ----------------------------------------------------------------------


class _CellError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _read_bytes(file: IO[bytes] | bytes) -> bytes:
    if isinstance(file, bytes | bytearray | memoryview):
        data = bytes(file)
    else:
        size = getattr(file, "size", None)
        if isinstance(size, int) and size > MAX_FILE_BYTES:
            raise _too_big()
        if hasattr(file, "seek"):
            try:
                file.seek(0)
            except (OSError, ValueError):
                pass
        data = file.read(MAX_FILE_BYTES + 1)
    if not data:
        raise ValidationFailed(
            "文件为空，请选择填写好的 Excel（.xlsx）文件。", field="file", code="empty_file"
        )
    if len(data) > MAX_FILE_BYTES:
        raise _too_big()
    return data


def _too_big() -> ValidationFailed:
    return ValidationFailed(
        f"文件超过 {MAX_FILE_BYTES // (1024 * 1024)} MB 上限，请拆分后分批导入。",
        field="file",
        code="file_too_large",
    )


def _not_excel(hint: str = "") -> ValidationFailed:
    return ValidationFailed(NOT_EXCEL_MESSAGE + hint, field="file", code="not_excel")


def _open_workbook(data: bytes) -> Any:
    """The workbook (read-only mode), or ValidationFailed for anything that is not an .xlsx."""
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        # OLE2: an old .xls (or an encrypted workbook) — openpyxl reads neither.
        raise _not_excel("请在 Excel 中“另存为” .xlsx 格式后再上传。")
    if not data.startswith(b"PK"):
        raise _not_excel()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            inflated = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise _not_excel() from exc
    if "xl/workbook.xml" not in names:  # a .docx, .zip, ... renamed
        raise _not_excel()
    if inflated > MAX_UNCOMPRESSED_BYTES:
        raise _too_big()
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken package
        raise _not_excel() from exc


def _sheet(workbook: Any, preferred: str) -> Any:
    if preferred in workbook.sheetnames:
        return workbook[preferred]
    if not workbook.sheetnames:
        raise _not_excel()
    return workbook.worksheets[0]


def _normalise_header(value: Any) -> str:
    text = "" if value is None else str(value)
    text = text.replace("(", "（").replace(")", "）")
    return re.sub(r"\s+", "", text.replace("\u3000", " "))


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip(" \t\r\n\u3000"))


def _match_header(header_row: Sequence[Any], columns: Sequence[Column]) -> dict[int, Column]:
    """Map cell positions to columns, or raise one ValidationFailed naming every problem."""
    by_header = {_normalise_header(col.header): col for col in columns}
    positions: dict[int, Column] = {}
    seen: dict[str, int] = {}
    unknown: list[str] = []
    repeated: list[str] = []
    for index, raw in enumerate(header_row):
        header = _normalise_header(raw)
        if not header or header in INFORMATIONAL_HEADERS:
            continue
        col = by_header.get(header)
        if col is None:
            unknown.append(str(raw).strip())
            continue
        if col.header in seen:
            repeated.append(col.header)
            continue
        seen[col.header] = index
        positions[index] = col
    missing = [col.header for col in columns if col.required and col.header not in seen]
    if missing or unknown or repeated:
        parts: list[str] = []
        errors: list[dict[str, Any]] = []
        if missing:
            parts.append("缺少列：" + "、".join(f"「{h}」" for h in missing))
            errors += [{"row": 1, "column": h, "message": "缺少此列。"} for h in missing]
        if unknown:
            parts.append("无法识别的列：" + "、".join(f"「{h}」" for h in unknown))
            errors += [{"row": 1, "column": h, "message": "无法识别的列名。"} for h in unknown]
        if repeated:
            parts.append("重复的列：" + "、".join(f"「{h}」" for h in repeated))
            errors += [{"row": 1, "column": h, "message": "列名重复。"} for h in repeated]
        expected = "、".join(col.header for col in columns)
        raise ValidationFailed(
            f"表头与导入模板不一致（{'；'.join(parts)}）。第1行应为以下列：{expected}。"
            "请下载导入模板后按列填写。",
            field="file",
            code="bad_columns",
            errors=errors,
        )
    return positions


@dataclass
class _Row:
    number: int  # Excel row number
    values: dict[str, Any]
    errors: list[dict[str, Any]] = field(default_factory=list)


def _read_rows(
    data: bytes, *, sheet: str, columns: Sequence[Column]
) -> Iterator[tuple[int, dict[Column, Any]]]:
    """(Excel row number, {column: raw cell value}) for every non-blank data row.

    Raises ValidationFailed for a non-Excel file, a bad header row or too many rows.
    """
    workbook = _open_workbook(data)
    try:
        worksheet = _sheet(workbook, sheet)
        rows = worksheet.iter_rows(values_only=True)
        try:
            header_row = next(rows, None)
        except Exception as exc:  # malformed sheet XML
            raise _not_excel() from exc
        if header_row is None or all(_is_blank(v) for v in header_row):
            raise ValidationFailed(
                "文件中没有表头和数据。请下载导入模板，在第1行保留表头、从第2行起填写数据。",
                field="file",
                code="empty_file",
            )
        positions = _match_header(header_row, columns)
        count = 0
        number = 1
        while True:
            try:
                raw = next(rows, None)
            except Exception as exc:
                raise _not_excel() from exc
            if raw is None:
                break
            number += 1
            cells = {col: (raw[i] if i < len(raw) else None) for i, col in positions.items()}
            if all(_is_blank(v) for v in cells.values()):
                continue
            count += 1
            if count > MAX_ROWS:
                raise ValidationFailed(
                    f"数据超过 {MAX_ROWS} 行上限，请拆分为多个文件分批导入。",
                    field="file",
                    code="too_many_rows",
                )
            yield number, cells
    finally:
        workbook.close()


# --- reading one cell ----------------------------------------------------------------------
#
# Only what is specific to Excel happens here (numbers stored for codes, date cells, blanks);
# the rules — formats, choices given as labels, ranges, reference codes, duplicates — are the
# registry's (services.enterprise_validate / licence_validate), so a row is accepted exactly
# when the form or the API would accept it.


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return str(value).strip(" \t\r\n\u3000")


def _cell_value(col: Column, value: Any) -> Any:
    """The cell as the service expects it. Raises _CellError for what only Excel can get wrong."""
    if col.kind in ("code", "industry"):
        if isinstance(value, float) and (not value.is_integer() or abs(value) >= 1e15):
            # Excel keeps 15 significant digits: an 18-character code typed as a number is
            # already damaged, so ask for the text format instead of guessing.
            raise _CellError(
                f"「{col.header}」被 Excel 存成了数字，末位可能已丢失，"
                "请将该列设置为文本格式后重新填写。"
            )
        if col.kind == "industry" and isinstance(value, int | float):
            return f"{int(value):02d}"  # divisions are two digits: 1 → "01"
        return _text(value).upper() if col.field == "uscc" else _text(value)
    if col.kind == "date":
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        return _text(value)  # "2015-06-01", "2015/6/1", "2015年6月1日", 20150601
    if col.kind in ("decimal", "integer"):
        return value.strip() if isinstance(value, str) else value
    return _text(value)


def _parse_row(number: int, cells: dict[Column, Any]) -> _Row:
    """The row's non-blank cells by service field; blanks are left out, so the service applies
    its defaults and its "不能为空" rule."""
    row = _Row(number=number, values={})
    for col, raw in cells.items():
        if _is_blank(raw):
            continue
        try:
            row.values[col.field] = _cell_value(col, raw)
        except _CellError as exc:
            row.errors.append({"row": number, "column": col.header, "message": exc.message})
    return row


def _error_fields(row: _Row, columns: Sequence[Column]) -> set[str]:
    headers = {col.header: col.field for col in columns}
    return {headers.get(err["column"], "") for err in row.errors}


def _domain_errors(
    exc: DomainError, *, number: int, columns: Sequence[Column], skip_fields: set[str]
) -> list[dict[str, Any]]:
    """A service's error as report rows; fields that already have a cell error are left out."""
    headers = {col.field: col.header for col in columns}
    items = exc.errors or [{"field": exc.field, "message": exc.message}]
    out: list[dict[str, Any]] = []
    for item in items:
        fld = item.get("field") or ""
        if fld in skip_fields:
            continue
        out.append(
            {"row": number, "column": headers.get(fld, ""), "message": str(item.get("message"))}
        )
    return out


def _flag_duplicates(
    rows: list[_Row], *, key: Callable[[_Row], Any], column: str, what: str
) -> None:
    """Every row whose key occurs more than once in the file gets an error naming the others:
    which copy is right is the importer's call, not ours."""
    groups: dict[Any, list[_Row]] = defaultdict(list)
    for row in rows:
        value = key(row)
        if value:
            groups[value].append(row)
    for group in groups.values():
        if len(group) < 2:
            continue
        for row in group:
            others = "、".join(str(other.number) for other in group if other is not row)
            row.errors.append(
                {
                    "row": row.number,
                    "column": column,
                    "message": f"{what}与文件中第 {others} 行重复。",
                }
            )


# --- import --------------------------------------------------------------------------------


def _require_import(user: User, *, action: str, ip_address: str | None) -> None:
    if not role_can(getattr(user, "role", "") or "", "enterprise.import"):
        audit_record(
            actor=user,
            action=action,
            object_type="enterprise",
            outcome=AuditOutcome.DENIED,
            ip_address=ip_address,
        )
        raise PermissionDeniedError("您没有批量导入的权限。", code="forbidden")


def _check_mode(mode: str) -> None:
    if mode not in (ALL_OR_NOTHING, GOOD_ROWS):
        raise ValidationFailed(
            "导入方式只能是“全部正确才导入”或“导入正确的行”。", field="mode", code="invalid"
        )


def _file_name(file: Any) -> str:
    return str(getattr(file, "name", "") or "")[:200]


def _run_import(
    *,
    user: User,
    mode: ImportMode,
    rows: list[_Row],
    columns: Sequence[Column],
    write: Callable[[_Row], Any],
    action: str,
    object_type: str,
    file_name: str,
    ip_address: str | None,
) -> ImportReport:
    """Write the rows without errors, each in a savepoint, inside one transaction with the
    audit event; all_or_nothing rolls everything back when any row fails.

    The checks before (the services' validators) are the same rules the writes apply, so in
    all_or_nothing mode a file with a bad row is not written at all; a write can still fail
    (e.g. a concurrent registration of the same USCC), which is reported like any other row
    error and, in all_or_nothing mode, undoes the rows written before it."""
    report = ImportReport(mode=mode, total=len(rows))
    kept = True
    checks_failed = any(row.errors for row in rows)
    with transaction.atomic():
        for row in rows:
            if row.errors or (mode == ALL_OR_NOTHING and checks_failed):
                continue
            try:
                with transaction.atomic():
                    write(row)
            except DomainError as exc:
                row.errors.extend(
                    _domain_errors(exc, number=row.number, columns=columns, skip_fields=set())
                )
            else:
                report.imported += 1
        report.failed = sum(1 for r in rows if r.errors)
        if mode == ALL_OR_NOTHING and report.failed:
            report.imported = 0
            kept = False
            transaction.set_rollback(True)
        else:
            _audit_import(
                user,
                report,
                action=action,
                object_type=object_type,
                file_name=file_name,
                ip_address=ip_address,
            )
    if not kept:
        with transaction.atomic():
            _audit_import(
                user,
                report,
                action=action,
                object_type=object_type,
                file_name=file_name,
                ip_address=ip_address,
            )
    order = {col.header: index for index, col in enumerate(columns)}
    errors = [
        err
        for row in rows
        for err in sorted(row.errors, key=lambda e: order.get(e["column"], len(order)))
    ]
    report.errors_truncated = len(errors) > MAX_REPORTED_ERRORS
    report.errors = errors[:MAX_REPORTED_ERRORS]
    return report


def _audit_import(
    user: User,
    report: ImportReport,
    *,
    action: str,
    object_type: str,
    file_name: str,
    ip_address: str | None,
) -> None:
    audit_record(
        actor=user,
        action=action,
        object_type=object_type,
        purpose="批量导入",
        changes={
            "mode": report.mode,
            "file": file_name,
            "total": report.total,
            "imported": report.imported,
            "failed": report.failed,
        },
        ip_address=ip_address,
    )


def enterprise_import_excel(
    *,
    user: User,
    file: IO[bytes] | bytes,
    mode: ImportMode,
    ip_address: str | None = None,
) -> ImportReport:
    """Import enterprises from the template layout (ENTERPRISE_COLUMNS).

    Requires capability enterprise.import (PermissionDeniedError otherwise, audited); each row
    is also subject to enterprise_create's rules (enterprise.create, region within the user's
    org unit). Raises ValidationFailed (nothing written) for an unknown mode, an empty, too large
    or non-.xlsx file, wrong columns, no data rows or more than MAX_ROWS rows; otherwise returns
    the report (see the module docstring for the modes).
    """
    _require_import(user, action="enterprise.import", ip_address=ip_address)
    _check_mode(mode)
    data = _read_bytes(file)
    columns = ENTERPRISE_COLUMNS
    headers = {col.field: col.header for col in columns}
    rows = [
        _parse_row(number, cells)
        for number, cells in _read_rows(data, sheet=ENTERPRISE_SHEET, columns=columns)
    ]
    _require_rows(rows)

    _flag_duplicates(
        rows, key=lambda r: r.values.get("uscc"), column=headers["uscc"], what="统一社会信用代码"
    )
    existing = _existing_usccs({str(r.values.get("uscc") or "") for r in rows})
    refs = services.reference_codes_load()
    prefix = user_scope_prefix(user)
    today = local_today()
    cleaned: dict[int, dict[str, Any]] = {}
    for row in rows:
        skip = _error_fields(row, columns)
        uscc = row.values.get("uscc")
        if uscc and uscc in existing and "uscc" not in skip:
            row.errors.append(
                {
                    "row": row.number,
                    "column": headers["uscc"],
                    "message": f"统一社会信用代码“{uscc}”已登记，不能重复导入。",
                }
            )
        region = row.values.get("region_code")
        if region in refs.region_codes and (prefix is None or not region.startswith(prefix)):
            row.errors.append(
                {
                    "row": row.number,
                    "column": headers["region_code"],
                    "message": f"所属区划代码“{region}”不在您的管辖范围内。",
                }
            )
        try:
            cleaned[row.number] = services.enterprise_validate(
                data={k: v for k, v in row.values.items() if k not in skip},
                refs=refs,
                check_duplicate=False,  # checked for the whole file above, in bulk
                today=today,
            )
        except DomainError as exc:
            row.errors.extend(
                _domain_errors(exc, number=row.number, columns=columns, skip_fields=skip)
            )

    def write(row: _Row) -> None:
        services.enterprise_create(
            user=user, audit=False, refs=refs, ip_address=ip_address, **cleaned[row.number]
        )

    return _run_import(
        user=user,
        mode=mode,
        rows=rows,
        columns=columns,
        write=write,
        action="enterprise.import",
        object_type="enterprise",
        file_name=_file_name(file),
        ip_address=ip_address,
    )


def licence_import_excel(
    *,
    user: User,
    file: IO[bytes] | bytes,
    mode: ImportMode,
    ip_address: str | None = None,
) -> ImportReport:
    """Import licences from the template layout (LICENCE_COLUMNS) for enterprises already
    registered within the user's scope. Same refusals and modes as enterprise_import_excel;
    each row is written by licence_create (licence.manage)."""
    _require_import(user, action="licence.import", ip_address=ip_address)
    _check_mode(mode)
    data = _read_bytes(file)
    columns = LICENCE_COLUMNS
    headers = {col.field: col.header for col in columns}
    rows = [
        _parse_row(number, cells)
        for number, cells in _read_rows(data, sheet=LICENCE_SHEET, columns=columns)
    ]
    _require_rows(rows)

    def licence_key(row: _Row) -> tuple[str, str] | None:
        kind, number = row.values.get("licence_type"), row.values.get("number")
        return (str(kind), str(number)) if kind and number else None

    _flag_duplicates(rows, key=licence_key, column=headers["number"], what="证照类型和编号")
    visible = _visible_usccs(user, {str(r.values.get("uscc") or "") for r in rows} - {""})
    today = local_today()
    cleaned: dict[int, dict[str, Any]] = {}
    for row in rows:
        skip = _error_fields(row, columns)
        uscc = row.values.get("uscc")
        if "uscc" not in skip and not uscc:
            row.errors.append(
                {
                    "row": row.number,
                    "column": headers["uscc"],
                    "message": "统一社会信用代码不能为空",
                }
            )
        elif uscc and uscc not in visible:
            row.errors.append(
                {
                    "row": row.number,
                    "column": headers["uscc"],
                    "message": f"未找到统一社会信用代码“{uscc}”对应的市场主体，"
                    "或其不在您的管辖范围内。",
                }
            )
        try:
            cleaned[row.number] = services.licence_validate(
                data={k: v for k, v in row.values.items() if k != "uscc" and k not in skip},
                today=today,
            )
        except DomainError as exc:
            row.errors.extend(
                _domain_errors(exc, number=row.number, columns=columns, skip_fields=skip)
            )

    def write(row: _Row) -> None:
        services.licence_create(
            user=user,
            uscc=str(row.values["uscc"]),
            ip_address=ip_address,
            **cleaned[row.number],
        )

    return _run_import(
        user=user,
        mode=mode,
        rows=rows,
        columns=columns,
        write=write,
        action="licence.import",
        object_type="licence",
        file_name=_file_name(file),
        ip_address=ip_address,
    )


def _require_rows(rows: list[_Row]) -> None:
    if not rows:
        raise ValidationFailed(
            "文件中没有数据行：请从第2行起填写要导入的数据。", field="file", code="empty_file"
        )


def _chunks(items: Iterable[Any], size: int = 1000) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _existing_usccs(usccs: set[str]) -> set[str]:
    found: set[str] = set()
    for chunk in _chunks(sorted(u for u in usccs if u)):
        found.update(Enterprise.objects.filter(uscc__in=chunk).values_list("uscc", flat=True))
    return found


def _visible_usccs(user: User, usccs: set[str]) -> set[str]:
    visible: set[str] = set()
    scoped = selectors.enterprise_queryset_for_user(user=user)
    for chunk in _chunks(sorted(usccs)):
        visible.update(scoped.filter(uscc__in=chunk).values_list("uscc", flat=True))
    return visible


# --- templates -----------------------------------------------------------------------------

_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="1F5FA8")
_OPTIONAL_FILL = PatternFill("solid", fgColor="6B8FBF")


def _template(columns: Sequence[Column], *, sheet: str, kind: str) -> bytes:
    workbook = Workbook()
    ws = workbook.active
    assert ws is not None
    ws.title = sheet
    for index, col in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=index, value=col.header)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL if col.required else _OPTIONAL_FILL
        cell.alignment = Alignment(horizontal="center")
        dimension = ws.column_dimensions[get_column_letter(index)]
        dimension.width = col.width
        # A column style applies to every cell typed into the column: text for codes (leading
        # zeros and all 18 characters kept), a date format for dates.
        if col.kind in ("code", "industry", "text", "choice", "tags"):
            dimension.number_format = "@"
        elif col.kind == "date":
            dimension.number_format = "yyyy-mm-dd"
    ws.freeze_panes = "A2"

    notes = workbook.create_sheet(INSTRUCTIONS_SHEET)
    notes.append(["列名", "是否必填", "填写说明", "示例"])
    for cell in notes[1]:
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
    for col in columns:
        note = col.note
        if col.choices is not None:
            note = (
                (note + "；" if note else "")
                + "可选："
                + "、".join(str(label) for _v, label in col.choices.choices)
            )
        example = col.example.isoformat() if isinstance(col.example, dt.date) else col.example
        notes.append([col.header, "必填" if col.required else "选填", note, str(example)])
    notes.append([])
    notes.append(
        [
            f"说明：第1行为表头，请勿修改；从第2行起每行一条{kind}，最多 {MAX_ROWS} 行，"
            f"文件不超过 {MAX_FILE_BYTES // (1024 * 1024)} MB。"
        ]
    )
    notes.append(
        [
            "导入方式：“全部正确才导入”在任一行有错误时不写入任何数据；"
            "“导入正确的行”只写入正确的行，并列出错误行的行号、列名和原因。"
        ]
    )
    for letter, width in (("A", 22), ("B", 10), ("C", 60), ("D", 30)):
        notes.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def enterprise_import_template() -> bytes:
    """The enterprise import workbook: a header row (required columns darker) and a sheet
    explaining each column. Needs no permission: it holds no data."""
    return _template(ENTERPRISE_COLUMNS, sheet=ENTERPRISE_SHEET, kind="市场主体")


def licence_import_template() -> bytes:
    return _template(LICENCE_COLUMNS, sheet=LICENCE_SHEET, kind="证照")


# --- export --------------------------------------------------------------------------------

EXPORT_HEADERS: tuple[str, ...] = (
    "统一社会信用代码",
    "企业名称",
    "主体类型",
    "登记状态",
    "法定代表人",
    "法定代表人身份证号",
    "注册资本（万元）",
    "成立日期",
    "住所",
    "所属区划代码",
    "所属区划名称",
    "行业代码",
    "行业名称",
    "从业人数",
    "营业收入（万元）",
    "研发投入（万元）",
    "企业规模",
    "生命周期阶段",
    "联系电话",
    "标签",
)
EXPORT_CHUNK = 2000


def enterprise_export_excel(
    *,
    user: User,
    query: str = "",
    region_code: str | None = None,
    industry_code: str | None = None,
    status: str | None = None,
    tag: str | None = None,
    limit: int = 100_000,
    ip_address: str | None = None,
) -> bytes:
    """The search result (same filters and region scope as the staff search) as an .xlsx.

    Requires capability enterprise.export (PermissionDeniedError otherwise, audited). Streams
    the rows in chunks into a write-only workbook, so memory stays bounded by the file being
    built. More than `limit` matching rows raises ValidationFailed (narrow the filters). The
    legal representative's name and ID number are masked, as on the search page, unless the
    role has enterprise.view_sensitive.
    """
    role = getattr(user, "role", "") or ""
    filters: dict[str, str | None] = {
        "query": query,
        "region_code": region_code,
        "industry_code": industry_code,
        "status": status,
        "tag": tag,
    }
    if not role_can(role, "enterprise.export"):
        audit_record(
            actor=user,
            action="enterprise.export",
            object_type="enterprise",
            outcome=AuditOutcome.DENIED,
            changes={"filters": filters},
            ip_address=ip_address,
        )
        raise PermissionDeniedError("您没有导出市场主体数据的权限。", code="forbidden")
    show_id = role_can(role, "enterprise.view_sensitive")
    # The staff search's own queryset: same scope, filters and order as the result on screen.
    qs = selectors.enterprise_search_queryset(
        user=user,
        query=query,
        region_code=region_code,
        industry_code=industry_code,
        status=status,
        tag=tag,
    )
    if qs[: limit + 1].count() > limit:
        raise ValidationFailed(
            f"符合条件的市场主体超过 {limit} 家，请增加筛选条件后分批导出。",
            field="query",
            code="too_many_rows",
        )
    regions = dict(OrgUnit.objects.values_list("code", "name"))
    industries = dict(Industry.objects.values_list("code", "name"))
    entity_types = dict(EntityType.choices)
    statuses = dict(EnterpriseStatus.choices)
    scales = dict(Scale.choices)
    stages = dict(LifecycleStage.choices)

    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet(ENTERPRISE_SHEET)
    widths = [22, 30, 14, 10, 12, 22, 14, 12, 36, 12, 14, 10, 24, 10, 14, 14, 10, 12, 16, 24]
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "A2"
    header_cells = []
    for header in EXPORT_HEADERS:
        cell = WriteOnlyCell(ws, value=header)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        header_cells.append(cell)
    ws.append(header_cells)

    def date_cell(value: dt.date) -> WriteOnlyCell:
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell

    count = 0
    rows = qs.prefetch_related("tags")[:limit]
    for ent in rows.iterator(chunk_size=EXPORT_CHUNK):
        if show_id:
            rep_name, id_number = ent.legal_rep_name, ent.legal_rep_id_number
        else:  # as on the search page the rows come from
            rep_name = mask_name(ent.legal_rep_name)
            id_number = mask_id_number(ent.legal_rep_id_number)
        ws.append(
            [
                ent.uscc,
                ent.name,
                str(entity_types.get(ent.entity_type, ent.entity_type)),
                str(statuses.get(ent.status, ent.status)),
                rep_name,
                id_number,
                ent.registered_capital,
                date_cell(ent.founded_on),
                ent.address,
                ent.region_code,
                regions.get(ent.region_code, ""),
                ent.industry_code,
                industries.get(ent.industry_code, ""),
                ent.employees,
                ent.revenue,
                ent.rd_spend,
                str(scales.get(ent.scale, ent.scale)),
                str(stages.get(ent.lifecycle_stage, ent.lifecycle_stage)),
                ent.phone,
                "、".join(t.name for t in ent.tags.all()),
            ]
        )
        count += 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    with transaction.atomic():
        audit_record(
            actor=user,
            action="enterprise.export",
            object_type="enterprise",
            purpose="导出查询结果",
            changes={"filters": filters, "rows": count, "id_numbers_masked": not show_id},
            ip_address=ip_address,
        )
    return buffer.getvalue()
