"""Excel export of a unit's catalog and import of its local items (openpyxl). Import is
all-or-nothing: every row is validated first; one bad row means nothing is written and every
problem is reported with its row number."""

from __future__ import annotations

import io
from typing import Any, BinaryIO

from django.db import transaction
from openpyxl import Workbook, load_workbook

from zqt.accounts.models import User
from zqt.catalog import selectors, services
from zqt.catalog.enums import ChangeAction
from zqt.catalog.models import CatalogItem
from zqt.catalog.rules import CHANNEL_LABELS, channels_parse, four_unified_errors
from zqt.core.errors import ValidationFailed

HEADERS = [
    "事项编码",
    "上级事项/分类",
    "一级分类",
    "服务事项",
    "服务简介",
    "责任部门",
    "服务范围",
    "办理方式",
    "办理时限（工作日）",
    "所需材料",
    "服务板块",
    "状态",
]
MAX_IMPORT_ROWS = 2000
MAX_IMPORT_BYTES = 5 * 1024 * 1024


def catalog_export_excel(*, user: Any) -> bytes:
    org_unit = selectors.manage_scope(user=user)
    target = org_unit
    boards = selectors.board_names()
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "服务清单"
    ws.append(HEADERS)
    for item in selectors.effective_items_for_unit(org_unit=target):
        ws.append(
            [
                item.code,
                item.extends.code if item.extends else item.category.code,
                f"{item.category.code} {item.category.name}",
                item.name,
                item.description,
                item.responsible_units,
                item.service_scope,
                "、".join(CHANNEL_LABELS.get(c, c) for c in item.channels),
                item.time_limit_days if item.time_limit_days is not None else "",
                "；".join(item.materials),
                boards.get(item.board_code, item.board_code),
                item.get_status_display(),
            ]
        )
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def catalog_import_excel(*, user: User, file: BinaryIO) -> dict[str, int]:
    """Rows with an empty 事项编码 create local items; rows with a local code of the user's
    unit update it. Provincial rows (4-digit codes) in an exported sheet are skipped."""
    org_unit = selectors.manage_scope(user=user)
    data = file.read(MAX_IMPORT_BYTES + 1)
    if len(data) > MAX_IMPORT_BYTES:
        raise ValidationFailed("文件过大（不超过 5 MB）", field="file")
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise ValidationFailed(
            "无法读取 Excel 文件，请使用导出的模板（.xlsx）", field="file"
        ) from None
    ws = wb.worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    if not rows or [str(c or "").strip() for c in rows[0][: len(HEADERS)]] != HEADERS:
        raise ValidationFailed("表头与模板不一致，请先导出模板再填写", field="file")
    body = rows[1:]
    if len(body) > MAX_IMPORT_ROWS:
        raise ValidationFailed(f"一次最多导入 {MAX_IMPORT_ROWS} 行", field="file")
    errors: list[dict[str, Any]] = []
    plans: list[tuple[str, str, dict[str, Any]]] = []
    for number, row in enumerate(body, start=2):
        cells = [("" if c is None else str(c).strip()) for c in row[: len(HEADERS)]]
        cells += [""] * (len(HEADERS) - len(cells))
        if not any(cells):
            continue
        code, base = cells[0], cells[1]
        if code and len(code) == 4:
            continue  # provincial guide row, managed at province level
        record: dict[str, Any] = {
            "name": cells[3],
            "description": cells[4],
            "responsible_units": cells[5],
            "service_scope": cells[6],
            "channels": cells[7],
            "time_limit_days": cells[8],
            "materials": cells[9].replace("；", "\n"),
        }
        try:
            record["channels"] = channels_parse(record["channels"])
        except ValueError as exc:
            errors.append({"field": "channels", "row": number, "message": f"第{number}行：{exc}"})
            continue
        for e in four_unified_errors(record):
            errors.append({**e, "row": number, "message": f"第{number}行：{e['message']}"})
        if code:
            assert org_unit is not None
            if not CatalogItem.objects.filter(code=code, org_unit=org_unit).exists():
                errors.append(
                    {
                        "field": "code",
                        "row": number,
                        "message": f"第{number}行：事项编码“{code}”不属于本级清单",
                    }
                )
        elif not base:
            errors.append(
                {
                    "field": "base_code",
                    "row": number,
                    "message": f"第{number}行：请填写上级事项/分类",
                }
            )
        plans.append((code, base, record))
    if errors:
        raise ValidationFailed(errors[0]["message"], field=errors[0]["field"], errors=errors)
    created = updated = 0
    with transaction.atomic():
        for code, base, record in plans:
            if code:
                services.catalog_item_update(user=user, code=code, data=record)
                updated += 1
            else:
                services.catalog_item_create(user=user, base_code=base, **record)
                created += 1
        services._record(
            actor=user,
            item=None,
            org_unit=org_unit,
            action=ChangeAction.IMPORT,
            changes={"created": created, "updated": updated},
            code="import",
        )
    return {"created": created, "updated": updated}
