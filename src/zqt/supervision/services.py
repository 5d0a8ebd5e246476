"""Writes of supervision: item lists (versioned), draws (commit, then draw), expert draws for
tenders, joint inspections (综合查一次), inspection results feeding credit.

Each service authorises first (refusals are audited and must survive), validates with Chinese
messages, and writes atomically with an audit record; a failing draw or result writes nothing.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from zqt.accounts.enums import Role
from zqt.accounts.models import User
from zqt.accounts.selectors import user_scope_prefix
from zqt.audit.services import audit_record
from zqt.core.errors import ConflictError, NotFoundError, ValidationFailed
from zqt.core.services import full_clean_or_raise
from zqt.core.timeutil import local_today
from zqt.credit import selectors as credit_selectors
from zqt.credit import services as credit_services
from zqt.enterprises import selectors as ent
from zqt.enterprises.enums import EnterpriseStatus
from zqt.enterprises.models import Enterprise
from zqt.supervision import draw_engine, selectors
from zqt.supervision.enums import (
    DrawPurpose,
    DrawStatus,
    FindingOutcome,
    InspectionStatus,
    ItemColour,
)
from zqt.supervision.models import (
    Draw,
    Expert,
    Finding,
    Inspection,
    InspectionItem,
    InspectorProfile,
    ItemList,
    JointInspection,
    Tender,
)

CLOSED = (EnterpriseStatus.REVOKED, EnterpriseStatus.DEREGISTERED)
DEFAULT_RECENT_DAYS = 365
FINDING_FACTOR = {
    ItemColour.RED: "finding_red",
    ItemColour.YELLOW: "finding_yellow",
    ItemColour.GREEN: "finding_green",
}


def _number(prefix: str) -> str:
    return f"{prefix}{local_today():%Y%m%d}-{uuid.uuid4().hex[:6].upper()}"


def _user_department(actor: User, department_code: str) -> tuple[str, str]:
    """(code, name) of one of the actor's departments."""
    dept = actor.departments.filter(code=department_code).first()
    if dept is None:
        raise ValidationFailed("请选择您所在的部门。", field="department_code")
    return dept.code, dept.name


# --- item lists ------------------------------------------------------------------------------


def item_list_publish(
    *,
    user: Any,
    department_key: str,
    department_name: str,
    items: Sequence[Mapping[str, Any]],
    note: str = "",
    ip_address: str | None = None,
) -> ItemList:
    """Publish the next version of a department's 红/黄/绿 item list (the previous version
    stays for the inspections planned with it)."""
    actor = ent.require_capability(
        user=user,
        capability="supervision.item_manage",
        object_type="item_list",
        object_id=department_key,
        ip_address=ip_address,
    )
    own_keys = {
        selectors.department_key(c) for c in actor.departments.values_list("code", flat=True)
    }
    if actor.role != Role.OPERATIONS and department_key not in own_keys:
        raise ValidationFailed("只能修订本部门的检查事项清单。", field="department_key")
    return _item_list_write(
        actor=actor,
        department_key=department_key,
        department_name=department_name,
        items=items,
        note=note,
        ip_address=ip_address,
    )


