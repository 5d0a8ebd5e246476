"""Writes to the enterprise registry. Each service authorises first (the refusal is audited and
must survive, so that happens BEFORE the service's transaction), validates every field with a
Chinese message naming it, then writes atomically with full_clean and an audit record carrying a
diff ("who/when/what"). Nothing is written when anything is wrong.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from zqt.accounts.enums import Role
from zqt.accounts.models import OrgUnit, User
from zqt.accounts.permissions import DELEGABLE
from zqt.audit.models import AuditOutcome
from zqt.audit.services import audit_record, changes_as_audit
from zqt.core.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ValidationFailed,
)
from zqt.core.identifiers import (
    IdentifierError,
    mask_id_number,
    validate_id_number,
    validate_uscc,
)
from zqt.core.services import full_clean_or_raise, model_update
from zqt.core.timeutil import local_today
from zqt.enterprises import selectors
from zqt.enterprises.enums import (
    CreditKind,
    EnterpriseStatus,
    EntityType,
    LicenceStatus,
    LifecycleStage,
    Scale,
)
from zqt.enterprises.models import (
    AgentAuthorisation,
    CreditRecord,
    Enterprise,
    Industry,
    Licence,
    Tag,
)

AGENT_AUTHORISATION_MAX_DAYS = 365

# Field → how people call it (messages name the field).
ENTERPRISE_FIELD_LABELS: dict[str, str] = {
    "uscc": "统一社会信用代码",
    "name": "企业名称",
    "entity_type": "主体类型",
    "status": "登记状态",
    "legal_rep_name": "法定代表人",
    "legal_rep_id_number": "法定代表人身份证号",
    "registered_capital": "注册资本",
    "founded_on": "成立日期",
    "address": "住所",
    "region_code": "行政区划代码",
    "industry_code": "行业代码",
    "employees": "从业人数",
    "revenue": "营业收入",
    "rd_spend": "研发投入",
    "scale": "企业规模",
    "lifecycle_stage": "生命周期阶段",
    "phone": "联系电话",
    "tags": "标签",
}
ENTERPRISE_REQUIRED = (
    "uscc",
    "name",
    "entity_type",
    "legal_rep_name",
    "legal_rep_id_number",
    "registered_capital",
    "founded_on",
    "address",
    "region_code",
    "industry_code",
    "scale",
    "lifecycle_stage",
)
ENTERPRISE_DEFAULTS: dict[str, Any] = {
    "status": EnterpriseStatus.EXISTING.value,
    "employees": 0,
    "revenue": Decimal("0.00"),
    "rd_spend": Decimal("0.00"),
    "phone": "",
    "tags": [],
}
# Fields enterprise_update may change (the USCC is the key and never changes).
ENTERPRISE_UPDATABLE = tuple(f for f in ENTERPRISE_FIELD_LABELS if f != "uscc")

LICENCE_FIELD_LABELS: dict[str, str] = {
    "licence_type": "证照类型",
    "number": "证照编号",
    "issuer": "发证机关",
    "issued_on": "发证日期",
    "expires_on": "有效期至",
    "status": "证照状态",
}
LICENCE_REQUIRED = ("licence_type", "number", "issuer", "issued_on")

_MONEY_LIMIT = Decimal("1e14")  # max_digits=16, decimal_places=2
_CENT = Decimal("0.01")
_PHONE_RE = re.compile(r"^[0-9+\-() ]{5,20}$")
_TAG_SPLIT_RE = re.compile(r"[,，、;；\n]+")
_SLUG_RE = re.compile(r"^[a-z0-9_]{1,32}$")


class _FieldError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _raise_errors(errors: list[dict[str, Any]]) -> None:
    if errors:
        first = errors[0]
        raise ValidationFailed(first["message"], field=first["field"], errors=errors)


# --- field cleaners (shared by enterprises, licences and the Excel importer) -----------------


def clean_text(value: Any, *, label: str, max_length: int, required: bool = True) -> str:
    if value is None:
        text = ""
    elif isinstance(value, str):
        text = value.strip()
    elif isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        text = str(value).strip()
    else:
        raise _FieldError(f"{label}格式不正确")
    if required and not text:
        raise _FieldError(f"{label}不能为空")
    if len(text) > max_length:
        raise _FieldError(f"{label}不能超过{max_length}个字符")
    return text


def clean_money(value: Any, *, label: str) -> Decimal:
    """A non-negative amount with 2 decimals (万元 or 元), from a number or a string."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise _FieldError(f"{label}不能为空")
    if isinstance(value, bool):
        raise _FieldError(f"{label}必须是数字")
    try:
        if isinstance(value, float):
            amount = Decimal(repr(value))
        elif isinstance(value, str):
            amount = Decimal(value.strip().replace(",", "").replace("，", ""))
        else:
            amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise _FieldError(f"{label}必须是数字，实为“{value}”") from None
    if not amount.is_finite():
        raise _FieldError(f"{label}必须是数字，实为“{value}”")
    if amount < 0:
        raise _FieldError(f"{label}不能为负数")
    amount = amount.quantize(_CENT)
    if amount >= _MONEY_LIMIT:
        raise _FieldError(f"{label}数额过大")
    return amount


