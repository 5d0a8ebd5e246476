"""Reads of the service catalog. The published catalog is public (大众端 browse/search);
management reads go through `catalog_item_get_for_user` (catalog.manage + org-unit scope)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext

from zqt.accounts.models import OrgUnit, User
from zqt.accounts.selectors import org_unit_get, service_board_list
from zqt.audit.models import AuditOutcome
from zqt.audit.services import audit_record
from zqt.catalog.enums import ItemStatus
from zqt.catalog.models import CatalogChange, CatalogItem, CatalogVersion, ServiceCategory
from zqt.catalog.rules import CHANNEL_LABELS
from zqt.core.errors import NotFoundError, PermissionDeniedError
from zqt.enterprises.selectors import require_capability

MAX_RESULTS = 200


def category_list() -> QuerySet[ServiceCategory]:
    return ServiceCategory.objects.order_by("code")


def board_names() -> dict[str, str]:
    return {b.code: b.name for b in service_board_list()}


def _unit_chain(org_unit_code: str | None) -> list[str]:
    """The unit and its ancestors (a county's catalog includes its city's local items)."""
    codes: list[str] = []
    unit = org_unit_get(code=org_unit_code) if org_unit_code else None
    while unit is not None:
        codes.append(unit.code)
        unit = unit.parent
    return codes


def _search_terms(query: str) -> list[str]:
    import jieba

    terms = [t for t in jieba.cut_for_search(query) if len(t.strip()) >= 2]
    return list(dict.fromkeys(terms)) or [query]


def _text_q(term: str) -> Q:
    return (
        Q(name__icontains=term)
        | Q(description__icontains=term)
        | Q(responsible_units__icontains=term)
        | Q(category__name__icontains=term)
    )


def catalog_browse(
    *, query: str = "", category: str = "", org_unit_code: str | None = None
) -> list[CatalogItem]:
    """Published items of the provincial guide plus the local items of `org_unit_code` and its
    ancestors; Chinese text search: whole phrase first, else any of its jieba words, ranked by
    how many words match."""
    qs = CatalogItem.objects.filter(status=ItemStatus.PUBLISHED).select_related("category")
    chain = _unit_chain(org_unit_code)
    qs = qs.filter(Q(org_unit__isnull=True) | Q(org_unit__code__in=chain))
    if category:
        qs = qs.filter(category__code=category)
    query = (query or "").strip()[:50]
    if not query:
        return list(qs.order_by("code")[:MAX_RESULTS])
    exact = list(qs.filter(_text_q(query)).order_by("code")[:MAX_RESULTS])
    if exact:
        return exact
    terms = _search_terms(query)
    any_q = Q()
    for term in terms:
        any_q |= _text_q(term)
    candidates = list(qs.filter(any_q).order_by("code")[:MAX_RESULTS])

    def score(item: CatalogItem) -> int:
        text = f"{item.name} {item.description} {item.responsible_units} {item.category.name}"
        return sum(1 for t in terms if t.lower() in text.lower())

    return sorted(candidates, key=lambda i: (-score(i), i.code))


@dataclass(frozen=True)
class ItemView:
    item: CatalogItem
    board_name: str
    channel_labels: list[str]
    provider: str
    time_limit: str
    materials: list[str]
    local_items: list[CatalogItem]


def catalog_item_public(*, code: str) -> ItemView:
    """A published item with everything its page says: who provides it, how, how long, what."""
    item = (
        CatalogItem.objects.select_related("category", "org_unit", "extends")
        .filter(code=code, status=ItemStatus.PUBLISHED)
        .first()
    )
    if item is None:
        raise NotFoundError("服务事项不存在或未发布。")
    return item_view(item)


def item_view(item: CatalogItem) -> ItemView:
    """The item page's view: the fallback wording is UI text, in the request's language."""
    boards = board_names()
    provider = item.responsible_units or gettext("由当地企业综合服务中心确定牵头部门")
    if item.org_unit is not None:
        provider = f"{item.org_unit.name} · {provider}"
    if item.time_limit_days is not None:
        time_limit = (
            gettext("即时办结")
            if item.time_limit_days == 0
            else gettext("%(d)s 个工作日") % {"d": item.time_limit_days}
        )
    else:
        time_limit = gettext("按服务约定（诉求类按“1、3、5”工作日时限办理）")
    materials = list(item.materials) or [gettext("无需提交材料，凭企业码（电子营业执照）即可申请")]
    local_items = list(
        item.local_items.filter(status=ItemStatus.PUBLISHED).select_related("org_unit")
    )
    return ItemView(
        item=item,
        board_name=boards.get(item.board_code, ""),
        channel_labels=[CHANNEL_LABELS.get(c, c) for c in item.channels],
        provider=provider,
        time_limit=time_limit,
        materials=materials,
        local_items=local_items,
    )


def manage_scope(*, user: Any) -> OrgUnit | None:
    """The org unit whose catalog an operations user manages (403 without catalog.manage)."""
    actor = require_capability(user=user, capability="catalog.manage", object_type="catalog")
    if actor.org_unit_id is None:
        raise PermissionDeniedError("您的账号未关联组织，不能管理服务清单。")
    return actor.org_unit


def catalog_item_get_for_user(
    *, user: Any, code: str, capability: str = "catalog.manage", ip_address: str | None = None
) -> CatalogItem:
    """THE fetch-and-authorise function for managing an item: operations staff manage items
    of their own org unit and below; the provincial guide only at province level."""
    actor = require_capability(
        user=user, capability=capability, object_type="catalog_item", object_id=code
    )
    item = CatalogItem.objects.select_related("category", "org_unit").filter(code=code).first()
    prefix = actor.org_unit.scope_prefix if actor.org_unit_id else None  # type: ignore[union-attr]
    allowed = False
    if item is not None and prefix is not None:
        if item.org_unit is None:
            allowed = len(prefix) == 2  # province
        else:
            allowed = item.org_unit.code.startswith(prefix)
    if not allowed:
        audit_record(
            actor=actor,
            action=capability,
            object_type="catalog_item",
            object_id=code[:64],
            outcome=AuditOutcome.DENIED,
            changes={"reason": "not_found" if item is None else "out_of_scope"},
            ip_address=ip_address,
        )
        raise NotFoundError("服务事项不存在或不在您的管理范围内。")
    assert item is not None
    return item


def local_items_for_unit(*, org_unit: OrgUnit) -> QuerySet[CatalogItem]:
    return (
        CatalogItem.objects.filter(org_unit=org_unit)
        .select_related("category", "extends")
        .order_by("code")
    )


def effective_items_for_unit(*, org_unit: OrgUnit | None) -> QuerySet[CatalogItem]:
    """Provincial guide + the unit's own items (any status except withdrawn)."""
    qs = CatalogItem.objects.select_related("category", "extends", "org_unit").exclude(
        status=ItemStatus.WITHDRAWN
    )
    if org_unit is None:
        return qs.filter(org_unit__isnull=True).order_by("code")
    return qs.filter(Q(org_unit__isnull=True) | Q(org_unit=org_unit)).order_by("code")


def version_list(*, org_unit: OrgUnit | None) -> QuerySet[CatalogVersion]:
    qs = CatalogVersion.objects.select_related("published_by")
    if org_unit is None:
        return qs.filter(org_unit__isnull=True).order_by("-number")
    return qs.filter(org_unit=org_unit).order_by("-number")


def change_list(*, org_unit: OrgUnit | None, limit: int = 100) -> list[CatalogChange]:
    qs = CatalogChange.objects.select_related("actor", "version")
    qs = qs.filter(org_unit__isnull=True) if org_unit is None else qs.filter(org_unit=org_unit)
    return list(qs.order_by("-created_at", "-id")[:limit])


def user_for_audit(user: Any) -> User | None:
    return user if isinstance(user, User) else None