def _item_list_write(
    *,
    actor: User | None,
    department_key: str,
    department_name: str,
    items: Sequence[Mapping[str, Any]],
    note: str,
    ip_address: str | None = None,
) -> ItemList:
    if not items:
        raise ValidationFailed("检查事项清单不能为空。", field="items")
    seen: set[str] = set()
    clean: list[InspectionItem] = []
    for n, raw in enumerate(items, start=1):
        code = str(raw.get("code") or "").strip()
        title = str(raw.get("title") or "").strip()
        colour = str(raw.get("colour") or "").strip()
        basis = str(raw.get("legal_basis") or "").strip()
        if not code or not title:
            raise ValidationFailed(f"第{n}项：事项编码和检查事项不能为空。", field="items")
        if code in seen:
            raise ValidationFailed(f"第{n}项：事项编码“{code}”重复。", field="items")
        if colour not in ItemColour.values:
            raise ValidationFailed(f"第{n}项：类别须为红、黄、绿之一。", field="items")
        if not basis:
            raise ValidationFailed(f"第{n}项：须写明检查依据（法律法规条款）。", field="items")
        seen.add(code)
        clean.append(
            InspectionItem(
                code=code, title=title[:200], colour=colour, legal_basis=basis[:300], sort_order=n
            )
        )
    with transaction.atomic():
        last = (
            ItemList.objects.select_for_update()
            .filter(department_code=department_key)
            .order_by("-version")
            .first()
        )
        ItemList.objects.filter(department_code=department_key, is_current=True).update(
            is_current=False
        )
        item_list = ItemList.objects.create(
            department_code=department_key,
            department_name=department_name[:64],
            version=(last.version if last else 0) + 1,
            is_current=True,
            note=note[:200],
            published_by=actor,
        )
        for item in clean:
            item.item_list = item_list
            full_clean_or_raise(item)
        InspectionItem.objects.bulk_create(clean)
        if actor is None:
            # Shipped reference lists (zqt load_reference), like every other reference loader,
            # are not a person's act; the list's version and note say where it came from.
            return item_list
        audit_record(
            actor=actor,
            action="item_list.publish",
            object_type="item_list",
            object_id=f"{department_key}:v{item_list.version}",
            changes={"items": len(clean), "note": note},
            ip_address=ip_address,
        )
    return item_list


def inspector_profile_set(*, user: Any, inspector: User, home_region_code: str) -> InspectorProfile:
    actor = ent.require_capability(
        user=user,
        capability="supervision.draw",
        object_type="inspector_profile",
        object_id=str(inspector.pk),
    )
    if inspector.role != Role.INSPECTOR:
        raise ValidationFailed("只能为执法人员登记回避信息。", field="inspector")
    with transaction.atomic():
        profile, _ = InspectorProfile.objects.update_or_create(
            user=inspector, defaults={"home_region_code": home_region_code.strip()[:12]}
        )
        audit_record(
            actor=actor,
            action="inspector_profile.set",
            object_type="user",
            object_id=str(inspector.pk),
            changes={"home_region": home_region_code},
        )
    return profile


# --- draws -----------------------------------------------------------------------------------


def _snapshot(lines: list[str]) -> tuple[bytes, str]:
    data = draw_engine.lines_text(lines).encode()
    return gzip.compress(data, compresslevel=1, mtime=0), hashlib.sha256(data).hexdigest()


def _commit(
    *,
    actor: User,
    purpose: str,
    title: str,
    department_code: str,
    department_name: str,
    subjects: draw_engine.Population,
    pool: list[draw_engine.Assignee],
    pool_labels: dict[str, str],
    conflicts: list[tuple[str, str]],
    region_conflict: bool,
    k: int,
    m: int,
    max_per_assignee: int | None,
    population_filter: dict[str, Any],
    excluded: list[list[str]],
    weights: dict[str, int],
    item_list: ItemList | None = None,
    tender: Tender | None = None,
    ip_address: str | None = None,
) -> Draw:
    # Check now what the draw would refuse later, so a commitment is never published for a
    # draw that cannot be made (K > population, empty pool); conflicts are checked at the draw.
    try:
        draw_engine.check_subjects(subjects, k)
    except draw_engine.DrawError as exc:
        raise ValidationFailed(exc.message, field=exc.field) from None
    if m > 0 and not pool:
        raise ValidationFailed("执法人员（或场地）库为空，无法抽取。", field="pool")
    if m > len(pool):
        raise ValidationFailed(f"每个对象需 {m} 人，但人员库仅 {len(pool)} 人。", field="m")
    order = sorted(range(len(subjects)), key=subjects.keys.__getitem__)
    lines = [f"{subjects.keys[i]},{subjects.weights[i]},{subjects.regions[i]}" for i in order]
    blob, digest = _snapshot(lines)
    pool_text = draw_engine.pool_lines(pool)
    conflict_text = draw_engine.conflict_lines(conflicts)
    seed = draw_engine.new_seed()
    unit = actor.org_unit
    assert unit is not None
    with transaction.atomic():
        draw = Draw(
            number=_number("SJ" if purpose == DrawPurpose.INSPECTION else "ZJ"),
            purpose=purpose,
            title=title.strip()[:128],
            department_code=department_code,
            department_name=department_name,
            org_unit=unit,
            created_by=actor,
            item_list=item_list,
            tender=tender,
            engine_version=draw_engine.ENGINE_VERSION,
            population_filter=population_filter,
            population_size=len(lines),
            population_digest=digest,
            population_gz=blob,
            weights=weights,
            pool=pool_text,
            pool_digest=draw_engine.digest_lines(pool_text),
            pool_labels=pool_labels,
            conflicts=conflict_text,
            conflicts_digest=draw_engine.digest_lines(conflict_text),
            region_conflict=region_conflict,
            excluded=excluded,
            k=k,
            m=m,
            max_per_assignee=max_per_assignee,
            commitment=draw_engine.commitment_for(seed),
            seed_hex=seed.hex(),
            committed_at=timezone.now(),
        )
        full_clean_or_raise(draw, exclude=["population_gz"])
        draw.save()
        audit_record(
            actor=actor,
            action="draw.commit",
            object_type="draw",
            object_id=draw.number,
            changes={
                "commitment": draw.commitment,
                "population": len(lines),
                "population_digest": digest,
                "k": k,
                "m": m,
            },
            ip_address=ip_address,
        )
    return draw