def clean_count(value: Any, *, label: str) -> int:
    if value is None or (isinstance(value, str) and not value.strip()):
        return 0
    if isinstance(value, bool):
        raise _FieldError(f"{label}必须是整数")
    if isinstance(value, float | Decimal):
        if value != int(value):
            raise _FieldError(f"{label}必须是整数，实为“{value}”")
        number = int(value)
    elif isinstance(value, int):
        number = value
    elif isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        number = int(value.strip())
    else:
        raise _FieldError(f"{label}必须是整数，实为“{value}”")
    if number < 0:
        raise _FieldError(f"{label}不能为负数")
    if number > 2_147_483_647:
        raise _FieldError(f"{label}数值过大")
    return number


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")


def clean_date(value: Any, *, label: str, required: bool = True) -> dt.date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise _FieldError(f"{label}不能为空")
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        for fmt in _DATE_FORMATS:
            try:
                return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 (a date, no time)
            except ValueError:
                continue
    raise _FieldError(f"{label}“{value}”不是有效日期，应为 YYYY-MM-DD 格式")


def clean_choice(value: Any, *, label: str, choices: Any) -> str:
    """A TextChoices value, given as the value ("limited") or its label ("有限责任公司")."""
    text = clean_text(value, label=label, max_length=64)
    if text in choices.values:
        return text
    for choice_value, choice_label in choices.choices:
        if text == str(choice_label):
            return str(choice_value)
    allowed = "、".join(str(lbl) for lbl in choices.labels)
    raise _FieldError(f"{label}“{text}”不存在，应为 {allowed} 之一")


def clean_tag_names(value: Any) -> list[str]:
    if value is None:
        return []
    items: Iterable[Any]
    if isinstance(value, str):
        items = _TAG_SPLIT_RE.split(value)
    elif isinstance(value, list | tuple | set):
        items = value
    else:
        raise _FieldError("标签格式不正确")
    names: list[str] = []
    for item in items:
        name = clean_text(item, label="标签", max_length=32, required=False)
        if name and name not in names:
            names.append(name)
    return names


# --- enterprise validation -------------------------------------------------------------------


@dataclass(frozen=True)
class ReferenceCodes:
    """Known region (any OrgUnit) and industry codes: load once per import, not per row."""

    region_codes: frozenset[str]
    industry_codes: frozenset[str]


def reference_codes_load() -> ReferenceCodes:
    return ReferenceCodes(
        region_codes=frozenset(OrgUnit.objects.values_list("code", flat=True)),
        industry_codes=frozenset(Industry.objects.values_list("code", flat=True)),
    )


def _clean_uscc(value: Any) -> str:
    text = clean_text(value, label="统一社会信用代码", max_length=64)
    try:
        return validate_uscc(text)
    except IdentifierError as exc:
        raise _FieldError(exc.message) from None


def _clean_id_number(value: Any) -> str:
    text = clean_text(value, label="法定代表人身份证号", max_length=64)
    try:
        return validate_id_number(text)
    except IdentifierError as exc:
        raise _FieldError(f"法定代表人{exc.message}") from None


def _integral(value: Any) -> Any:
    # Spreadsheets hand codes over as numbers: 330802 or 330802.0.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _clean_region(value: Any, refs: ReferenceCodes | None) -> str:
    value = _integral(value)
    code = clean_text(value, label="行政区划代码", max_length=12)
    known = (
        code in refs.region_codes
        if refs is not None
        else OrgUnit.objects.filter(code=code).exists()
    )
    if not known:
        raise _FieldError(f"行政区划代码“{code}”不存在")
    return code


