"""Background tasks of the enterprise registry.

`licence_reminders_sweep` (queue "sweeps", scheduled hourly in scheduled.py) produces the
licence-expiry reminders of the enterprise space: for each threshold of
settings.ZQT_LICENCE_REMINDER_DAYS (60 and 30 days) and each active licence that entered it, once
per (licence, threshold, expiry date):

- a LicenceReminder row (UNIQUE (licence, threshold_days, expires_on): the "exactly once");
- a to-do "证照即将到期：…（还有N天）" keyed by the licence and its expiry date, created by the
  first reminder and refreshed by the next (a to-do the enterprise marked done stays done);
- a notification (template licence_expiring) to every user account of the enterprise, keyed
  by licence, threshold and expiry date (notification_send never sends an event twice).

A renewal (new expiry date) is a new key, so it gets its own reminders; the sweep also closes
the open renewal to-do of a licence that was renewed or revoked since.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, cast

from django.db import connection, transaction
from django.db.models import Exists, Field, OuterRef
from django.utils import timezone
from django_tasks import task

from zqt.audit.services import audit_record
from zqt.core.timeutil import local_today
from zqt.enterprises.enums import EnterpriseStatus, LicenceStatus, TodoStatus
from zqt.enterprises.models import EnterpriseMembership, Licence, LicenceReminder, Todo
from zqt.enterprises.space import reminder_thresholds

SWEEP_BATCH_SIZE = 1_000
RENEWAL_TODO_PREFIX = "licence-renewal:"
# Enterprises that no longer trade get no renewal reminders.
_CLOSED_STATUSES = (EnterpriseStatus.REVOKED, EnterpriseStatus.DEREGISTERED)


def renewal_todo_key(*, licence_id: int, expires_on: dt.date) -> str:
    return f"{RENEWAL_TODO_PREFIX}{licence_id}:{expires_on.isoformat()}"


def reminder_event_key(*, licence_id: int, threshold_days: int, expires_on: dt.date) -> str:
    return f"licence-expiring:{licence_id}:{threshold_days}:{expires_on.isoformat()}"


def _date_zh(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _todo_title(licence_type: str, days_left: int) -> str:
    when = "今天到期" if days_left == 0 else f"还有{days_left}天"
    return f"证照即将到期：{licence_type}（{when}）"[:128]


@task(queue_name="sweeps")
def licence_reminders_sweep() -> dict[str, int]:
    """Hourly: produce due licence-expiry reminders. Idempotent: a re-run (or a concurrent
    run) produces nothing twice. Returns counts (JSON)."""
    return licence_reminders_run()


def licence_reminders_run(
    *, today: dt.date | None = None, batch_size: int = SWEEP_BATCH_SIZE
) -> dict[str, int]:
    """The sweep itself (see the module docstring). `today` is the local (Asia/Shanghai) date.

    Which threshold: a licence gets the reminder of the SMALLEST threshold it is within, so a
    licence first seen with 25 days left gets only the 30-day reminder, never the 60-day one
    as well (that one would only repeat an older, less urgent message); a licence seen at 45
    days gets the 60-day reminder, and the 30-day one when it reaches 30 days. A licence is
    within a threshold of N days from N days before its expiry date through the expiry date
    itself (valid up to and including `expires_on`); an expired licence gets none.

    Set-based and bounded: per threshold, the licences in its expiry-date band that have no
    reminder yet are read in id order, `batch_size` at a time, each batch in one transaction.
    """
    today = today or local_today()
    counts: Counter[str] = Counter()
    lower = 0
    for threshold in reminder_thresholds():
        _sweep_band(
            threshold=threshold,
            first=today + dt.timedelta(days=lower),
            last=today + dt.timedelta(days=threshold),
            today=today,
            batch_size=batch_size,
            counts=counts,
        )
        lower = threshold + 1
    counts["todos_closed"] = _close_stale_renewal_todos(batch_size=batch_size)
    result = {
        "reminders": counts["reminders"],
        "todos": counts["todos"],
        "notifications": counts["notifications"],
        "todos_closed": counts["todos_closed"],
    }
    result.update({k: v for k, v in counts.items() if k.startswith("reminders_")})
    return result


def _sweep_band(
    *,
    threshold: int,
    first: dt.date,
    last: dt.date,
    today: dt.date,
    batch_size: int,
    counts: Counter[str],
) -> None:
    already = LicenceReminder.objects.filter(
        licence=OuterRef("pk"), threshold_days=threshold, expires_on=OuterRef("expires_on")
    )
    due = (
        Licence.objects.filter(
            status=LicenceStatus.ACTIVE, expires_on__gte=first, expires_on__lte=last
        )
        .exclude(enterprise__status__in=_CLOSED_STATUSES)
        .filter(~Exists(already))
    )
    last_id = 0
    while True:
        batch = list(
            due.filter(pk__gt=last_id)
            .order_by("pk")
            .values(
                "pk", "enterprise_id", "enterprise__name", "licence_type", "number", "expires_on"
            )[:batch_size]
        )
        if not batch:
            return
        last_id = batch[-1]["pk"]
        _remind_batch(batch, threshold=threshold, today=today, counts=counts)


def _insert_reminders(rows: Sequence[Mapping[str, Any]], *, threshold: int) -> set[int]:
    """Insert the reminders; return the licence ids whose reminder THIS call inserted.

    INSERT … ON CONFLICT DO NOTHING RETURNING (PostgreSQL, SQLite >= 3.35) tells exactly which
    rows were new: a concurrent sweep that inserted a row first (or is about to commit it —
    PostgreSQL waits for it on the unique index) makes ours a no-op that returns nothing, so
    only one sweep does the follow-up work. Django's bulk_create(ignore_conflicts=True) does not
    report which rows it inserted, hence the one raw statement.
    """
    if not rows:
        return set()
    meta = LicenceReminder._meta
    qn = connection.ops.quote_name
    columns = [
        str(cast(Field[Any, Any], meta.get_field(name)).column)
        for name in ("licence", "threshold_days", "expires_on", "created_at", "updated_at")
    ]
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    params: list[Any] = []
    for row in rows:
        params += [
            row["pk"],
            threshold,
            connection.ops.adapt_datefield_value(row["expires_on"]),
            now,
            now,
        ]
    values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(rows))
    sql = (
        f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(c) for c in columns)}) "  # noqa: S608
        f"VALUES {values} "
        f"ON CONFLICT ({qn(columns[0])}, {qn(columns[1])}, {qn(columns[2])}) DO NOTHING "
        f"RETURNING {qn(columns[0])}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {int(licence_id) for (licence_id,) in cursor.fetchall()}


def _members(enterprise_ids: Iterable[int]) -> dict[int, list[Any]]:
    out: dict[int, list[Any]] = defaultdict(list)
    memberships = (
        EnterpriseMembership.objects.filter(
            enterprise_id__in=set(enterprise_ids), user__is_active=True
        )
        .select_related("user")
        .order_by("user_id")
    )
    for membership in memberships:
        out[membership.enterprise_id].append(membership.user)
    return out


def _remind_batch(
    batch: Sequence[Mapping[str, Any]], *, threshold: int, today: dt.date, counts: Counter[str]
) -> None:
    """One transaction: reminders, to-dos, notifications and the audit record of a batch. If any
    part fails, none of it is kept and the next sweep tries again."""
    from zqt.notifications.services import notification_send

    with transaction.atomic():
        inserted = _insert_reminders(batch, threshold=threshold)
        rows = [row for row in batch if row["pk"] in inserted]
        if not rows:
            return
        now = timezone.now()
        todos = []
        for row in rows:
            days_left = (row["expires_on"] - today).days
            todos.append(
                Todo(
                    enterprise_id=row["enterprise_id"],
                    title=_todo_title(row["licence_type"], days_left),
                    detail=(
                        f"{row['licence_type']}（编号 {row['number']}）有效期至"
                        f"{_date_zh(row['expires_on'])}，请及时办理延续手续。"
                    )[:300],
                    due_on=row["expires_on"],
                    status=TodoStatus.OPEN,
                    source_key=renewal_todo_key(licence_id=row["pk"], expires_on=row["expires_on"]),
                    created_at=now,
                    updated_at=now,
                )
            )
        # Create, or refresh the title of the to-do an earlier threshold created. Its status is
        # left alone: a to-do the enterprise already marked done stays done.
        Todo.objects.bulk_create(
            todos,
            update_conflicts=True,
            unique_fields=["source_key"],
            update_fields=["title", "detail", "due_on", "updated_at"],
        )
        members = _members(row["enterprise_id"] for row in rows)
        sent = 0
        for row in rows:
            context = {
                "enterprise_name": row["enterprise__name"],
                "licence_type": row["licence_type"],
                "number": row["number"],
                "expires_on": _date_zh(row["expires_on"]),
                "days_left": (row["expires_on"] - today).days,
            }
            event_key = reminder_event_key(
                licence_id=row["pk"], threshold_days=threshold, expires_on=row["expires_on"]
            )
            for user in members.get(row["enterprise_id"], []):
                notification_send(
                    recipient=user,
                    template_code="licence_expiring",
                    context=context,
                    event_key=event_key,
                )
                sent += 1
        audit_record(
            actor=None,
            action="licence.reminder",
            object_type="licence",
            purpose="证照到期提醒",
            changes={
                "threshold_days": threshold,
                "today": today,
                "licence_ids": [row["pk"] for row in rows],
                "notified_users": sent,
            },
        )
    counts["reminders"] += len(rows)
    counts[f"reminders_{threshold}d"] += len(rows)
    counts["todos"] += len(rows)
    counts["notifications"] += sent


def _close_stale_renewal_todos(*, batch_size: int) -> int:
    """Close open renewal to-dos whose licence was renewed (another expiry date), revoked or
    deleted since the reminder. A licence that simply expired keeps its to-do open."""
    closed = 0
    last_id = 0
    while True:
        todos = list(
            Todo.objects.filter(
                status=TodoStatus.OPEN, source_key__startswith=RENEWAL_TODO_PREFIX, pk__gt=last_id
            )
            .order_by("pk")
            .values_list("pk", "source_key")[:batch_size]
        )
        if not todos:
            return closed
        last_id = todos[-1][0]
        keyed: dict[int, tuple[int, str]] = {}
        for todo_id, key in todos:
            licence_part, _sep, date_part = key[len(RENEWAL_TODO_PREFIX) :].partition(":")
            if licence_part.isdigit():
                keyed[todo_id] = (int(licence_part), date_part)
        current = {
            pk: (status, expires_on)
            for pk, status, expires_on in Licence.objects.filter(
                pk__in={licence_id for licence_id, _d in keyed.values()}
            ).values_list("pk", "status", "expires_on")
        }
        stale = []
        for todo_id, (licence_id, date_part) in keyed.items():
            state = current.get(licence_id)
            if (
                state is None
                or state[0] == LicenceStatus.REVOKED
                or state[1] is None
                or state[1].isoformat() != date_part
            ):
                stale.append(todo_id)
        if not stale:
            continue
        with transaction.atomic():
            count = Todo.objects.filter(pk__in=stale, status=TodoStatus.OPEN).update(
                status=TodoStatus.DONE, updated_at=timezone.now()
            )
            if count:
                audit_record(
                    actor=None,
                    action="todo.close",
                    object_type="todo",
                    purpose="证照已续期或已注销，关闭到期提醒待办",
                    changes={"todo_ids": stale, "count": count},
                )
        closed += count