def _clean_int(value: Any, *, field: str, label: str, minimum: int, maximum: int) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationFailed(f"{label}须为整数。", field=field) from None
    if not minimum <= number <= maximum:
        raise ValidationFailed(f"{label}须在 {minimum} 到 {maximum} 之间。", field=field)
    return number


def inspection_draw_commit(
    *,
    user: Any,
    title: str,
    department_code: str,
    k: Any,
    m: Any = 2,
    region_prefix: str = "",
    industry_code: str = "",
    region_conflict: bool = True,
    recent_days: Any = DEFAULT_RECENT_DAYS,
    max_per_assignee: Any = None,
    ip_address: str | None = None,
) -> Draw:
    """Freeze the population (enterprises in scope matching the filter, weighted by credit
    grade), the inspector pool of the department and the conflicts, and publish the seed's
    commitment. The draw itself is `draw_execute`."""
    actor = ent.require_capability(
        user=user, capability="supervision.draw", object_type="draw", ip_address=ip_address
    )
    if not (title or "").strip():
        raise ValidationFailed("请填写抽查任务名称。", field="title")
    code, name = _user_department(actor, department_code)
    key = selectors.department_key(code)
    item_list = selectors.item_list_current(department_key=key)
    if item_list is None:
        raise ValidationFailed("本部门尚未发布检查事项清单。", field="department_code")
    k_value = _clean_int(k, field="k", label="抽取企业数", minimum=1, maximum=100_000)
    m_value = _clean_int(m, field="m", label="每户执法人员数", minimum=1, maximum=10)
    days = _clean_int(
        recent_days, field="recent_days", label="近期检查回避天数", minimum=0, maximum=3650
    )
    cap = None
    if max_per_assignee not in (None, ""):
        cap = _clean_int(
            max_per_assignee,
            field="max_per_assignee",
            label="每人最多检查户数",
            minimum=1,
            maximum=100_000,
        )
    scope = user_scope_prefix(actor) or ""
    region_prefix = (region_prefix or "").strip()
    if region_prefix and not region_prefix.startswith(scope):
        raise ValidationFailed("抽查范围超出您的管辖区域。", field="region_prefix")
    qs = ent.enterprise_queryset_for_user(user=actor).exclude(status__in=CLOSED)
    if region_prefix:
        qs = qs.filter(region_code__startswith=region_prefix)
    industry_code = (industry_code or "").strip()
    if industry_code:
        qs = qs.filter(industry_code=industry_code)
    weights = credit_selectors.grade_weights()
    population = draw_engine.Population([], [], [])
    for uscc, grade, region in qs.values_list(
        "uscc", credit_selectors.GRADE_LOOKUP, "region_code"
    ).iterator(chunk_size=50_000):
        population.keys.append(uscc)
        population.weights.append(weights[grade or ""])
        population.regions.append(region)
    inspectors = list(
        User.objects.filter(
            role=Role.INSPECTOR,
            is_active=True,
            departments__code__endswith=f"-{key}",
            org_unit__code__startswith=scope[:6] if len(scope) >= 6 else scope,
        )
        .select_related("inspector_profile")
        .distinct()
        .order_by("username")
    )
    pool = []
    labels: dict[str, str] = {}
    for person in inspectors:
        profile = getattr(person, "inspector_profile", None)
        pool.append(
            draw_engine.Assignee(
                key=person.username, region=profile.home_region_code if profile else ""
            )
        )
        labels[person.username] = person.display_name
    conflicts: list[tuple[str, str]] = []
    if days and pool:
        since = timezone.now() - dt.timedelta(days=days)
        conflicts = sorted(
            {
                (uscc, username)
                for uscc, username in Inspection.objects.filter(
                    recorded_at__gte=since, inspectors__in=inspectors
                ).values_list("enterprise__uscc", "inspectors__username")
                if username in labels
            }
        )
    population_filter = {
        "管辖范围": scope,
        "区域": region_prefix or "全部",
        "行业": industry_code or "全部",
        "登记状态": "存续/在业/歇业（不含吊销、注销）",
        "近期检查回避（天）": days,
        "权重": "按信用等级（A→E 权重递增）",
    }
    return _commit(
        actor=actor,
        purpose=DrawPurpose.INSPECTION,
        title=title,
        department_code=code,
        department_name=name,
        subjects=population,
        pool=pool,
        pool_labels=labels,
        conflicts=conflicts,
        region_conflict=bool(region_conflict),
        k=k_value,
        m=m_value,
        max_per_assignee=cap,
        population_filter=population_filter,
        excluded=[],
        weights=weights,
        item_list=item_list,
        ip_address=ip_address,
    )


