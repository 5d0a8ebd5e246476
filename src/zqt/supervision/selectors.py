"""Reads of supervision: item lists, draws (public record and staff view), inspections.

Fetch-and-authorise: `draw_get_for_user`, `inspection_get_for_user`, `joint_get_for_user`.
Public reads (一公开) go through `draw_get_public`, which never shows the seed of a draw that
is not yet made."""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet

from zqt.accounts.models import User
from zqt.accounts.selectors import user_scope_prefix
from zqt.core.errors import NotFoundError
from zqt.enterprises import selectors as ent
from zqt.enterprises.models import Enterprise
from zqt.supervision import draw_engine
from zqt.supervision.enums import DrawStatus, InspectionStatus
from zqt.supervision.models import (
    Draw,
    Inspection,
    InspectionItem,
    ItemList,
    JointInspection,
    Tender,
)

AnyUser = ent.AnyUser


def department_key(code: str) -> str:
    """'330802-market_regulation' → 'market_regulation' (item lists are per department kind)."""
    return code.rsplit("-", 1)[-1]


def item_list_current(*, department_key: str) -> ItemList | None:
    return (
        ItemList.objects.filter(department_code=department_key, is_current=True)
        .prefetch_related("items")
        .first()
    )


def item_lists_current() -> list[ItemList]:
    return list(
        ItemList.objects.filter(is_current=True)
        .prefetch_related(Prefetch("items", queryset=InspectionItem.objects.order_by("sort_order")))
        .order_by("department_code")
    )


def item_list_versions(*, department_key: str) -> QuerySet[ItemList]:
    return ItemList.objects.filter(department_code=department_key).order_by("-version")


# --- draws ------------------------------------------------------------------------------------


def population_lines(draw: Draw) -> list[str]:
    text = gzip.decompress(bytes(draw.population_gz)).decode()
    return text.splitlines()


def draw_list_public(*, limit: int = 100) -> QuerySet[Draw]:
    return Draw.objects.defer("population_gz").order_by("-committed_at", "-id")[:limit]


def draw_get_public(*, number: str) -> Draw:
    found = Draw.objects.defer("population_gz").filter(number=number).first()
    if found is None:
        raise NotFoundError("抽取记录不存在。")
    return found


def draw_get_for_user(*, user: AnyUser, number: str, capability: str = "supervision.view") -> Draw:
    actor = ent.require_capability(
        user=user, capability=capability, object_type="draw", object_id=number
    )
    found = Draw.objects.select_related("org_unit").filter(number=number).first()
    prefix = user_scope_prefix(actor)
    if found is None or prefix is None or not found.org_unit.scope_prefix.startswith(prefix):
        raise NotFoundError("抽取记录不存在或您无权查看。")
    return found


def public_seed(draw: Draw) -> str:
    """The seed, once revealed (never while the draw is only committed)."""
    return draw.seed_hex if draw.status == DrawStatus.DRAWN else ""


@dataclass
class Verification:
    ok: bool
    checks: list[tuple[str, bool]]
    result_lines: list[str]


def draw_verify(draw: Draw) -> Verification:
    """Re-run a made draw from its public record alone: commitment, digests, result."""
    checks: list[tuple[str, bool]] = []
    if draw.status != DrawStatus.DRAWN:
        return Verification(False, [("抽取尚未进行，种子未公开", False)], [])
    checks.append(
        (
            "种子与事先公示的承诺一致",
            draw_engine.verify_commitment(seed_hex=draw.seed_hex, commitment=draw.commitment),
        )
    )
    lines = population_lines(draw)
    checks.append(
        ("抽查对象名录与公示摘要一致", draw_engine.digest_lines(lines) == draw.population_digest)
    )
    pool_lines = [str(x) for x in draw.pool]
    checks.append(
        ("人员库与公示摘要一致", draw_engine.digest_lines(pool_lines) == draw.pool_digest)
    )
    conflict_lines = [str(x) for x in draw.conflicts]
    checks.append(
        ("回避对与公示摘要一致", draw_engine.digest_lines(conflict_lines) == draw.conflicts_digest)
    )
    try:
        result = draw_engine.draw(
            seed=bytes.fromhex(draw.seed_hex),
            subjects=draw_engine.Population.from_lines(lines),
            k=draw.k,
            assignees=draw_engine.parse_pool(pool_lines),
            m=draw.m,
            conflicts=draw_engine.parse_conflicts(conflict_lines),
            region_conflict=draw.region_conflict,
            max_per_assignee=draw.max_per_assignee,
        )
        again = result.lines()
    except draw_engine.DrawError:
        again = []
    checks.append(
        (
            "重新计算的结果与公布结果一致",
            again == list(draw.result) and result.digest() == draw.result_digest
            if again
            else False,
        )
    )
    return Verification(all(ok for _, ok in checks), checks, again)