def _clean_industry(value: Any, refs: ReferenceCodes | None) -> str:
    value = _integral(value)
    if isinstance(value, int) and not isinstance(value, bool):
        value = f"{value:02d}"  # a spreadsheet turns division "06" into the number 6
    code = clean_text(value, label="行业代码", max_length=8).upper()
    known = (
        code in refs.industry_codes
        if refs is not None
        else Industry.objects.filter(code=code).exists()
    )
    if not known:
        raise _FieldError(f"行业代码“{code}”不存在")
    return code


def _clean_phone(value: Any) -> str:
    phone = clean_text(value, label="联系电话", max_length=20, required=False)
    if phone and not _PHONE_RE.match(phone):
        raise _FieldError(f"联系电话“{phone}”格式不正确")
    return phone


def _enterprise_cleaners(
    refs: ReferenceCodes | None, today: dt.date
) -> dict[str, Callable[[Any], Any]]:
    def founded(value: Any) -> dt.date | None:
        day = clean_date(value, label="成立日期")
        if day is not None and day > today:
            raise _FieldError("成立日期不能晚于今天")
        return day

    return {
        "uscc": _clean_uscc,
        "name": lambda v: clean_text(v, label="企业名称", max_length=128),
        "entity_type": lambda v: clean_choice(v, label="主体类型", choices=EntityType),
        "status": lambda v: clean_choice(v, label="登记状态", choices=EnterpriseStatus),
        "legal_rep_name": lambda v: clean_text(v, label="法定代表人", max_length=64),
        "legal_rep_id_number": _clean_id_number,
        "registered_capital": lambda v: clean_money(v, label="注册资本"),
        "founded_on": founded,
        "address": lambda v: clean_text(v, label="住所", max_length=200),
        "region_code": lambda v: _clean_region(v, refs),
        "industry_code": lambda v: _clean_industry(v, refs),
        "employees": lambda v: clean_count(v, label="从业人数"),
        "revenue": lambda v: clean_money(v, label="营业收入"),
        "rd_spend": lambda v: clean_money(v, label="研发投入"),
        "scale": lambda v: clean_choice(v, label="企业规模", choices=Scale),
        "lifecycle_stage": lambda v: clean_choice(v, label="生命周期阶段", choices=LifecycleStage),
        "phone": _clean_phone,
        "tags": clean_tag_names,
    }


