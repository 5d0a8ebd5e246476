"""四统一 (seed 004 事项四): a local catalog item must state the unified service item, the unit
that provides it, the scope it serves and how it is handled. Pure: no ORM."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext_noop

CHANNELS = ("online", "window", "terminal")
# Plain Chinese (Excel and aliases below); pages translate them ({% translate label %}).
CHANNEL_LABELS = {
    "online": gettext_noop("网上办"),
    "window": gettext_noop("窗口办"),
    "terminal": gettext_noop("自助终端办"),
}
_CHANNEL_ALIASES = {
    **{c: c for c in CHANNELS},
    **{label: code for code, label in CHANNEL_LABELS.items()},
    "网办": "online",
    "线上": "online",
    "窗口": "window",
    "线下": "window",
    "自助终端": "terminal",
    "自助机": "terminal",
}
_SPLIT = re.compile(r"[|,，、;；/\s]+")
LOCAL_CODE_RE = re.compile(r"^\d{4}-\d{6,9}-\d{2}$")


def channels_parse(value: Any) -> list[str]:
    """'网上办、窗口办' / 'online|window' / a list → canonical codes in CHANNELS order.

    Raises ValueError naming the unknown channel."""
    parts = value if isinstance(value, list | tuple) else _SPLIT.split(str(value or ""))
    found: set[str] = set()
    for raw in parts:
        text = str(raw).strip()
        if not text:
            continue
        code = _CHANNEL_ALIASES.get(text)
        if code is None:
            raise ValueError(f"未知的办理方式“{text}”（可选：网上办、窗口办、自助终端办）")
        found.add(code)
    return [c for c in CHANNELS if c in found]


def four_unified_errors(item: Mapping[str, Any]) -> list[dict[str, str]]:
    """What a catalog item lacks under 四统一, as [{"field", "message"}] (empty = compliant)."""
    errors: list[dict[str, str]] = []
    checks = (
        ("name", "统一服务事项：事项名称不能为空"),
        ("responsible_units", "统一服务机构：责任部门不能为空"),
        ("service_scope", "统一服务范围：服务范围不能为空"),
    )
    for field, message in checks:
        if not str(item.get(field) or "").strip():
            errors.append({"field": field, "message": message})
    channels = item.get("channels") or []
    if not channels:
        errors.append({"field": "channels", "message": "统一办理方式：至少选择一种办理方式"})
    elif any(c not in CHANNELS for c in channels):
        errors.append({"field": "channels", "message": "统一办理方式：办理方式不在可选范围内"})
    return errors


def local_code(*, base_code: str, org_unit_code: str, existing: Iterable[str]) -> str:
    """Next free local code under a provincial item or category: '0101-330802-01'.

    `base_code` is the provincial item code (4 digits) or a category code (2 digits, → 'cc00')."""
    base = base_code if len(base_code) == 4 else f"{base_code}00"
    prefix = f"{base}-{org_unit_code}-"
    used = {int(code[len(prefix) :]) for code in existing if code.startswith(prefix)}
    n = 1
    while n in used:
        n += 1
    if n > 99:
        raise ValueError("该事项下的本地事项已达上限（99 项）")
    return f"{prefix}{n:02d}"