def draw_execute(*, user: Any, number: str, ip_address: str | None = None) -> Draw:
    """Make a committed draw: run the engine on the frozen record, reveal the seed, publish the
    result and (inspection draws) plan one inspection per target with its inspectors."""
    draw = selectors.draw_get_for_user(user=user, number=number, capability="supervision.draw")
    min_wait = int(getattr(settings, "ZQT_DRAW_MIN_COMMIT_SECONDS", 0))
    with transaction.atomic():
        locked = Draw.objects.select_for_update().get(pk=draw.pk)
        if locked.status != DrawStatus.COMMITTED:
            raise ConflictError("该抽取已经进行，结果已公示。", field="status")
        if (timezone.now() - locked.committed_at).total_seconds() < min_wait:
            raise ConflictError("承诺公示时间未满，暂不能抽取。", field="status")
        lines = selectors.population_lines(locked)
        try:
            result = draw_engine.draw(
                seed=bytes.fromhex(locked.seed_hex),
                subjects=draw_engine.Population.from_lines(lines),
                k=locked.k,
                assignees=draw_engine.parse_pool(locked.pool),
                m=locked.m,
                conflicts=draw_engine.parse_conflicts(locked.conflicts),
                region_conflict=locked.region_conflict,
                max_per_assignee=locked.max_per_assignee,
            )
        except draw_engine.DrawError as exc:
            raise ValidationFailed(exc.message, field=exc.field) from None
        locked.result = result.lines()
        locked.result_digest = result.digest()
        locked.status = DrawStatus.DRAWN
        locked.drawn_at = timezone.now()
        locked.save(update_fields=["result", "result_digest", "status", "drawn_at", "updated_at"])
        if locked.purpose == DrawPurpose.INSPECTION:
            _plan_inspections(draw=locked, result=result)
        audit_record(
            actor=user,
            action="draw.execute",
            object_type="draw",
            object_id=locked.number,
            changes={"result_digest": locked.result_digest, "seed": locked.seed_hex},
            ip_address=ip_address,
        )
    return locked