def enterprise_validate(
    *,
    data: Mapping[str, Any],
    partial: bool = False,
    refs: ReferenceCodes | None = None,
    check_duplicate: bool = True,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """Normalise and validate enterprise fields; return the cleaned data or raise
    ValidationFailed whose `.errors` lists every problem as {"field", "message"} (Chinese).

    Used by enterprise_create/enterprise_update and, row by row, by the Excel importer (which
    passes `refs` loaded once, and may set check_duplicate=False after checking USCCs in bulk).
    `partial`: validate only the fields present (update); otherwise required fields must be
    present and optional ones get their defaults. Accepts choice labels ("有限责任公司") as well
    as values, numbers as strings and dates as date, datetime or text.
    """
    today = today or local_today()
    cleaners = _enterprise_cleaners(refs, today)
    errors: list[dict[str, Any]] = []
    for key in data:
        if key not in cleaners:
            errors.append({"field": key, "message": f"字段“{key}”不存在"})
    cleaned: dict[str, Any] = {}
    for name, cleaner in cleaners.items():
        if name not in data:
            if partial:
                continue
            if name in ENTERPRISE_REQUIRED:
                errors.append(
                    {"field": name, "message": f"{ENTERPRISE_FIELD_LABELS[name]}不能为空"}
                )
            else:
                default = ENTERPRISE_DEFAULTS[name]
                cleaned[name] = list(default) if isinstance(default, list) else default
            continue
        try:
            cleaned[name] = cleaner(data[name])
        except _FieldError as exc:
            errors.append({"field": name, "message": exc.message})
    if check_duplicate and "uscc" in cleaned and not partial:
        if Enterprise.objects.filter(uscc=cleaned["uscc"]).exists():
            errors.append(
                {"field": "uscc", "message": f"统一社会信用代码“{cleaned['uscc']}”已存在"}
            )
    _raise_errors(errors)
    return cleaned


def _audit_value(field: str, value: Any) -> Any:
    # The trail is searchable by operations staff, who may not see full ID numbers.
    if field == "legal_rep_id_number" and isinstance(value, str) and value:
        return mask_id_number(value)
    return value


def _masked_diff(changes: Mapping[str, tuple[Any, Any]]) -> dict[str, Any]:
    return changes_as_audit(
        {f: (_audit_value(f, old), _audit_value(f, new)) for f, (old, new) in changes.items()}
    )


def _check_region_scope(
    *, actor: User, region_code: str, action: str, object_id: str, ip_address: str | None
) -> None:
    """Staff and API clients create/move enterprises only within their own area."""
    prefix = actor.org_unit.scope_prefix if actor.org_unit_id else None  # type: ignore[union-attr]
    if prefix is None or not region_code.startswith(prefix):
        audit_record(
            actor=actor,
            action=action,
            object_type="enterprise",
            object_id=object_id,
            outcome=AuditOutcome.DENIED,
            changes={"reason": "region_out_of_scope", "region_code": region_code},
            ip_address=ip_address,
        )
        raise PermissionDeniedError(
            f"行政区划代码“{region_code}”不在您的管辖范围内", field="region_code"
        )


def enterprise_create(
    *,
    user: User | None,
    uscc: str,
    name: str,
    entity_type: str,
    legal_rep_name: str,
    legal_rep_id_number: str,
    registered_capital: Decimal | int | str,
    founded_on: dt.date | str,
    address: str,
    region_code: str,
    industry_code: str,
    scale: str,
    lifecycle_stage: str,
    employees: int = 0,
    revenue: Decimal | int | str = Decimal("0"),
    rd_spend: Decimal | int | str = Decimal("0"),
    phone: str = "",
    status: str = EnterpriseStatus.EXISTING,
    tags: list[str] | None = None,
    audit: bool = True,
    refs: ReferenceCodes | None = None,
    ip_address: str | None = None,
) -> Enterprise:
    """Register a market entity. `user` None = a trusted server-side job (import command,
    synthetic data): no capability or scope check. Staff/API clients need enterprise.create and
    may register only within their org unit. `audit=False` lets a bulk importer write one audit
    record per batch instead of one per row.
    """
    actor: User | None = None
    if user is not None:
        actor = selectors.require_capability(
            user=user,
            capability="enterprise.create",
            object_id=str(uscc or "")[:64],
            ip_address=ip_address,
        )
    cleaned = enterprise_validate(
        data={
            "uscc": uscc,
            "name": name,
            "entity_type": entity_type,
            "status": status,
            "legal_rep_name": legal_rep_name,
            "legal_rep_id_number": legal_rep_id_number,
            "registered_capital": registered_capital,
            "founded_on": founded_on,
            "address": address,
            "region_code": region_code,
            "industry_code": industry_code,
            "employees": employees,
            "revenue": revenue,
            "rd_spend": rd_spend,
            "scale": scale,
            "lifecycle_stage": lifecycle_stage,
            "phone": phone,
            "tags": tags or [],
        },
        refs=refs,
    )
    if actor is not None:
        _check_region_scope(
            actor=actor,
            region_code=cleaned["region_code"],
            action="enterprise.create",
            object_id=cleaned["uscc"],
            ip_address=ip_address,
        )
    tag_names: list[str] = cleaned.pop("tags")
    with transaction.atomic():
        enterprise = Enterprise(**cleaned)
        full_clean_or_raise(enterprise, exclude=["tags"])
        try:
            with transaction.atomic():
                enterprise.save(force_insert=True)
        except IntegrityError:
            # Another request registered the same USCC between our check and our insert.
            raise ValidationFailed(
                f"统一社会信用代码“{cleaned['uscc']}”已存在",
                field="uscc",
                errors=[{"field": "uscc", "message": f"统一社会信用代码“{cleaned['uscc']}”已存在"}],
            ) from None
        if tag_names:
            enterprise.tags.set(tag_ensure(names=tag_names, actor=actor))
        if audit:
            snapshot = {**cleaned, "tags": tag_names}
            audit_record(
                actor=actor,
                action="enterprise.create",
                object_type="enterprise",
                object_id=enterprise.uscc,
                changes=_masked_diff({k: (None, v) for k, v in snapshot.items()}),
                ip_address=ip_address,
            )
    return enterprise


def enterprise_update(
    *, user: User, uscc: str, data: Mapping[str, Any], ip_address: str | None = None
) -> Enterprise:
    """Change some fields of an enterprise (enterprise.update, within scope). The USCC is
    immutable. Audited with an {field: {"old", "new"}} diff; nothing is written or audited when
    nothing changes."""
    enterprise = selectors.enterprise_get_for_user(
        user=user, uscc=uscc, capability="enterprise.update", ip_address=ip_address
    )
    assert isinstance(user, User)
    payload = dict(data)
    if "uscc" in payload:
        given = str(payload.pop("uscc") or "").strip().upper()
        if given != enterprise.uscc:
            raise ValidationFailed(
                "统一社会信用代码不可修改",
                field="uscc",
                errors=[{"field": "uscc", "message": "统一社会信用代码不可修改"}],
            )
    cleaned = enterprise_validate(data=payload, partial=True)
    if "region_code" in cleaned and cleaned["region_code"] != enterprise.region_code:
        _check_region_scope(
            actor=user,
            region_code=cleaned["region_code"],
            action="enterprise.update",
            object_id=enterprise.uscc,
            ip_address=ip_address,
        )
    new_tags: list[str] | None = cleaned.pop("tags", None)
    with transaction.atomic():
        locked = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
        locked, changes = model_update(instance=locked, fields=list(cleaned), data=cleaned)
        if new_tags is not None:
            old_tags = sorted(locked.tags.values_list("name", flat=True))
            if sorted(new_tags) != old_tags:
                locked.tags.set(tag_ensure(names=new_tags, actor=user))
                changes["tags"] = (old_tags, sorted(new_tags))
                Enterprise.objects.filter(pk=locked.pk).update(updated_at=timezone.now())
        if changes:
            audit_record(
                actor=user,
                action="enterprise.update",
                object_type="enterprise",
                object_id=locked.uscc,
                changes=_masked_diff(changes),
                ip_address=ip_address,
            )
    return locked


def enterprise_status_set(
    *, actor: User, uscc: str, status: str, reason: str, ip_address: str | None = None
) -> Enterprise:
    """Change an enterprise's registration status as the consequence of a decision another
    service has already authorised (e.g. a department approving 歇业 in a bundle case, which
    suspends the enterprise in one step). `actor` is the person whose decision it is; the
    capability check is the calling service's, the audit entry names the reason.

    Not for direct edits by staff: those go through enterprise_update (enterprise.update)."""
    if status not in EnterpriseStatus.values:
        raise ValidationFailed(f"未知的登记状态“{status}”。", field="status")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("变更登记状态须说明依据。", field="reason")
    with transaction.atomic():
        try:
            locked = Enterprise.objects.select_for_update().get(uscc=uscc)
        except Enterprise.DoesNotExist:
            raise NotFoundError("市场主体不存在。", field="uscc") from None
        old = locked.status
        if old == status:
            return locked
        locked.status = status
        locked.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=actor,
            action="enterprise.status_set",
            object_type="enterprise",
            object_id=locked.uscc,
            purpose=reason[:200],
            changes={"status": {"old": old, "new": status}},
            ip_address=ip_address,
        )
    return locked


