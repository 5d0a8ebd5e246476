"""Writes to the service catalog: local items under 四统一, publishing versions with a change
history, Excel import. Authorise first (refusals are audited outside the transaction), then
validate, then write atomically with an audit record."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import Max

from zqt.accounts.models import OrgUnit, User
from zqt.audit.services import audit_record
from zqt.catalog import selectors
from zqt.catalog.enums import ChangeAction, ItemStatus
from zqt.catalog.models import CatalogChange, CatalogItem, CatalogVersion, ServiceCategory
from zqt.catalog.reference import provincial_snapshot_row
from zqt.catalog.rules import channels_parse, four_unified_errors, local_code
from zqt.core.errors import ValidationFailed
from zqt.core.services import full_clean_or_raise

EDITABLE = (
    "name",
    "description",
    "responsible_units",
    "service_scope",
    "channels",
    "time_limit_days",
    "materials",
    "contact",
)


def _fail(errors: list[dict[str, Any]]) -> None:
    if errors:
        raise ValidationFailed(errors[0]["message"], field=errors[0]["field"], errors=errors)


def _clean(data: Mapping[str, Any]) -> dict[str, Any]:
    """Normalise editable fields; collect every problem (Chinese, per field)."""
    cleaned: dict[str, Any] = {}
    errors: list[dict[str, Any]] = []
    for key in ("name", "description", "responsible_units", "service_scope", "contact"):
        if key in data:
            cleaned[key] = str(data[key] or "").strip()
    if "name" in cleaned and len(cleaned["name"]) > 64:
        errors.append({"field": "name", "message": "事项名称不能超过 64 个字"})
    if "channels" in data:
        try:
            cleaned["channels"] = channels_parse(data["channels"])
        except ValueError as exc:
            errors.append({"field": "channels", "message": str(exc)})
    if "time_limit_days" in data:
        raw = data["time_limit_days"]
        if raw in (None, ""):
            cleaned["time_limit_days"] = None
        else:
            try:
                days = int(str(raw).strip())
                if not 0 <= days <= 365:
                    raise ValueError
                cleaned["time_limit_days"] = days
            except ValueError:
                errors.append(
                    {"field": "time_limit_days", "message": "办理时限应为 0–365 的工作日数"}
                )
    if "materials" in data:
        raw_materials = data["materials"]
        if isinstance(raw_materials, str):
            raw_materials = [m for m in raw_materials.replace("；", "\n").splitlines()]
        cleaned["materials"] = [str(m).strip() for m in raw_materials or [] if str(m).strip()]
    _fail(errors)
    return cleaned


def _record(
    *,
    actor: User | None,
    item: CatalogItem | None,
    org_unit: OrgUnit | None,
    action: str,
    changes: dict[str, Any],
    code: str = "",
) -> None:
    CatalogChange.objects.create(
        item=item,
        item_code=item.code if item else code,
        org_unit=org_unit,
        action=action,
        changes=changes,
        actor=actor,
    )
    audit_record(
        actor=actor,
        action=f"catalog.{action}",
        object_type="catalog_item" if item else "catalog",
        object_id=item.code if item else code,
        changes=changes,
    )


def catalog_item_create(
    *,
    user: User,
    base_code: str,
    name: str,
    responsible_units: str,
    service_scope: str,
    channels: Any,
    description: str = "",
    time_limit_days: Any = None,
    materials: Any = None,
    contact: str = "",
) -> CatalogItem:
    """A local item of the user's org unit, refining a provincial item ('0505') or category
    ('05'). Created as a draft; it becomes visible when the unit publishes its catalog."""
    org_unit = selectors.manage_scope(user=user)
    assert org_unit is not None
    base_code = (base_code or "").strip()
    extends = CatalogItem.objects.filter(code=base_code, org_unit__isnull=True).first()
    category = (
        extends.category if extends else ServiceCategory.objects.filter(code=base_code).first()
    )
    if category is None:
        raise ValidationFailed(
            f"省级事项或分类“{base_code}”不存在（本地清单须在省级指导目录基础上细化）",
            field="base_code",
        )
    cleaned = _clean(
        {
            "name": name,
            "description": description,
            "responsible_units": responsible_units,
            "service_scope": service_scope,
            "channels": channels,
            "time_limit_days": time_limit_days,
            "materials": materials or [],
            "contact": contact,
        }
    )
    _fail(four_unified_errors(cleaned))
    with transaction.atomic():
        existing = CatalogItem.objects.select_for_update().filter(
            code__startswith=f"{base_code if len(base_code) == 4 else base_code + '00'}-"
            f"{org_unit.code}-"
        )
        try:
            code = local_code(
                base_code=base_code,
                org_unit_code=org_unit.code,
                existing=[i.code for i in existing],
            )
        except ValueError as exc:
            raise ValidationFailed(str(exc), field="base_code") from None
        item = CatalogItem(
            code=code,
            category=category,
            org_unit=org_unit,
            extends=extends,
            board_code=category.board_code,
            status=ItemStatus.DRAFT,
            **cleaned,
        )
        full_clean_or_raise(item)
        item.save(force_insert=True)
        _record(
            actor=user,
            item=item,
            org_unit=org_unit,
            action=ChangeAction.CREATE,
            changes={k: v for k, v in cleaned.items()},
        )
    return item


def catalog_item_update(*, user: User, code: str, data: Mapping[str, Any]) -> CatalogItem:
    item = selectors.catalog_item_get_for_user(user=user, code=code)
    cleaned = _clean({k: v for k, v in data.items() if k in EDITABLE})
    merged = {f: getattr(item, f) for f in EDITABLE} | cleaned
    _fail(four_unified_errors(merged))
    with transaction.atomic():
        locked = CatalogItem.objects.select_for_update().get(pk=item.pk)
        changes: dict[str, Any] = {}
        for field, value in cleaned.items():
            old = getattr(locked, field)
            if old != value:
                changes[field] = {"old": old, "new": value}
                setattr(locked, field, value)
        if not changes:
            return locked
        if locked.status == ItemStatus.PUBLISHED:
            locked.status = ItemStatus.DRAFT  # republish to take effect
            changes["status"] = {"old": ItemStatus.PUBLISHED, "new": ItemStatus.DRAFT}
        full_clean_or_raise(locked)
        locked.save()
        _record(
            actor=user,
            item=locked,
            org_unit=locked.org_unit,
            action=ChangeAction.UPDATE,
            changes=changes,
        )
    return locked


def catalog_item_withdraw(*, user: User, code: str, reason: str) -> CatalogItem:
    item = selectors.catalog_item_get_for_user(user=user, code=code)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("请填写停用原因", field="reason")
    with transaction.atomic():
        locked = CatalogItem.objects.select_for_update().get(pk=item.pk)
        if locked.status == ItemStatus.WITHDRAWN:
            return locked
        old = locked.status
        locked.status = ItemStatus.WITHDRAWN
        locked.save(update_fields=["status", "updated_at"])
        _record(
            actor=user,
            item=locked,
            org_unit=locked.org_unit,
            action=ChangeAction.WITHDRAW,
            changes={"status": {"old": old, "new": ItemStatus.WITHDRAWN}, "reason": reason},
        )
    return locked


def catalog_publish(*, user: User, note: str = "") -> CatalogVersion:
    """Publish the user's org unit's catalog: drafts become published, a snapshot of the
    effective catalog (provincial + local) is kept as the next version, and the pending change
    history is attached to it. The provincial guide itself (org unit None) is reference data."""
    org_unit = selectors.manage_scope(user=user)
    assert org_unit is not None
    target: OrgUnit | None = org_unit
    with transaction.atomic():
        own = (
            CatalogItem.objects.select_for_update().filter(org_unit__isnull=True)
            if target is None
            else CatalogItem.objects.select_for_update().filter(org_unit=target)
        )
        drafts = [i for i in own if i.status == ItemStatus.DRAFT]
        for item in drafts:
            _fail(
                [
                    {**e, "message": f"{item.code}：{e['message']}"}
                    for e in four_unified_errors({f: getattr(item, f) for f in EDITABLE})
                ]
            )
        CatalogItem.objects.filter(pk__in=[i.pk for i in drafts]).update(
            status=ItemStatus.PUBLISHED
        )
        versions = CatalogVersion.objects.select_for_update()
        versions = (
            versions.filter(org_unit__isnull=True)
            if target is None
            else versions.filter(org_unit=target)
        )
        number = (versions.aggregate(n=Max("number"))["n"] or 0) + 1
        items = list(
            selectors.effective_items_for_unit(org_unit=target).filter(status=ItemStatus.PUBLISHED)
        )
        snapshot = []
        for item in items:
            row = provincial_snapshot_row(item)
            row["org_unit"] = item.org_unit.code if item.org_unit else ""
            row["extends"] = item.extends.code if item.extends else ""
            row["time_limit_days"] = item.time_limit_days
            row["materials"] = list(item.materials)
            snapshot.append(row)
        version = CatalogVersion.objects.create(
            org_unit=target,
            number=number,
            note=(note or "").strip()[:200],
            published_by=user,
            item_count=len(items),
            snapshot=snapshot,
        )
        pending = CatalogChange.objects.filter(version__isnull=True)
        pending = (
            pending.filter(org_unit__isnull=True)
            if target is None
            else pending.filter(org_unit=target)
        )
        attached = pending.update(version=version)
        CatalogChange.objects.create(
            org_unit=target,
            action=ChangeAction.PUBLISH,
            changes={"number": number, "published": len(drafts), "changes": attached},
            actor=user,
            version=version,
        )
        audit_record(
            actor=user,
            action="catalog.publish",
            object_type="catalog",
            object_id=f"{target.code if target else 'province'}-v{number}",
            changes={"items": len(items), "published_drafts": len(drafts)},
        )
    return version
