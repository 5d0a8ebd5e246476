"""Excel export of the policy evaluation (openpyxl)."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook

POLICY_COLUMNS = [
    ("政策编号", lambda r: r["policy"].code),
    ("政策名称", lambda r: r["policy"].title),
    ("兑现方式", lambda r: r["policy"].mode_label),
    ("审核部门", lambda r: r["department"]),
    ("匹配企业数", lambda r: r["matched"]),
    ("已推送", lambda r: r["notified"]),
    ("已申报", lambda r: r["applied"]),
    ("已批准", lambda r: r["approved"]),
    ("已兑现", lambda r: r["paid"]),
    ("兑现金额（元）", lambda r: float(r["amount"])),
    ("申报/匹配比", lambda r: r["application_ratio"]),
    ("兑现率", lambda r: r["fulfilment_ratio"]),
    ("匹配到兑现中位天数", lambda r: r["median_days"]),
]
DEPARTMENT_COLUMNS = [
    "department", "policies", "matched", "notified", "applied", "approved", "paid", "amount",
    "application_ratio", "fulfilment_ratio",
]  # fmt: skip
DEPARTMENT_HEADERS = [
    "部门", "政策数", "匹配企业数", "已推送", "已申报", "已批准", "已兑现", "兑现金额（元）",
    "申报/匹配比", "兑现率",
]  # fmt: skip


def evaluation_workbook(rows: list[dict[str, Any]], departments: list[dict[str, Any]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "按政策"
    ws.append([name for name, _ in POLICY_COLUMNS])
    for r in rows:
        ws.append([get(r) for _, get in POLICY_COLUMNS])
    ws2 = wb.create_sheet("按部门")
    ws2.append(DEPARTMENT_HEADERS)
    for d in departments:
        ws2.append([float(d[k]) if k == "amount" else d[k] for k in DEPARTMENT_COLUMNS])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