def credit_record_create(
    *,
    actor: User,
    uscc: str,
    kind: str,
    title: str,
    source_department: str,
    recorded_on: dt.date,
    expires_on: dt.date | None = None,
    ip_address: str | None = None,
) -> CreditRecord:
    """Record a credit fact (守信/失信/警示) decided by a department, e.g. an informed commitment
    found false. The calling service has authorised the decision; audited."""
    if kind not in CreditKind.values:
        raise ValidationFailed(f"未知的信用记录类别“{kind}”。", field="kind")
    with transaction.atomic():
        try:
            enterprise = Enterprise.objects.get(uscc=uscc)
        except Enterprise.DoesNotExist:
            raise NotFoundError("市场主体不存在。", field="uscc") from None
        record = CreditRecord(
            enterprise=enterprise,
            kind=kind,
            title=(title or "").strip()[:128],
            source_department=(source_department or "").strip()[:64],
            recorded_on=recorded_on,
            expires_on=expires_on,
        )
        full_clean_or_raise(record)
        record.save()
        audit_record(
            actor=actor,
            action="credit_record.create",
            object_type="enterprise",
            object_id=enterprise.uscc,
            changes={"kind": kind, "title": record.title, "source": record.source_department},
            ip_address=ip_address,
        )
    return record


# --- tags ------------------------------------------------------------------------------------


def _tag_code(name: str) -> str:
    if _SLUG_RE.match(name):
        return name
    return "t_" + hashlib.sha256(name.encode()).hexdigest()[:16]