def draw_result_rows(draw: Draw) -> list[dict[str, Any]]:
    """The published result with names: subject, its assignees, and (inspection draws) the
    inspection's published outcome."""
    rows = []
    pool_labels = {str(k): str(v) for k, v in (draw.pool_labels or {}).items()}
    names: dict[str, str] = {}
    inspections: dict[str, Inspection] = {}
    if draw.purpose == "inspection":
        for insp in draw.inspections.select_related("enterprise"):
            names[insp.enterprise.uscc] = insp.enterprise.name
            inspections[insp.enterprise.uscc] = insp
    else:
        from zqt.supervision.models import Expert

        subjects = [line.split(":", 1)[0] for line in draw.result]
        for e in Expert.objects.filter(code__in=subjects):
            names[e.code] = f"{e.name}（{e.speciality}）"
    for line in draw.result:
        subject, _, rest = str(line).partition(":")
        assignees = [a for a in rest.split("|") if a]
        found = inspections.get(subject)
        rows.append(
            {
                "subject": subject,
                "name": names.get(subject, ""),
                "assignees": [pool_labels.get(a, a) for a in assignees],
                "inspection": found,
            }
        )
    return rows


# --- inspections ------------------------------------------------------------------------------


def inspection_get_for_user(*, user: AnyUser, inspection_id: int) -> Inspection:
    """An inspector: inspections assigned to them; other staff with supervision.view: in scope."""
    actor = ent.require_capability(
        user=user,
        capability="supervision.view",
        object_type="inspection",
        object_id=str(inspection_id),
    )
    found = (
        Inspection.objects.select_related("enterprise", "item_list", "draw", "joint")
        .filter(pk=inspection_id)
        .first()
    )
    prefix = user_scope_prefix(actor)
    if found is None or prefix is None or not found.region_code.startswith(prefix):
        raise NotFoundError("检查任务不存在或您无权查看。")
    if actor.role == "inspector" and not found.inspectors.filter(pk=actor.pk).exists():
        raise NotFoundError("检查任务不存在或您无权查看。")
    return found


def open_inspections_for(*, user: User, enterprise: Enterprise) -> list[Inspection]:
    """The planned inspections of `enterprise` assigned to the inspector (joint ones together)."""
    return list(
        Inspection.objects.filter(
            enterprise=enterprise, inspectors=user, status=InspectionStatus.PLANNED
        )
        .select_related("item_list", "draw", "joint")
        .prefetch_related("item_list__items")
        .order_by("joint_id", "department_code", "id")
    )


def inspections_for_enterprise(*, enterprise: Enterprise, limit: int = 20) -> list[Inspection]:
    return list(
        Inspection.objects.filter(enterprise=enterprise)
        .select_related("draw", "joint")
        .prefetch_related("findings__item")
        .order_by("-planned_on", "-id")[:limit]
    )


def inspection_queryset_for_user(*, user: AnyUser) -> QuerySet[Inspection]:
    actor = ent.require_capability(
        user=user, capability="supervision.view", object_type="inspection"
    )
    prefix = user_scope_prefix(actor)
    if prefix is None:
        return Inspection.objects.none()
    qs = Inspection.objects.filter(region_code__startswith=prefix)
    if actor.role == "inspector":
        qs = qs.filter(inspectors=actor)
    return qs.select_related("enterprise", "draw", "joint").order_by("status", "planned_on", "id")


def joint_list_for_user(*, user: AnyUser) -> QuerySet[JointInspection]:
    actor = ent.require_capability(
        user=user, capability="supervision.view", object_type="joint_inspection"
    )
    prefix = user_scope_prefix(actor)
    if prefix is None:
        return JointInspection.objects.none()
    return (
        JointInspection.objects.filter(enterprise__region_code__startswith=prefix)
        .select_related("enterprise")
        .prefetch_related("inspections")
        .order_by("-created_at")
    )


def published_results(*, limit: int = 50) -> QuerySet[Inspection]:
    """Published inspection results (一公开), newest first."""
    return (
        Inspection.objects.filter(published_at__isnull=False)
        .select_related("enterprise", "draw")
        .order_by("-published_at")[:limit]
    )


def draw_population_public(*, number: str) -> list[str]:
    """The frozen population of a draw as published lines ('key,weight,region')."""
    found = Draw.objects.filter(number=number).first()
    if found is None:
        raise NotFoundError("抽取记录不存在。")
    return population_lines(found)


def tender_get(*, number: str) -> Tender:
    found = Tender.objects.filter(number=number).first()
    if found is None:
        raise NotFoundError("招标项目不存在。")
    return found
