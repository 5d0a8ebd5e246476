"""A bundle's joint-handling definition (items, fields, materials, departments, deadlines) is
data: a JSON document validated here, and the ONE form of a case is computed here from the
items the enterprise ticked. Pure: no ORM.

Document shape::

    {"fields":    [{"key", "label", "type": text|textarea|date|number|choice|phone,
                    "required": bool, "prefill": "<registry field>"?, "choices": [..]?}],
     "materials": [{"key", "label", "types": ["pdf", "jpg", "png"], "max_mb": int,
                    "commitment_allowed": bool?}],
     "items":     [{"code", "name", "department", "department_name", "deadline_days": int,
                    "fields": [keys], "materials": [keys], "result": str,
                    "default": bool?, "effect": "suspend"|"deregister"?}],
     "commitment_verify_days": int?}
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

FIELD_TYPES = ("text", "textarea", "date", "number", "choice", "phone")
FILE_TYPES = ("pdf", "jpg", "png", "ofd")
EFFECTS = ("suspend", "deregister")
# What a field may be pre-filled from (keys of enterprises.selectors.enterprise_detail).
PREFILL_SOURCES = (
    "name",
    "uscc",
    "address",
    "phone",
    "registered_capital",
    "employees",
    "industry_name",
    "region_name",
    "entity_type_label",
    "founded_on",
)
MAX_FILE_MB = 20
_KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_PHONE_RE = re.compile(r"^[0-9+\-() ]{5,20}$")


class DefinitionError(ValueError):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("；".join(errors))
        self.errors = errors


def definition_errors(doc: Any) -> list[str]:
    """Every structural problem of a definition document, in Chinese (empty = valid)."""
    if not isinstance(doc, Mapping):
        return ["定义必须是 JSON 对象"]
    errors: list[str] = []
    fields = doc.get("fields")
    materials = doc.get("materials")
    items = doc.get("items")
    if not isinstance(fields, list) or not isinstance(materials, list):
        return ["定义必须包含 fields 与 materials 列表"]
    if not isinstance(items, list) or not items:
        return ["定义至少包含一个办理事项（items）"]
    field_keys: set[str] = set()
    for f in fields:
        key = str(f.get("key", "")) if isinstance(f, Mapping) else ""
        if not _KEY_RE.match(key):
            errors.append(f"字段键“{key}”不合法（小写字母开头，字母数字下划线）")
            continue
        if key in field_keys:
            errors.append(f"字段键“{key}”重复")
        field_keys.add(key)
        if not str(f.get("label", "")).strip():
            errors.append(f"字段“{key}”缺少名称")
        if f.get("type", "text") not in FIELD_TYPES:
            errors.append(f"字段“{key}”的类型“{f.get('type')}”不支持")
        if f.get("type") == "choice" and not f.get("choices"):
            errors.append(f"选择字段“{key}”缺少选项")
        if f.get("prefill") and f["prefill"] not in PREFILL_SOURCES:
            errors.append(f"字段“{key}”的预填来源“{f['prefill']}”不存在")
    material_keys: set[str] = set()
    for m in materials:
        key = str(m.get("key", "")) if isinstance(m, Mapping) else ""
        if not _KEY_RE.match(key):
            errors.append(f"材料键“{key}”不合法")
            continue
        if key in material_keys:
            errors.append(f"材料键“{key}”重复")
        material_keys.add(key)
        if not str(m.get("label", "")).strip():
            errors.append(f"材料“{key}”缺少名称")
        types = m.get("types") or []
        if not types or any(t not in FILE_TYPES for t in types):
            errors.append(f"材料“{key}”的文件类型须为 {'/'.join(FILE_TYPES)}")
        size = m.get("max_mb")
        if not isinstance(size, int) or not 1 <= size <= MAX_FILE_MB:
            errors.append(f"材料“{key}”的大小上限须为 1–{MAX_FILE_MB} MB")
    item_codes: set[str] = set()
    for item in items:
        if not isinstance(item, Mapping):
            errors.append("办理事项格式不正确")
            continue
        code = str(item.get("code", ""))
        if not code or code in item_codes:
            errors.append(f"事项编码“{code}”为空或重复")
        item_codes.add(code)
        for attr, label in (
            ("name", "名称"),
            ("department", "部门"),
            ("department_name", "部门名称"),
        ):
            if not str(item.get(attr, "")).strip():
                errors.append(f"事项“{code}”缺少{label}")
        days = item.get("deadline_days")
        if not isinstance(days, int) or not 0 <= days <= 60:
            errors.append(f"事项“{code}”的办理时限须为 0–60 个工作日")
        for key in item.get("fields", []):
            if key not in field_keys:
                errors.append(f"事项“{code}”引用了不存在的字段“{key}”")
        for key in item.get("materials", []):
            if key not in material_keys:
                errors.append(f"事项“{code}”引用了不存在的材料“{key}”")
        if item.get("effect") and item["effect"] not in EFFECTS:
            errors.append(f"事项“{code}”的效果“{item['effect']}”不支持")
    days = doc.get("commitment_verify_days", 20)
    if not isinstance(days, int) or not 1 <= days <= 120:
        errors.append("告知承诺核查时限须为 1–120 个工作日")
    return errors


def definition_check(doc: Any) -> None:
    errors = definition_errors(doc)
    if errors:
        raise DefinitionError(errors)


@dataclass(frozen=True)
class CaseForm:
    """The ONE form of a case: the union of the ticked items' fields and materials, each once,
    in definition order; `used_by` says which items need each material."""

    items: list[dict[str, Any]]
    fields: list[dict[str, Any]]
    materials: list[dict[str, Any]]
    used_by: dict[str, list[str]]


def case_form(doc: Mapping[str, Any], selected: Sequence[str]) -> CaseForm:
    """Raises ValueError for an empty selection or an unknown item code."""
    codes = list(dict.fromkeys(c for c in selected if c))
    if not codes:
        raise ValueError("请至少选择一个办理事项")
    by_code = {i["code"]: i for i in doc["items"]}
    unknown = [c for c in codes if c not in by_code]
    if unknown:
        raise ValueError(f"办理事项“{'、'.join(unknown)}”不在本套餐中")
    items = [i for i in doc["items"] if i["code"] in codes]
    field_keys = {k for i in items for k in i.get("fields", [])}
    material_keys = {k for i in items for k in i.get("materials", [])}
    used_by: dict[str, list[str]] = {}
    for i in items:
        for key in i.get("materials", []):
            used_by.setdefault(key, []).append(i["name"])
    return CaseForm(
        items=items,
        fields=[f for f in doc["fields"] if f["key"] in field_keys],
        materials=[m for m in doc["materials"] if m["key"] in material_keys],
        used_by=used_by,
    )


def default_items(doc: Mapping[str, Any]) -> list[str]:
    return [i["code"] for i in doc["items"] if i.get("default", True)]


def prefill(form: CaseForm, registry: Mapping[str, Any]) -> dict[str, str]:
    """Initial values from the enterprise registry (一码通办: no re-typing what we hold)."""
    values: dict[str, str] = {}
    for f in form.fields:
        source = f.get("prefill")
        if source and registry.get(source) not in (None, ""):
            values[f["key"]] = str(registry[source])
    return values


def clean_form_data(
    form: CaseForm, data: Mapping[str, Any]
) -> tuple[dict[str, str], list[dict[str, str]]]:
    """Validate the submitted values of the ONE form: (cleaned, errors)."""
    cleaned: dict[str, str] = {}
    errors: list[dict[str, str]] = []
    for f in form.fields:
        key, label = f["key"], f["label"]
        value = str(data.get(key, "") or "").strip()
        if not value:
            if f.get("required"):
                errors.append({"field": key, "message": f"请填写“{label}”"})
            continue
        kind = f.get("type", "text")
        limit = 2000 if kind == "textarea" else 200
        if len(value) > limit:
            errors.append({"field": key, "message": f"“{label}”不能超过 {limit} 个字"})
        elif kind == "date" and not _DATE_RE.match(value):
            errors.append({"field": key, "message": f"“{label}”须为日期（如 2026-01-31）"})
        elif kind == "number":
            try:
                if float(value) < 0:
                    raise ValueError
            except ValueError:
                errors.append({"field": key, "message": f"“{label}”须为非负数字"})
        elif kind == "phone" and not _PHONE_RE.match(value):
            errors.append({"field": key, "message": f"“{label}”不是有效的电话号码"})
        elif kind == "choice" and value not in f.get("choices", []):
            errors.append({"field": key, "message": f"“{label}”的取值不在可选范围内"})
        cleaned[key] = value
    return cleaned, errors


_MAGIC: dict[str, tuple[bytes, ...]] = {
    "pdf": (b"%PDF",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "ofd": (b"PK\x03\x04",),
}
_EXTENSIONS = {"pdf": "pdf", "png": "png", "jpg": "jpg", "jpeg": "jpg", "ofd": "ofd"}


def file_kind(filename: str, head: bytes) -> str | None:
    """The file's type when its extension and its first bytes agree, else None."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    kind = _EXTENSIONS.get(ext)
    if kind is None:
        return None
    return kind if any(head.startswith(m) for m in _MAGIC[kind]) else None


def material_errors(
    material: Mapping[str, Any], *, filename: str, size: int, head: bytes
) -> list[str]:
    label = material["label"]
    errors: list[str] = []
    kind = file_kind(filename, head)
    allowed = material.get("types", [])
    if kind is None or kind not in allowed:
        errors.append(f"“{label}”的文件类型不正确，仅支持 {'、'.join(t.upper() for t in allowed)}")
    if size > int(material["max_mb"]) * 1024 * 1024:
        errors.append(f"“{label}”的文件过大（不超过 {material['max_mb']} MB）")
    if size == 0:
        errors.append(f"“{label}”是空文件")
    return errors


def effect_of(items: Iterable[Mapping[str, Any]]) -> str | None:
    for item in items:
        if item.get("effect"):
            return str(item["effect"])
    return None