def tag_ensure(*, names: list[str], actor: User | None = None) -> list[Tag]:
    """The tags with these names (or codes), creating missing ones; in the order given."""
    try:
        wanted = clean_tag_names(names)
    except _FieldError as exc:
        raise ValidationFailed(exc.message, field="tags") from None
    if not wanted:
        return []
    found = {
        key: tag
        for tag in Tag.objects.filter(Q(name__in=wanted) | Q(code__in=wanted))
        for key in (tag.name, tag.code)
    }
    result: list[Tag] = []
    with transaction.atomic():
        for name in wanted:
            tag = found.get(name)
            if tag is None:
                tag, created = Tag.objects.get_or_create(
                    name=name, defaults={"code": _tag_code(name)}
                )
                if created:
                    audit_record(
                        actor=actor,
                        action="tag.create",
                        object_type="tag",
                        object_id=tag.code,
                        changes={"name": {"old": None, "new": name}},
                    )
                found[name] = tag
            if tag not in result:
                result.append(tag)
    return result


# --- licences --------------------------------------------------------------------------------


def licence_validate(
    *,
    data: Mapping[str, Any],
    partial: bool = False,
    current: Licence | None = None,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """Normalise and validate licence fields (see enterprise_validate for the contract).

    `current`: the licence being updated — its values complete a partial date check and its
    own (type, number) is not a duplicate of itself.
    """
    today = today or local_today()
    cleaners: dict[str, Callable[[Any], Any]] = {
        "licence_type": lambda v: clean_text(v, label="证照类型", max_length=64),
        "number": lambda v: clean_text(v, label="证照编号", max_length=64),
        "issuer": lambda v: clean_text(v, label="发证机关", max_length=64),
        "issued_on": lambda v: clean_date(v, label="发证日期"),
        "expires_on": lambda v: clean_date(v, label="有效期至", required=False),
        "status": lambda v: clean_choice(v, label="证照状态", choices=LicenceStatus),
    }
    errors: list[dict[str, Any]] = []
    for key in data:
        if key not in cleaners:
            errors.append({"field": key, "message": f"字段“{key}”不存在"})
    cleaned: dict[str, Any] = {}
    for name, cleaner in cleaners.items():
        if name not in data:
            if not partial and name in LICENCE_REQUIRED:
                errors.append({"field": name, "message": f"{LICENCE_FIELD_LABELS[name]}不能为空"})
            continue
        try:
            cleaned[name] = cleaner(data[name])
        except _FieldError as exc:
            errors.append({"field": name, "message": exc.message})
    issued = cleaned.get("issued_on", current.issued_on if current else None)
    expires = cleaned.get("expires_on", current.expires_on if current else None)
    if "issued_on" in cleaned and issued is not None and issued > today:
        errors.append({"field": "issued_on", "message": "发证日期不能晚于今天"})
    if (
        ("issued_on" in cleaned or "expires_on" in cleaned)
        and issued is not None
        and expires is not None
        and expires < issued
    ):
        errors.append({"field": "expires_on", "message": "有效期至不能早于发证日期"})
    licence_type = cleaned.get("licence_type", current.licence_type if current else None)
    number = cleaned.get("number", current.number if current else None)
    if ("licence_type" in cleaned or "number" in cleaned) and licence_type and number:
        duplicate = Licence.objects.filter(licence_type=licence_type, number=number)
        if current is not None:
            duplicate = duplicate.exclude(pk=current.pk)
        if duplicate.exists():
            errors.append(
                {"field": "number", "message": f"证照“{licence_type}”编号“{number}”已存在"}
            )
    _raise_errors(errors)
    return cleaned


def _licence_duplicate_error(licence_type: str, number: str) -> ValidationFailed:
    message = f"证照“{licence_type}”编号“{number}”已存在"
    return ValidationFailed(
        message, field="number", errors=[{"field": "number", "message": message}]
    )


def licence_create(
    *,
    user: User,
    uscc: str,
    licence_type: str,
    number: str,
    issuer: str,
    issued_on: dt.date | str,
    expires_on: dt.date | str | None = None,
    status: str = LicenceStatus.ACTIVE,
    ip_address: str | None = None,
) -> Licence:
    """Record a licence or permit of an enterprise (licence.manage, within scope)."""
    enterprise = selectors.enterprise_get_for_user(
        user=user, uscc=uscc, capability="licence.manage", ip_address=ip_address
    )
    cleaned = licence_validate(
        data={
            "licence_type": licence_type,
            "number": number,
            "issuer": issuer,
            "issued_on": issued_on,
            "expires_on": expires_on,
            "status": status,
        }
    )
    with transaction.atomic():
        licence = Licence(enterprise=enterprise, **cleaned)
        full_clean_or_raise(licence)
        try:
            with transaction.atomic():
                licence.save(force_insert=True)
        except IntegrityError:
            raise _licence_duplicate_error(cleaned["licence_type"], cleaned["number"]) from None
        audit_record(
            actor=user,
            action="licence.create",
            object_type="licence",
            object_id=str(licence.pk),
            changes={
                "enterprise": {"old": None, "new": enterprise.uscc},
                **changes_as_audit({k: (None, v) for k, v in cleaned.items()}),
            },
            ip_address=ip_address,
        )
    return licence


def licence_update(
    *, user: User, licence_id: int, data: Mapping[str, Any], ip_address: str | None = None
) -> Licence:
    """Correct a licence's fields (licence.manage, within scope). A revoked licence is final;
    revocation itself goes through licence_revoke (it needs a reason)."""
    licence = selectors.licence_get_for_user(
        user=user, licence_id=licence_id, capability="licence.manage", ip_address=ip_address
    )
    if licence.status == LicenceStatus.REVOKED:
        raise ConflictError("证照已吊销/注销，不能再修改", field="status")
    if data.get("status") in (LicenceStatus.REVOKED, LicenceStatus.REVOKED.label):
        raise ValidationFailed(
            "吊销/注销证照请使用“吊销”操作并填写原因",
            field="status",
            errors=[{"field": "status", "message": "吊销/注销证照请使用“吊销”操作并填写原因"}],
        )
    cleaned = licence_validate(data=data, partial=True, current=licence)
    with transaction.atomic():
        locked = Licence.objects.select_for_update().get(pk=licence.pk)
        if locked.status == LicenceStatus.REVOKED:
            raise ConflictError("证照已吊销/注销，不能再修改", field="status")
        try:
            with transaction.atomic():
                locked, changes = model_update(instance=locked, fields=list(cleaned), data=cleaned)
        except IntegrityError:
            raise _licence_duplicate_error(
                cleaned.get("licence_type", locked.licence_type),
                cleaned.get("number", locked.number),
            ) from None
        if changes:
            audit_record(
                actor=user,
                action="licence.update",
                object_type="licence",
                object_id=str(locked.pk),
                changes={
                    "enterprise": {"old": licence.enterprise.uscc, "new": licence.enterprise.uscc},
                    **changes_as_audit(changes),
                },
                ip_address=ip_address,
            )
    return locked


def licence_revoke(
    *, user: User, licence_id: int, reason: str, ip_address: str | None = None
) -> Licence:
    """Mark a licence revoked/deregistered (licence.manage, within scope), with a reason."""
    licence = selectors.licence_get_for_user(
        user=user, licence_id=licence_id, capability="licence.manage", ip_address=ip_address
    )
    try:
        reason_text = clean_text(reason, label="吊销/注销原因", max_length=200)
    except _FieldError as exc:
        raise ValidationFailed(
            exc.message, field="reason", errors=[{"field": "reason", "message": exc.message}]
        ) from None
    with transaction.atomic():
        locked = Licence.objects.select_for_update().get(pk=licence.pk)
        if locked.status == LicenceStatus.REVOKED:
            raise ConflictError("证照已吊销/注销", field="status")
        old_status = locked.status
        locked.status = LicenceStatus.REVOKED
        locked.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=user,
            action="licence.revoke",
            object_type="licence",
            object_id=str(locked.pk),
            purpose=reason_text,
            changes={
                "enterprise": {"old": licence.enterprise.uscc, "new": licence.enterprise.uscc},
                "status": {"old": old_status, "new": LicenceStatus.REVOKED.value},
                "reason": reason_text,
            },
            ip_address=ip_address,
        )
    return locked


