"""Supervision (督办) of 企业诉求: the periodic sweep and the orphan reconciler.

`supervision_sweep` (queue "sweeps", every 15 minutes, scheduled.py) is idempotent and safe with
several workers:

1. running clocks whose warning time passed and that are not yet flagged → flagged due-soon,
   the case's due_state set, the handler reminded (one notification per clock and due time);
2. running clocks whose due time passed → flagged overdue, handler reminded, and the case gets
   its first supervision notice (level 1, the board's leader in charge);
3. overdue cases whose current supervision notice's answer time has passed → the next level:
   2 the chief service commissioner, 3 the fallback 诉求 board (the case is moved there with a
   new 5-working-day clock), 4 the business-environment office.

Each batch runs in one transaction and takes its rows with SELECT … FOR UPDATE SKIP LOCKED
(PostgreSQL), so two sweeps never work on the same clock; state only moves forward (flags,
unique (appeal, level) notices, notifications keyed by event), so re-running changes nothing.
A missed run is made up by the next: every step compares with "now", not with the last run.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django_tasks import task

from zqt.accounts import selectors as staffing
from zqt.accounts.enums import BoardPosition, Role
from zqt.accounts.models import User
from zqt.accounts.selectors import service_board_list
from zqt.appeals import deadlines, selectors, services
from zqt.appeals.enums import EventKind, Stage, SupervisionLevel
from zqt.appeals.models import Appeal, StageClock, SupervisionNotice
from zqt.appeals.states import OPEN_STATUSES, OWNED_STATUSES, Status, can_transition
from zqt.audit.services import audit_record

BATCH_SIZE = 500


def _locked_batch(qs: QuerySet[StageClock], batch_size: int) -> list[StageClock]:
    if connection.features.has_select_for_update_skip_locked:
        qs = qs.select_for_update(skip_locked=True, of=("self",))
    return list(qs.order_by("pk")[:batch_size])


def _running() -> QuerySet[StageClock]:
    return StageClock.objects.filter(stopped_at__isnull=True, paused_at__isnull=True)


def _flag_batches(
    *, qs_factory: Any, flag: str, now: dt.datetime, batch_size: int, counts: Counter[str]
) -> list[int]:
    """Flag clocks batch by batch; returns the ids of case-level clocks flagged."""
    flagged_case_clocks: list[int] = []
    while True:
        with transaction.atomic():
            batch = _locked_batch(qs_factory(), batch_size)
            if not batch:
                return flagged_case_clocks
            ids = [c.pk for c in batch]
            StageClock.objects.filter(pk__in=ids).update(flagged=flag, updated_at=now)
            case_clocks = [c for c in batch if c.task_id is None]
            Appeal.objects.filter(
                pk__in=[c.appeal_id for c in case_clocks], status__in=OPEN_STATUSES
            ).update(due_state=flag, updated_at=now)
            handlers = dict(
                Appeal.objects.filter(pk__in=[c.appeal_id for c in batch]).values_list(
                    "pk", "handler_id"
                )
            )
            users = {u.pk: u for u in User.objects.filter(pk__in=set(handlers.values()) - {None})}
            refs = dict(
                Appeal.objects.filter(pk__in=[c.appeal_id for c in batch]).values_list(
                    "pk", "reference"
                )
            )
            for clock in batch:
                handler = users.get(handlers.get(clock.appeal_id) or 0)
                if handler is None:
                    continue
                due = (
                    deadlines.local(clock.due_at).strftime("%Y-%m-%d %H:%M") if clock.due_at else ""
                )
                what = "即将到期" if flag == "due_soon" else "已超期"
                services._notify(
                    handler,
                    title=f"诉求{refs.get(clock.appeal_id, '')}{what}",
                    body=f"办理时限：{due}。请抓紧办理。",
                    event_key=f"appeal-clock:{clock.pk}:{flag}:{clock.due_at}",
                )
                counts["reminders"] += 1
            audit_record(
                actor=None,
                action=f"appeal.sweep_{flag}",
                object_type="stage_clock",
                purpose="诉求时限督办",
                changes={"clocks": ids},
            )
            counts[flag] += len(batch)
            flagged_case_clocks += [c.pk for c in case_clocks]


def _addressee(appeal: Appeal, level: int) -> User | None:
    board_id = appeal.board_id
    if level == SupervisionLevel.BOARD_LEAD and board_id:
        return staffing.board_position_holder(
            org_unit_id=appeal.org_unit_id,
            board_id=board_id,
            position=BoardPosition.LEADER_IN_CHARGE,
        )
    if level == SupervisionLevel.CHIEF:
        holder = (
            staffing.board_position_holder(
                org_unit_id=appeal.org_unit_id,
                board_id=board_id,
                position=BoardPosition.CHIEF_COMMISSIONER,
            )
            if board_id
            else None
        )
        if holder:
            return holder
        chiefs = staffing.users_with_role(
            org_unit_id=appeal.org_unit_id, role=Role.CHIEF_COMMISSIONER
        )
        return chiefs[0] if chiefs else None
    if level == SupervisionLevel.FALLBACK:
        return appeal.handler
    offices = staffing.office_users(org_unit_id=appeal.org_unit_id)
    return offices[0] if offices else None


def escalate(*, appeal: Appeal, level: int, now: dt.datetime) -> bool:
    """Issue the level-`level` notice (once) and apply the level's consequence. Call with the
    appeal row locked. Returns False if that level was issued before."""
    cal = selectors.working_calendar()
    if SupervisionNotice.objects.filter(appeal=appeal, level=level).exists():
        return False
    if level == SupervisionLevel.FALLBACK:
        _move_to_fallback(appeal, now=now)
    addressee = _addressee(appeal, level)
    label = addressee.display_name if addressee else f"{appeal.org_unit.name}（未配置人员）"
    answer_by = deadlines.cutoff_of(cal.next_working_day(deadlines.local(now).date()))
    SupervisionNotice.objects.create(
        appeal=appeal,
        level=level,
        addressed_to=addressee,
        addressed_label=label[:100],
        due_at=answer_by,
    )
    appeal.supervision_level = level
    appeal.save(update_fields=["supervision_level", "updated_at"])
    if can_transition(appeal.status, Status.ESCALATED) and appeal.status != Status.ESCALATED:
        services._move(
            appeal,
            Status.ESCALATED,
            actor=None,
            message=f"超期，启动{SupervisionLevel(level).label}",
        )
    else:
        services._event(
            appeal,
            kind=EventKind.SUPERVISION,
            actor=None,
            message=f"超期，启动{SupervisionLevel(level).label}",
        )
    audit_record(
        actor=None,
        action="appeal.escalate",
        object_type="appeal",
        object_id=str(appeal.pk),
        changes={"level": level, "addressed_to": addressee.pk if addressee else None},
    )
    services._notify(
        addressee,
        title=f"督办单：诉求{appeal.reference}已超期",
        body=(
            f"{SupervisionLevel(level).label}。"
            f"请于{deadlines.local(answer_by):%Y-%m-%d %H:%M}前答复。"
        ),
        event_key=f"appeal:{appeal.pk}:notice:{level}",
    )
    return True


def _move_to_fallback(appeal: Appeal, *, now: dt.datetime) -> None:
    """Level 3: what the board could not solve goes to the 诉求 fallback board, 5 working days."""
    board = service_board_list().filter(code=services.FALLBACK_BOARD).first()
    if board is None or appeal.board_id == board.pk:
        return
    members = staffing.board_member_ids(org_unit_id=appeal.org_unit_id, board_id=board.pk)
    handler = staffing.least_loaded_commissioner(
        org_unit_id=appeal.org_unit_id,
        board_id=board.pk,
        open_counts=services._open_counts(list(members)),
    )
    if handler is None:
        return
    services._stop_clocks(appeal, stage=Stage.HANDLE)
    appeal.board, appeal.handler = board, handler
    appeal.save(update_fields=["board", "handler", "updated_at"])
    clock = services.clock_start(
        appeal=appeal, stage=Stage.HANDLE, tier=deadlines.Tier.FIVE_DAYS, started_at=now
    )
    StageClock.objects.filter(pk=clock.pk).update(flagged="on_track")
    services._event(
        appeal,
        kind=EventKind.SUPERVISION,
        actor=None,
        message=f"转诉求服务板块兜底办理，经办人{handler.display_name}，时限5个工作日",
    )


def _escalate_cases(
    *, appeal_ids: list[int], now: dt.datetime, counts: Counter[str], first: bool
) -> None:
    for appeal_id in appeal_ids:
        with transaction.atomic():
            qs = Appeal.objects.select_related("org_unit", "board", "handler", "enterprise")
            if connection.features.has_select_for_update_skip_locked:
                qs = qs.select_for_update(skip_locked=True, of=("self",))
            appeal = qs.filter(pk=appeal_id, status__in=OPEN_STATUSES).first()
            if appeal is None:
                continue
            level = 1 if first else appeal.supervision_level + 1
            if first and appeal.supervision_level >= 1:
                continue
            if level > SupervisionLevel.OFFICE:
                continue
            if escalate(appeal=appeal, level=level, now=now):
                counts[f"escalated_l{level}"] += 1


def supervision_run(
    *, now: dt.datetime | None = None, batch_size: int = BATCH_SIZE
) -> dict[str, int]:
    now = now or timezone.now()
    counts: Counter[str] = Counter()
    _flag_batches(
        qs_factory=lambda: _running().filter(flagged="on_track", warn_at__lte=now, due_at__gt=now),
        flag="due_soon",
        now=now,
        batch_size=batch_size,
        counts=counts,
    )
    overdue_clocks = _flag_batches(
        qs_factory=lambda: _running().filter(flagged__in=["on_track", "due_soon"], due_at__lte=now),
        flag="overdue",
        now=now,
        batch_size=batch_size,
        counts=counts,
    )
    first = list(
        StageClock.objects.filter(pk__in=overdue_clocks)
        .values_list("appeal_id", flat=True)
        .distinct()
    )
    _escalate_cases(appeal_ids=first, now=now, counts=counts, first=True)
    # Next level: overdue cases whose current notice's answer time has passed.
    current_notice_due = SupervisionNotice.objects.filter(
        appeal=OuterRef("pk"), level=OuterRef("supervision_level"), due_at__lte=now
    )
    nxt = list(
        Appeal.objects.filter(
            status__in=OPEN_STATUSES,
            due_state="overdue",
            supervision_level__gte=1,
            supervision_level__lt=SupervisionLevel.OFFICE,
        )
        .filter(Exists(current_notice_due))
        .values_list("pk", flat=True)[:10_000]
    )
    _escalate_cases(appeal_ids=nxt, now=now, counts=counts, first=False)
    return {
        "due_soon": counts["due_soon"],
        "overdue": counts["overdue"],
        "reminders": counts["reminders"],
        **{k: v for k, v in counts.items() if k.startswith("escalated_")},
    }


@task(queue_name="sweeps")
def supervision_sweep() -> dict[str, int]:
    return supervision_run()


def orphans_find() -> QuerySet[Appeal]:
    """Open cases that should have an owner and lack one ("no orphan")."""
    from django.db.models import Q

    return Appeal.objects.filter(status__in=OWNED_STATUSES).filter(
        Q(board__isnull=True) | Q(handler__isnull=True) | Q(handler__is_active=False)
    )


def orphans_reconcile(*, now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    today = deadlines.local(now).date().isoformat()
    count = 0
    for appeal in orphans_find().select_related("org_unit")[:1000]:
        count += 1
        recipients = staffing.users_with_role(
            org_unit_id=appeal.org_unit_id, role=Role.CHIEF_COMMISSIONER
        ) or staffing.office_users(org_unit_id=appeal.org_unit_id)
        for user in recipients:
            services._notify(
                user,
                title=f"无人负责的诉求：{appeal.reference}",
                body="该诉求缺少承办板块或经办人，请立即分派。",
                event_key=f"appeal:{appeal.pk}:orphan:{today}",
            )
    if count:
        audit_record(
            actor=None,
            action="appeal.orphans",
            object_type="appeal",
            purpose="无主诉求告警",
            changes={"count": count},
        )
    return count


@task(queue_name="sweeps")
def orphan_reconciler() -> int:
    return orphans_reconcile()


def clocks_recompute_all(*, reason: str, batch_size: int = 1000) -> int:
    """After the calendar (WorkingDayOverride) or the deadline policy changed: recompute every
    running clock, each change audited. Started times are kept."""
    cal = selectors.working_calendar()
    changed = 0
    last = 0
    while True:
        with transaction.atomic():
            batch = list(
                StageClock.objects.select_for_update()
                .filter(stopped_at__isnull=True, pk__gt=last)
                .order_by("pk")[:batch_size]
            )
            if not batch:
                return changed
            last = batch[-1].pk
            for clock in batch:
                changed += int(services.clock_recompute(clock=clock, reason=reason, cal=cal))


@task(queue_name="sweeps")
def webhook_retry() -> int:
    from zqt.appeals.webhooks import retry_due

    return retry_due()


@task(queue_name="sweeps")
def clocks_recompute(reason: str) -> int:
    """Enqueued (in the same transaction) when operations change the working-day calendar."""
    return clocks_recompute_all(reason=reason)