def _plan_inspections(*, draw: Draw, result: draw_engine.DrawResult) -> None:
    assert draw.item_list_id is not None
    enterprises = {e.uscc: e for e in Enterprise.objects.filter(uscc__in=result.subjects)}
    users = {
        u.username: u
        for u in User.objects.filter(
            username__in={a for v in result.assignments.values() for a in v}
        )
    }
    today = local_today()
    rows = [
        Inspection(
            enterprise=enterprises[uscc], department_code=draw.department_code,
            department_name=draw.department_name, item_list_id=draw.item_list_id, draw=draw,
            region_code=enterprises[uscc].region_code, planned_on=today,
        )
        for uscc in result.subjects
    ]  # fmt: skip
    Inspection.objects.bulk_create(rows, batch_size=1000)
    if not any(r.pk for r in rows):  # backends that do not return ids from a bulk insert
        by_enterprise = dict(
            Inspection.objects.filter(draw=draw).values_list("enterprise_id", "pk")
        )
        for r in rows:
            r.pk = by_enterprise[r.enterprise_id]
    through = Inspection.inspectors.through
    links = [
        through(inspection_id=r.pk, user_id=users[a].pk)
        for r, uscc in zip(rows, result.subjects, strict=True)
        for a in result.assignments.get(uscc, [])
    ]
    through.objects.bulk_create(links, batch_size=2000)


# --- expert draws (seed 003 #1) --------------------------------------------------------------


def tender_create(
    *,
    user: Any,
    number: str,
    title: str,
    speciality: str,
    region_code: str,
    bidders: Sequence[str],
    venues: Sequence[str],
) -> Tender:
    actor = ent.require_capability(
        user=user, capability="supervision.draw", object_type="tender", object_id=number
    )
    bidders = [b.strip() for b in bidders if b and b.strip()]
    venues = [v.strip() for v in venues if v and v.strip()]
    if not venues:
        raise ValidationFailed("请至少填写一个评标场地。", field="venues")
    with transaction.atomic():
        tender = Tender(
            number=(number or "").strip(),
            title=(title or "").strip(),
            speciality=(speciality or "").strip(),
            region_code=region_code,
            bidders=bidders,
            venues=venues,
            org_unit=actor.org_unit,
        )
        full_clean_or_raise(tender)
        tender.save()
        audit_record(
            actor=actor,
            action="tender.create",
            object_type="tender",
            object_id=tender.number,
            changes={"bidders": bidders, "venues": venues},
        )
    return tender


def expert_draw_commit(
    *, user: Any, tender: Tender, k: Any, department_code: str, ip_address: str | None = None
) -> Draw:
    """Experts of the tender's speciality, those employed by a bidder excluded (published with
    the reason), each drawn expert matched at random to one evaluation venue (remote
    multi-site evaluation)."""
    actor = ent.require_capability(
        user=user, capability="supervision.draw", object_type="draw", ip_address=ip_address
    )
    scope = user_scope_prefix(actor)
    if scope is None or not tender.org_unit.scope_prefix.startswith(scope):
        raise NotFoundError("招标项目不存在或您无权操作。")
    code, name = _user_department(actor, department_code)
    k_value = _clean_int(k, field="k", label="抽取专家数", minimum=1, maximum=100)
    bidders = set(tender.bidders)
    subjects, excluded = draw_engine.Population([], [], []), []
    for expert in Expert.objects.filter(active=True, speciality=tender.speciality).order_by("code"):
        if expert.employer in bidders:
            excluded.append([expert.code, f"工作单位“{expert.employer}”为投标单位，回避"])
        else:
            subjects.keys.append(expert.code)
            subjects.weights.append(1)
            subjects.regions.append(expert.region_code)
    venues = [draw_engine.Assignee(key=f"V{i + 1}") for i in range(len(tender.venues))]
    labels = {f"V{i + 1}": v for i, v in enumerate(tender.venues)}
    return _commit(
        actor=actor,
        purpose=DrawPurpose.EXPERT,
        title=f"{tender.title}评标专家抽取",
        department_code=code,
        department_name=name,
        subjects=subjects,
        pool=venues,
        pool_labels=labels,
        conflicts=[],
        region_conflict=False,
        k=k_value,
        m=1,
        max_per_assignee=None,
        population_filter={"评标专业": tender.speciality, "招标项目": tender.number},
        excluded=excluded,
        weights={"*": 1},
        tender=tender,
        ip_address=ip_address,
    )


# --- joint inspections -----------------------------------------------------------------------