# --- agent authorisations --------------------------------------------------------------------


def _own_enterprise(*, user: Any, ip_address: str | None) -> tuple[User, Enterprise]:
    actor = selectors.require_capability(
        user=user,
        capability="agent.authorise",
        object_type="agent_authorisation",
        ip_address=ip_address,
    )
    enterprise = selectors.enterprise_for_member(user=actor)
    if enterprise is None:
        audit_record(
            actor=actor,
            action="agent.authorise",
            object_type="agent_authorisation",
            outcome=AuditOutcome.DENIED,
            changes={"reason": "no_enterprise"},
            ip_address=ip_address,
        )
        raise PermissionDeniedError("您的账号未绑定企业。")
    return actor, enterprise


def agent_authorisation_grant(
    *,
    user: User,
    agent_username: str,
    scopes: list[str],
    expires_at: dt.datetime,
    ip_address: str | None = None,
) -> AgentAuthorisation:
    """An enterprise user lets an agent act for its enterprise within `scopes` (a subset of
    accounts.permissions.DELEGABLE) until `expires_at` (future, at most a year away). An active
    authorisation of the same agent is superseded (revoked) by the new one."""
    actor, enterprise = _own_enterprise(user=user, ip_address=ip_address)
    now = timezone.now()
    errors: list[dict[str, Any]] = []
    username = (agent_username or "").strip()
    agent = (
        User.objects.filter(username=username, role=Role.AGENT, is_active=True).first()
        if username
        else None
    )
    if agent is None:
        errors.append(
            {"field": "agent_username", "message": f"经办人账号“{username}”不存在"}
            if username
            else {"field": "agent_username", "message": "经办人账号不能为空"}
        )
    wanted = list(dict.fromkeys(s.strip() for s in (scopes or []) if s and s.strip()))
    if not wanted:
        errors.append({"field": "scopes", "message": "授权范围不能为空"})
    for scope in wanted:
        if scope not in DELEGABLE:
            errors.append({"field": "scopes", "message": f"授权范围“{scope}”不可委托给经办人"})
    if not isinstance(expires_at, dt.datetime) or timezone.is_naive(expires_at):
        errors.append({"field": "expires_at", "message": "到期时间必须是带时区的日期时间"})
    elif expires_at <= now:
        errors.append({"field": "expires_at", "message": "到期时间必须晚于当前时间"})
    elif expires_at > now + dt.timedelta(days=AGENT_AUTHORISATION_MAX_DAYS):
        errors.append(
            {
                "field": "expires_at",
                "message": f"授权期限最长为一年（{AGENT_AUTHORISATION_MAX_DAYS}天）",
            }
        )
    _raise_errors(errors)
    assert agent is not None
    with transaction.atomic():
        superseded = list(
            AgentAuthorisation.objects.select_for_update().filter(
                enterprise=enterprise, agent=agent, revoked_at__isnull=True, expires_at__gt=now
            )
        )
        for old in superseded:
            old.revoked_at = now
            old.save(update_fields=["revoked_at", "updated_at"])
        authorisation = AgentAuthorisation(
            enterprise=enterprise,
            agent=agent,
            scopes=sorted(wanted),
            valid_from=now,
            expires_at=expires_at,
            granted_by=actor,
        )
        full_clean_or_raise(authorisation)
        authorisation.save(force_insert=True)
        audit_record(
            actor=actor,
            action="agent.authorise",
            object_type="agent_authorisation",
            object_id=str(authorisation.pk),
            changes={
                "enterprise": enterprise.uscc,
                "agent": agent.username,
                "scopes": sorted(wanted),
                "expires_at": expires_at,
                "superseded": [a.pk for a in superseded],
            },
            ip_address=ip_address,
        )
    return authorisation