def joint_inspections_plan(
    *, user: Any, period_start: dt.date, period_end: dt.date, ip_address: str | None = None
) -> list[JointInspection]:
    """综合查一次: merge the planned checks of the same enterprise by different departments in
    the period into one visit (one combined checklist: every member inspection's items)."""
    actor = ent.require_capability(
        user=user,
        capability="supervision.draw",
        object_type="joint_inspection",
        ip_address=ip_address,
    )
    if period_end < period_start:
        raise ValidationFailed("计划期止不能早于计划期起。", field="period_end")
    scope = user_scope_prefix(actor) or "-"
    planned = Inspection.objects.filter(
        region_code__startswith=scope,
        status=InspectionStatus.PLANNED,
        joint__isnull=True,
        planned_on__gte=period_start,
        planned_on__lte=period_end,
    ).values_list("enterprise_id", "department_code", "id")
    by_enterprise: dict[int, list[tuple[str, int]]] = {}
    for enterprise_id, dept, inspection_id in planned:
        by_enterprise.setdefault(enterprise_id, []).append((dept, inspection_id))
    created = []
    with transaction.atomic():
        for enterprise_id, rows in sorted(by_enterprise.items()):
            if len({dept for dept, _ in rows}) < 2:
                continue
            joint = JointInspection.objects.create(
                number=_number("ZH"),
                enterprise_id=enterprise_id,
                period_start=period_start,
                period_end=period_end,
                created_by=actor,
            )
            Inspection.objects.filter(pk__in=[i for _, i in rows]).update(joint=joint)
            created.append(joint)
        audit_record(
            actor=actor,
            action="joint_inspection.plan",
            object_type="joint_inspection",
            changes={"created": [j.number for j in created]},
            ip_address=ip_address,
        )
    return created


# --- inspection results ----------------------------------------------------------------------


def _record_one(
    *,
    actor: User,
    inspection: Inspection,
    findings: Mapping[int, tuple[str, str]],
    conclusion: str,
) -> Inspection:
    locked = Inspection.objects.select_for_update().get(pk=inspection.pk)
    if locked.status != InspectionStatus.PLANNED:
        raise ConflictError(
            f"“{locked.department_name}”的检查结果已录入，不能重复录入。",
            field="inspection",
            code="duplicate_result",
        )
    if not locked.inspectors.filter(pk=actor.pk).exists():
        raise NotFoundError("检查任务不存在或您无权录入。")
    profile = InspectorProfile.objects.filter(user=actor).first()
    if (
        profile
        and profile.home_region_code
        and locked.region_code.startswith(profile.home_region_code)
    ):
        raise ValidationFailed(
            "您与该企业所在地区存在回避关系，不能录入检查结果。",
            field="inspection",
            code="conflict",
        )
    items = list(locked.item_list.items.all())
    missing = [i.title for i in items if i.pk not in findings]
    if missing:
        raise ValidationFailed(f"请逐项填写检查结果：{missing[0]}。", field="findings")
    unknown = set(findings) - {i.pk for i in items}
    if unknown:
        raise ValidationFailed("检查结果中有不属于本清单的事项。", field="findings")
    rows = []
    failed = []
    for item in items:
        outcome, note = findings[item.pk]
        if outcome not in FindingOutcome.values:
            raise ValidationFailed(f"“{item.title}”的结果不正确。", field="findings")
        if outcome == FindingOutcome.FAIL and not (note or "").strip():
            raise ValidationFailed(f"“{item.title}”不符合，请写明问题。", field="findings")
        rows.append(
            Finding(inspection=locked, item=item, outcome=outcome, note=(note or "").strip()[:300])
        )
        if outcome == FindingOutcome.FAIL:
            failed.append((item, (note or "").strip()))
    Finding.objects.bulk_create(rows)
    now = timezone.now()
    locked.status = InspectionStatus.RECORDED
    locked.recorded_at = now
    locked.recorded_by = actor
    locked.published_at = now
    locked.conclusion = (conclusion or "").strip()[:200] or (
        f"发现问题{len(failed)}项，责令整改" if failed else "未发现问题"
    )
    locked.save(
        update_fields=[
            "status",
            "recorded_at",
            "recorded_by",
            "published_at",
            "conclusion",
            "updated_at",
        ]
    )
    today = local_today()
    enterprise = locked.enterprise
    for item, note in failed:
        credit_services.credit_event_record(
            actor=actor,
            enterprise=enterprise,
            factor=FINDING_FACTOR[ItemColour(item.colour)],
            title=f"{item.title}：{note}"[:200],
            source_department=locked.department_name,
            occurred_on=today,
            source_key=f"inspection:{locked.pk}:item:{item.pk}",
        )
    if not failed:
        credit_services.credit_event_record(
            actor=actor,
            enterprise=enterprise,
            factor="inspection_clean",
            title=f"{locked.department_name}检查未发现问题",
            source_department=locked.department_name,
            occurred_on=today,
            source_key=f"inspection:{locked.pk}:clean",
        )
    audit_record(
        actor=actor,
        action="inspection.record",
        object_type="inspection",
        object_id=str(locked.pk),
        changes={
            "enterprise": enterprise.uscc,
            "failed": len(failed),
            "conclusion": locked.conclusion,
        },
    )
    return locked


def inspection_results_record(
    *,
    user: Any,
    uscc: str,
    results: Mapping[int, Mapping[int, tuple[str, str]]],
    conclusion: str = "",
    ip_address: str | None = None,
) -> list[Inspection]:
    """The inspector records, on site, the results of the enterprise's inspections assigned to
    them (one, or all members of a joint inspection): findings per item, published at once,
    failed items reported to credit. All or nothing."""
    actor = ent.require_capability(
        user=user,
        capability="supervision.inspect",
        object_type="inspection",
        object_id=uscc,
        ip_address=ip_address,
    )
    enterprise = ent.enterprise_get_for_user(
        user=actor,
        uscc=uscc,
        capability="enterprise.view",
        purpose="现场检查录入",
        ip_address=ip_address,
    )
    if not results:
        raise ValidationFailed("没有要录入的检查任务。", field="inspection")
    inspections = {
        i.pk: i
        for i in Inspection.objects.select_related("item_list", "enterprise").filter(
            pk__in=list(results), enterprise=enterprise
        )
    }
    if set(results) - set(inspections):
        raise NotFoundError("检查任务不存在或您无权录入。", field="inspection")
    done = []
    with transaction.atomic():
        for inspection_id in sorted(results):
            done.append(
                _record_one(
                    actor=actor,
                    inspection=inspections[inspection_id],
                    findings=results[inspection_id],
                    conclusion=conclusion,
                )
            )
    return done


def inspection_plan(
    *,
    user: Any,
    uscc: str,
    department_code: str,
    planned_on: dt.date,
    inspectors: Sequence[User],
    ip_address: str | None = None,
) -> Inspection:
    """A planned (red-list, key-supervision) check outside any draw."""
    actor = ent.require_capability(
        user=user, capability="supervision.draw", object_type="inspection", ip_address=ip_address
    )
    enterprise = ent.enterprise_get_for_user(
        user=actor,
        uscc=uscc,
        capability="enterprise.view",
        purpose="制定检查计划",
        ip_address=ip_address,
    )
    code, name = _user_department(actor, department_code)
    item_list = selectors.item_list_current(department_key=selectors.department_key(code))
    if item_list is None:
        raise ValidationFailed("本部门尚未发布检查事项清单。", field="department_code")
    if not inspectors or any(u.role != Role.INSPECTOR for u in inspectors):
        raise ValidationFailed("请指定执法人员。", field="inspectors")
    for person in inspectors:
        profile = InspectorProfile.objects.filter(user=person).first()
        if (
            profile
            and profile.home_region_code
            and enterprise.region_code.startswith(profile.home_region_code)
        ):
            raise ValidationFailed(
                f"{person.display_name}与该企业存在地域回避关系。",
                field="inspectors",
                code="conflict",
            )
    try:
        with transaction.atomic():
            inspection = Inspection.objects.create(
                enterprise=enterprise,
                department_code=code,
                department_name=name,
                item_list=item_list,
                region_code=enterprise.region_code,
                planned_on=planned_on,
            )
            inspection.inspectors.set(list(inspectors))
            audit_record(
                actor=actor,
                action="inspection.plan",
                object_type="inspection",
                object_id=str(inspection.pk),
                changes={"enterprise": uscc},
                ip_address=ip_address,
            )
    except IntegrityError:
        raise ConflictError("检查计划重复。", field="inspection") from None
    return inspection