def agent_authorisation_revoke(
    *, user: User, authorisation_id: int, ip_address: str | None = None
) -> AgentAuthorisation:
    """The enterprise withdraws an authorisation (idempotent: revoking twice is harmless)."""
    actor, enterprise = _own_enterprise(user=user, ip_address=ip_address)
    with transaction.atomic():
        authorisation = (
            AgentAuthorisation.objects.select_for_update()
            .filter(pk=authorisation_id, enterprise=enterprise)
            .first()
        )
        if authorisation is not None and authorisation.revoked_at is None:
            authorisation.revoked_at = timezone.now()
            authorisation.save(update_fields=["revoked_at", "updated_at"])
            audit_record(
                actor=actor,
                action="agent.revoke",
                object_type="agent_authorisation",
                object_id=str(authorisation.pk),
                changes={"revoked_at": {"old": None, "new": authorisation.revoked_at}},
                ip_address=ip_address,
            )
    if authorisation is None:
        audit_record(
            actor=actor,
            action="agent.revoke",
            object_type="agent_authorisation",
            object_id=str(authorisation_id),
            outcome=AuditOutcome.DENIED,
            changes={"reason": "not_found"},
            ip_address=ip_address,
        )
        raise NotFoundError("授权记录不存在。")
    return authorisation
