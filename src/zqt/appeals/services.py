"""Writes of 企业诉求. Each service authorises first through selectors.appeal_get_for_user (the
refusal is audited and must survive, so that happens BEFORE the service's transaction), then, in
one transaction, locks the appeal row, checks the state machine, writes, appends to the
timeline and the audit trail, and enqueues follow-up work (notifications, webhooks) in the same
transaction (outbox). Nothing is written when anything is wrong.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Sequence
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone

from zqt.accounts import selectors as staffing
from zqt.accounts.enums import BoardPosition, Role
from zqt.accounts.models import Department, ServiceBoard, User
from zqt.accounts.selectors import org_unit_get, service_board_list
from zqt.appeals import classifier, deadlines, sampling, selectors
from zqt.appeals.enums import (
    AppealType,
    CallbackReason,
    CallbackResult,
    Channel,
    DecisionStatus,
    Difficulty,
    EventKind,
    ProblemClassStatus,
    ResolutionType,
    ReviewStatus,
    Scope,
    Score,
    Stage,
    SupervisionLevel,
    TaskRole,
    TaskStatus,
)
from zqt.appeals.models import (
    Appeal,
    AppealAttachment,
    AppealEvent,
    AppealTask,
    Callback,
    Extension,
    ProblemClass,
    Rating,
    RatingReview,
    StageClock,
    SupervisionNotice,
    WorkingDayOverride,
)
from zqt.appeals.states import OPEN_STATUSES, Status, transition_check
from zqt.audit.services import audit_record
from zqt.core.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationFailed
from zqt.core.services import full_clean_or_raise
from zqt.enterprises.selectors import (
    enterprise_for_member,
    enterprise_get_for_user,
    require_capability,
)

TITLE_MAX = 100
CONTENT_MAX = 5000
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
ATTACHMENT_MAX_COUNT = 5
ATTACHMENT_TYPES = {
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FALLBACK_BOARD = "appeals"
INTAKE_CLEAN_EXCLUDE = ["reference", "enterprise", "org_unit", "submitted_by", "idempotency_key"]
EXTENSION_MAX_DAYS = 10


_REFERENCE_RE = re.compile(r"SQ\d{8}[0-9A-F]{8}")


def callback_seed() -> str:
    return str(getattr(settings, "ZQT_APPEAL_CALLBACK_SEED", "zqt-callbacks"))


# --- small helpers ---------------------------------------------------------------------------


def _clean_text(
    value: Any, *, label: str, field: str, max_length: int, required: bool = True
) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ValidationFailed(f"{label}不能为空。", field=field)
    if len(text) > max_length:
        raise ValidationFailed(
            f"{label}不能超过{max_length}个字（现有{len(text)}个）。", field=field
        )
    return text


def _choice(value: Any, choices: Any, *, label: str, field: str) -> str:
    if value not in choices.values:
        raise ValidationFailed(f"{label}取值无效：{value}。", field=field)
    return str(value)


def _event(
    appeal: Appeal,
    *,
    kind: str,
    actor: User | None,
    message: str = "",
    from_status: str = "",
    to_status: str = "",
    internal: bool = False,
) -> AppealEvent:
    label = actor.display_name if actor is not None else "系统"
    if actor is not None and actor.role == Role.ENTERPRISE:
        label = f"{appeal.enterprise.name}"
    event = AppealEvent(
        appeal=appeal,
        kind=kind,
        actor=actor,
        actor_label=label[:100],
        message=message,
        from_status=from_status,
        to_status=to_status,
        internal=internal,
    )
    event.save(force_insert=True)
    return event


def _move(
    appeal: Appeal,
    target: str,
    *,
    actor: User | None,
    message: str = "",
    extra_fields: Sequence[str] = (),
    ip_address: str | None = None,
) -> None:
    """The one place a status changes: state machine, save, timeline, audit, webhooks.
    Call with the appeal row locked."""
    current = appeal.status
    transition_check(current, target)
    appeal.status = target
    appeal.save(update_fields=["status", "updated_at", *extra_fields])
    _event(
        appeal,
        kind=EventKind.STATUS,
        actor=actor,
        message=message,
        from_status=current,
        to_status=target,
    )
    audit_record(
        actor=actor,
        action=f"appeal.{target}",
        object_type="appeal",
        object_id=str(appeal.pk),
        changes={"status": {"old": current, "new": target}, "message": message[:200]},
        ip_address=ip_address,
    )
    from zqt.appeals.webhooks import outbox_add

    outbox_add(appeal=appeal, event=f"appeal.{target}")


def _notify(
    user: User | None, *, title: str, body: str, event_key: str, reference: str = ""
) -> None:
    if user is None or not user.is_active:
        return
    from zqt.notifications.services import notification_send

    if not reference:
        # Every caller puts the case in its title; the template repeats it on its own line.
        match = _REFERENCE_RE.search(title) or _REFERENCE_RE.search(body)
        reference = match.group(0) if match else "—"
    notification_send(
        recipient=user,
        template_code="appeal_event",
        context={"title": title, "body": body, "reference": reference},
        event_key=event_key[:200],
    )


def _notify_enterprise(appeal: Appeal, *, title: str, body: str, event_key: str) -> None:
    """The enterprise account that submitted the case (window/hotline cases have none)."""
    submitter = appeal.submitted_by
    if submitter.role == Role.ENTERPRISE:
        _notify(submitter, title=title, body=body, event_key=event_key, reference=appeal.reference)


def _tier_for(*, difficulty: str, board_code: str | None) -> deadlines.Tier:
    if board_code == FALLBACK_BOARD or difficulty == Difficulty.DIFFICULT:
        return deadlines.Tier.FIVE_DAYS
    if difficulty == Difficulty.COMPLEX:
        return deadlines.Tier.THREE_DAYS
    return deadlines.Tier.SAME_DAY


def _pauses(clock: StageClock) -> list[deadlines.Pause]:
    return [
        deadlines.Pause(
            dt.datetime.fromisoformat(p["start"]),
            dt.datetime.fromisoformat(p["end"]) if p.get("end") else None,
        )
        for p in clock.pauses
    ]


def _apply(clock: StageClock, cal: deadlines.WorkingCalendar, now: dt.datetime) -> None:
    state = deadlines.compute_clock(
        started_at=clock.started_at,
        tier=clock.tier,
        cal=cal,
        pauses=_pauses(clock),
        extension_days=clock.extension_days,
    )
    clock.due_at, clock.warn_at = state.due_at, state.warn_at
    clock.provisional, clock.policy_version = state.provisional, state.policy_version
    # The flag only moves back here (a later due time un-flags); moving it forward, with its
    # reminders and escalation, is the sweep's job.
    current = str(deadlines.due_state(now=now, due_at=state.due_at, warn_at=state.warn_at))
    order = {"on_track": 0, "paused": 0, "due_soon": 1, "overdue": 2}
    if order[current] < order.get(clock.flagged or "on_track", 0):
        clock.flagged = "on_track" if current == "paused" else current


def _clock_state(
    *,
    started_at: dt.datetime,
    tier: deadlines.Tier,
    cal: deadlines.WorkingCalendar,
    now: dt.datetime,
) -> StageClock:
    """An unsaved clock with its due and warning times computed (appeal and stage unset)."""
    clock = StageClock(tier=tier, started_at=started_at)
    _apply(clock, cal, now)
    return clock


def clock_start(
    *,
    appeal: Appeal,
    stage: str,
    tier: deadlines.Tier,
    started_at: dt.datetime,
    task: AppealTask | None = None,
) -> StageClock:
    now = timezone.now()
    clock = StageClock(appeal=appeal, task=task, stage=stage, tier=tier, started_at=started_at)
    _apply(clock, selectors.working_calendar(), now)
    clock.save(force_insert=True)
    if task is None:
        appeal.due_state = clock.flagged
        appeal.save(update_fields=["due_state", "updated_at"])
    return clock


def clock_recompute(
    *,
    clock: StageClock,
    reason: str,
    actor: User | None = None,
    cal: deadlines.WorkingCalendar | None = None,
    tier: str | None = None,
) -> bool:
    """Recompute a clock after a move, a calendar change or a policy change, with an audit
    entry. Never restarts it: started_at, pauses and extensions are kept."""
    old = (clock.due_at, clock.warn_at, clock.tier, clock.provisional)
    if tier is not None:
        clock.tier = tier
    _apply(clock, cal or selectors.working_calendar(), timezone.now())
    new = (clock.due_at, clock.warn_at, clock.tier, clock.provisional)
    if old == new:
        return False
    clock.save(
        update_fields=[
            "due_at",
            "warn_at",
            "tier",
            "provisional",
            "policy_version",
            "flagged",
            "updated_at",
        ]
    )
    audit_record(
        actor=actor,
        action="appeal.clock_recompute",
        object_type="appeal",
        object_id=str(clock.appeal_id),
        purpose=reason[:200],
        changes={
            "clock": clock.pk,
            "due_at": {"old": old[0], "new": new[0]},
            "tier": {"old": old[2], "new": new[2]},
        },
    )
    if clock.task_id is None and clock.stopped_at is None:
        Appeal.objects.filter(pk=clock.appeal_id).update(due_state=clock.flagged)
    return True


def _stop_clocks(appeal: Appeal, *, stage: str | None = None) -> None:
    qs = StageClock.objects.filter(appeal=appeal, task__isnull=True, stopped_at__isnull=True)
    if stage:
        qs = qs.filter(stage=stage)
    qs.update(stopped_at=timezone.now(), updated_at=timezone.now())


def _handle_clock(appeal: Appeal) -> StageClock | None:
    return (
        StageClock.objects.select_for_update()
        .filter(appeal=appeal, task__isnull=True, stopped_at__isnull=True, stage=Stage.HANDLE)
        .order_by("-started_at")
        .first()
    )


def _open_counts(user_ids: Sequence[int] | None = None) -> dict[int, int]:
    qs = Appeal.objects.filter(status__in=OPEN_STATUSES, handler__isnull=False)
    if user_ids is not None:
        qs = qs.filter(handler_id__in=user_ids)
    return dict(qs.values("handler_id").annotate(n=Count("id")).values_list("handler_id", "n"))


def _board(code: str) -> ServiceBoard:
    board = service_board_list().filter(code=code).first()
    if board is None:
        raise ValidationFailed(f"服务板块不存在：{code}。", field="board")
    return board


def _reference(now: dt.datetime) -> str:
    day = deadlines.local(now).strftime("%Y%m%d")
    return f"SQ{day}{secrets.token_hex(4).upper()}"


def _check_attachments(files: Sequence[UploadedFile]) -> None:
    if len(files) > ATTACHMENT_MAX_COUNT:
        raise ValidationFailed(f"附件最多{ATTACHMENT_MAX_COUNT}个。", field="attachments")
    for upload in files:
        suffix = PurePath(upload.name or "").suffix.lower()
        if suffix not in ATTACHMENT_TYPES:
            raise ValidationFailed(
                f"附件“{upload.name}”类型不支持，仅限 PDF、图片、Word、Excel。", field="attachments"
            )
        if (upload.size or 0) > ATTACHMENT_MAX_BYTES:
            raise ValidationFailed(f"附件“{upload.name}”超过10MB。", field="attachments")
        if not upload.size:
            raise ValidationFailed(f"附件“{upload.name}”是空文件。", field="attachments")


# --- intake ----------------------------------------------------------------------------------


def appeal_submit(
    *,
    user: User,
    title: str,
    content: str,
    uscc: str | None = None,
    channel: str | None = None,
    appeal_type: str = AppealType.HELP,
    contact_name: str = "",
    contact_phone: str = "",
    attachments: Sequence[UploadedFile] = (),
    idempotency_key: str | None = None,
    external_id: str = "",
    received_at: dt.datetime | None = None,
    ip_address: str | None = None,
) -> tuple[Appeal, bool]:
    """Intake through "one mouth": the enterprise online, the front desk at the window or on the
    hotline (on behalf of an enterprise found by USCC), another system through the API.

    Idempotent per (submitter, idempotency_key): a repeated key returns the first appeal and
    False. Window and hotline intake is accepted on the spot (the desk officer is the one who
    accepts). Returns (appeal, created)."""
    if user is not None and getattr(user, "role", None) == Role.ENTERPRISE and not uscc:
        own = enterprise_for_member(user=user)
        uscc = own.uscc if own else ""
    enterprise = enterprise_get_for_user(
        user=user,
        uscc=uscc or "",
        capability="appeal.submit",
        ip_address=ip_address,
        purpose="受理企业诉求",
    )
    key = (idempotency_key or "").strip() or None
    if key is not None and len(key) > 64:
        raise ValidationFailed("幂等键不能超过64个字符。", field="idempotency_key")
    if key is not None:
        existing = Appeal.objects.filter(submitted_by=user, idempotency_key=key).first()
        if existing is not None:
            return existing, False
    title = _clean_text(title, label="标题", field="title", max_length=TITLE_MAX)
    content = _clean_text(content, label="诉求内容", field="content", max_length=CONTENT_MAX)
    appeal_type = _choice(appeal_type, AppealType, label="诉求类型", field="appeal_type")
    default_channel = {
        Role.ENTERPRISE.value: Channel.ONLINE,
        Role.FRONT_DESK.value: Channel.WINDOW,
        Role.API_CLIENT.value: Channel.API_12345,
    }[str(user.role)]
    channel = _choice(channel or default_channel, Channel, label="渠道", field="channel")
    if user.role == Role.ENTERPRISE and channel != Channel.ONLINE:
        raise ValidationFailed("企业只能在线提交诉求。", field="channel")
    if user.role == Role.FRONT_DESK and channel not in (
        Channel.WINDOW,
        Channel.HOTLINE,
        Channel.COMMUNITY,
    ):
        raise ValidationFailed("窗口只能登记窗口、热线或企业社区诉求。", field="channel")
    _check_attachments(attachments)
    contact_name = _clean_text(
        contact_name, label="联系人", field="contact_name", max_length=64, required=False
    )
    contact_phone = _clean_text(
        contact_phone, label="联系电话", field="contact_phone", max_length=20, required=False
    )
    org_unit = (
        org_unit_get(code=enterprise.region_code[:6])
        or org_unit_get(code=enterprise.region_code[:4] + "00")
        or org_unit_get(code=enterprise.region_code[:2] + "0000")
    )
    if org_unit is None:
        raise ValidationFailed("企业所在区划没有对应的服务中心。", field="uscc")
    now = timezone.now()
    received_at = received_at or now
    suggestion = classifier.suggest(f"{title}{content}")
    cal = selectors.working_calendar()
    try:
        with transaction.atomic():
            appeal = Appeal(
                reference=_reference(now),
                enterprise=enterprise,
                region_code=enterprise.region_code,
                industry_code=enterprise.industry_code,
                channel=channel,
                title=title,
                content=content,
                contact_name=contact_name,
                contact_phone=contact_phone,
                appeal_type=appeal_type,
                org_unit=org_unit,
                submitted_by=user,
                idempotency_key=key,
                external_id=external_id[:64],
                received_at=received_at,
                suggested_board_code=suggestion.board_code if suggestion else "",
            )
            # The foreign keys were just fetched and the idempotency pair is guarded by the
            # unique constraint (IntegrityError below): validating them again would cost four
            # queries per appeal at intake rates (bench/appeals.py).
            full_clean_or_raise(appeal, exclude=INTAKE_CLEAN_EXCLUDE)
            clock_state = _clock_state(
                started_at=received_at, tier=deadlines.Tier.SAME_DAY, cal=cal, now=now
            )
            appeal.due_state = str(clock_state.flagged)
            appeal.save(force_insert=True)
            for upload in attachments:
                attachment = AppealAttachment(
                    appeal=appeal,
                    name=(upload.name or "")[:120],
                    content_type=ATTACHMENT_TYPES[PurePath(upload.name or "").suffix.lower()],
                    size=upload.size or 0,
                )
                attachment.file.save(PurePath(upload.name or "file").name, upload, save=False)
                attachment.save(force_insert=True)
            _event(
                appeal,
                kind=EventKind.STATUS,
                actor=user,
                to_status=Status.SUBMITTED,
                message=f"通过{Channel(channel).label}提交诉求",
            )
            audit_record(
                actor=user,
                action="appeal.submit",
                object_type="appeal",
                object_id=str(appeal.pk),
                ip_address=ip_address,
                changes={
                    "enterprise": enterprise.uscc,
                    "channel": channel,
                    "attachments": len(attachments),
                },
            )
            # Acceptance is itself a "不过夜" stage; the case's due_state was set above.
            clock_state.appeal = appeal
            clock_state.stage = Stage.ACCEPT
            clock_state.save(force_insert=True)
            if user.role == Role.FRONT_DESK:
                _stop_clocks(appeal, stage=Stage.ACCEPT)
                _move(
                    appeal,
                    Status.ACCEPTED,
                    actor=user,
                    message="窗口当场受理",
                    ip_address=ip_address,
                )
    except IntegrityError:
        # A concurrent request with the same idempotency key won the race.
        if key is not None:
            existing = Appeal.objects.filter(submitted_by=user, idempotency_key=key).first()
            if existing is not None:
                return existing, False
        raise
    return appeal, True


def _locked(*, user: User, appeal_id: int, capability: str, ip: str | None) -> Appeal:
    """Lock inside the caller's transaction (after _authorise made and audited the check
    outside it) and re-check on the locked row."""
    return selectors.appeal_get_for_user(
        user=user, appeal_id=appeal_id, capability=capability, ip_address=ip, for_update=True
    )


def _authorise(*, user: User, appeal_id: int, capability: str, ip: str | None) -> None:
    selectors.appeal_get_for_user(
        user=user, appeal_id=appeal_id, capability=capability, ip_address=ip
    )


def appeal_accept(*, user: User, appeal_id: int, ip_address: str | None = None) -> Appeal:
    _authorise(user=user, appeal_id=appeal_id, capability="appeal.route", ip=ip_address)
    with transaction.atomic():
        appeal = _locked(user=user, appeal_id=appeal_id, capability="appeal.route", ip=ip_address)
        _stop_clocks(appeal, stage=Stage.ACCEPT)
        _move(appeal, Status.ACCEPTED, actor=user, message="已受理", ip_address=ip_address)
    return appeal


def appeal_reject(
    *, user: User, appeal_id: int, reason: str, ip_address: str | None = None
) -> Appeal:
    reason = _clean_text(reason, label="不予受理理由", field="reason", max_length=300)
    _authorise(user=user, appeal_id=appeal_id, capability="appeal.route", ip=ip_address)
    with transaction.atomic():
        appeal = _locked(user=user, appeal_id=appeal_id, capability="appeal.route", ip=ip_address)
        appeal.reject_reason = reason
        appeal.closed_at = timezone.now()
        _stop_clocks(appeal)
        _move(
            appeal,
            Status.REJECTED,
            actor=user,
            message=f"不予受理：{reason}",
            extra_fields=["reject_reason", "closed_at"],
            ip_address=ip_address,
        )
        _notify_enterprise(
            appeal,
            title=f"诉求{appeal.reference}不予受理",
            body=reason,
            event_key=f"appeal:{appeal.pk}:rejected",
        )
    return appeal


def appeal_merge(
    *, user: User, appeal_id: int, into_id: int, ip_address: str | None = None
) -> Appeal:
    """Merge a duplicate into an open appeal of the same enterprise."""
    if appeal_id == into_id:
        raise ValidationFailed("不能与自身合并。", field="into")
    _authorise(user=user, appeal_id=appeal_id, capability="appeal.route", ip=ip_address)
    target = selectors.appeal_get_for_user(
        user=user, appeal_id=into_id, capability="appeal.route", ip_address=ip_address
    )
    with transaction.atomic():
        appeal = _locked(user=user, appeal_id=appeal_id, capability="appeal.route", ip=ip_address)
        if target.enterprise_id != appeal.enterprise_id:
            raise ValidationFailed("只能合并同一企业的诉求。", field="into")
        if target.status not in OPEN_STATUSES | {Status.ANSWERED}:
            raise ConflictError("目标诉求已办结，不能合并。", field="into")
        appeal.merged_into = target
        appeal.closed_at = timezone.now()
        _stop_clocks(appeal)
        _move(
            appeal,
            Status.MERGED,
            actor=user,
            message=f"合并至 {target.reference}",
            extra_fields=["merged_into", "closed_at"],
            ip_address=ip_address,
        )
        _event(
            target, kind=EventKind.NOTE, actor=user, message=f"已并入重复诉求 {appeal.reference}"
        )
    return appeal


def appeal_route(
    *,
    user: User,
    appeal_id: int,
    board_code: str,
    appeal_type: str,
    scope: str,
    difficulty: str,
    handler_id: int | None = None,
    note: str = "",
    ip_address: str | None = None,
) -> Appeal:
    """Classify and assign: board queue + handler (the given board member, or the board's
    least-loaded commissioner). Starts the handling clock ("1-3-5" by difficulty and board).
    Also used by the chief commissioner to reassign across boards (the clock is recomputed for
    the new tier, never restarted)."""
    appeal_type = _choice(appeal_type, AppealType, label="诉求类型", field="appeal_type")
    scope = _choice(scope, Scope, label="问题层面", field="scope")
    difficulty = _choice(difficulty, Difficulty, label="难度", field="difficulty")
    board = _board(board_code)
    _authorise(user=user, appeal_id=appeal_id, capability="appeal.route", ip=ip_address)
    with transaction.atomic():
        appeal = _locked(user=user, appeal_id=appeal_id, capability="appeal.route", ip=ip_address)
        if (
            appeal.board_id
            and appeal.board_id != board.pk
            and user.role == Role.FRONT_DESK
            and (appeal.status not in (Status.SUBMITTED, Status.ACCEPTED, Status.TRANSFERRED))
        ):
            raise PermissionDeniedError("跨板块改派须由首席服务专员办理。")
        members = staffing.board_member_ids(org_unit_id=appeal.org_unit_id, board_id=board.pk)
        handler: User | None
        if handler_id is not None:
            if handler_id not in members:
                raise ValidationFailed("经办人不是该板块的服务人员。", field="handler")
            handler = User.objects.get(pk=handler_id)
        else:
            handler = staffing.least_loaded_commissioner(
                org_unit_id=appeal.org_unit_id,
                board_id=board.pk,
                open_counts=_open_counts(list(members)),
            )
            if handler is None:
                raise ValidationFailed(
                    f"{appeal.org_unit.name}的{board.name}尚未配置服务人员。", field="board"
                )
        previous_board = appeal.board.name if appeal.board else ""
        if appeal.status == Status.SUBMITTED:
            _stop_clocks(appeal, stage=Stage.ACCEPT)
            _move(appeal, Status.ACCEPTED, actor=user, message="已受理", ip_address=ip_address)
        if appeal.status in (Status.ASSIGNED, Status.IN_PROGRESS, Status.ESCALATED) and (
            appeal.board_id != board.pk
        ):
            _move(
                appeal,
                Status.TRANSFERRED,
                actor=user,
                message=f"由{previous_board}转至{board.name}",
                ip_address=ip_address,
            )
        appeal.appeal_type, appeal.scope, appeal.difficulty = appeal_type, scope, difficulty
        appeal.board, appeal.handler = board, handler
        tier = _tier_for(difficulty=difficulty, board_code=board.code)
        clock = _handle_clock(appeal)
        if clock is None:
            clock_start(appeal=appeal, stage=Stage.HANDLE, tier=tier, started_at=timezone.now())
        else:
            clock_recompute(clock=clock, reason="改派/重新分类", actor=user, tier=tier)
        message = f"分派至{board.name}，经办人{handler.display_name}，时限{_tier_label(tier)}"
        if note:
            message += f"。{note}"
        _move(
            appeal,
            Status.ASSIGNED,
            actor=user,
            message=message,
            extra_fields=["appeal_type", "scope", "difficulty", "board", "handler"],
            ip_address=ip_address,
        )
        _notify(
            handler,
            title=f"新分派诉求 {appeal.reference}",
            body=f"{appeal.enterprise.name}：{appeal.title}",
            event_key=f"appeal:{appeal.pk}:assigned:{handler.pk}:{appeal.reopen_count}",
        )
    return appeal


def _tier_label(tier: str) -> str:
    return {"same_day": "当日办结（不过夜）", "three_days": "3个工作日", "five_days": "5个工作日"}[
        tier
    ]


def appeal_start(*, user: User, appeal_id: int, ip_address: str | None = None) -> Appeal:
    _authorise(user=user, appeal_id=appeal_id, capability="appeal.handle", ip=ip_address)
    with transaction.atomic():
        appeal = _locked(user=user, appeal_id=appeal_id, capability="appeal.handle", ip=ip_address)
        _move(appeal, Status.IN_PROGRESS, actor=user, message="开始办理", ip_address=ip_address)
    return appeal


def appeal_note_add(
    *,
    user: User,
    appeal_id: int,
    text: str,
    internal: bool = True,
    ip_address: str | None = None,
) -> AppealEvent:
    text = _clean_text(text, label="备注", field="text", max_length=2000)
    _authorise(user=user, appeal_id=appeal_id, capability="appeal.handle", ip=ip_address)
    with transaction.atomic():
        appeal = _locked(user=user, appeal_id=appeal_id, capability="appeal.handle", ip=ip_address)
        event = _event(appeal, kind=EventKind.NOTE, actor=user, message=text, internal=internal)
        audit_record(
            actor=user,
            action="appeal.note",
            object_type="appeal",
            object_id=str(appeal.pk),
            changes={"internal": internal},
        )
    return event


def appeal_pause(
    *, user: User, appeal_id: int, request: str, ip_address: str | None = None
) -> Appeal:
    """Ask the enterprise for material (补充材料): the handling clock stops until it answers."""
    request = _clean_text(request, label="补充材料要求", field="request", max_length=500)
    _authorise(user=user, appeal_id=appeal_id, capability="appeal.handle", ip=ip_address)
    with transaction.atomic():
        appeal = _locked(user=user, appeal_id=appeal_id, capability="appeal.handle", ip=ip_address)
        clock = _handle_clock(appeal)
        if appeal.status not in (Status.ASSIGNED, Status.IN_PROGRESS, Status.ESCALATED) or (
            clock is None
        ):
            raise ConflictError("当前状态不能要求补充材料。", field="status")
        if clock.paused_at is not None:
            raise ConflictError("已在等待企业补充材料。", field="status")
        now = timezone.now()
        clock.paused_at = now
        clock.pauses = [*clock.pauses, {"start": now.isoformat(), "end": None}]
        clock.save(update_fields=["paused_at", "pauses", "updated_at"])
        clock_recompute(clock=clock, reason="等待企业补充材料，计时暂停", actor=user)
        _event(appeal, kind=EventKind.CLOCK, actor=user, message=f"请企业补充材料：{request}")
        audit_record(
            actor=user,
            action="appeal.pause",
            object_type="appeal",
            object_id=str(appeal.pk),
            changes={"request": request},
        )
        _notify_enterprise(
            appeal,
            title=f"诉求{appeal.reference}需要补充材料",
            body=request,
            event_key=f"appeal:{appeal.pk}:pause:{len(clock.pauses)}",
        )
    return appeal


def appeal_resume(
    *, user: User, appeal_id: int, reply: str, ip_address: str | None = None
) -> Appeal:
    """The enterprise supplied the material (or staff record that it did): the clock runs."""
    reply = _clean_text(reply, label="补充说明", field="reply", max_length=2000)
    capability = "appeal.view" if user.role == Role.ENTERPRISE else "appeal.handle"
    _authorise(user=user, appeal_id=appeal_id, capability=capability, ip=ip_address)
    with transaction.atomic():
        appeal = _locked(user=user, appeal_id=appeal_id, capability=capability, ip=ip_address)
        clock = _handle_clock(appeal)
        if clock is None or clock.paused_at is None:
            raise ConflictError("该诉求没有在等待补充材料。", field="status")
        now = timezone.now()
        pauses = list(clock.pauses)
        pauses[-1] = {**pauses[-1], "end": now.isoformat()}
        clock.pauses, clock.paused_at = pauses, None
        clock.save(update_fields=["paused_at", "pauses", "updated_at"])
        clock_recompute(clock=clock, reason="企业已补充材料，恢复计时", actor=user)
        _event(appeal, kind=EventKind.CLOCK, actor=user, message=f"已补充材料：{reply}")
        audit_record(
            actor=user, action="appeal.resume", object_type="appeal", object_id=str(appeal.pk)
        )
    return appeal


def extension_request(
    *, user: User, appeal_id: int, days: int, reason: str, ip_address: str | None = None
) -> Extension:
    reason = _clean_text(reason, label="延期理由", field="reason", max_length=300)
    if not 1 <= int(days) <= EXTENSION_MAX_DAYS:
        raise ValidationFailed(f"延期天数应为1至{EXTENSION_MAX_DAYS}个工作日。", field="days")
    _authorise(user=user, appeal_id=appeal_id, capability="appeal.handle", ip=ip_address)
    with transaction.atomic():
        appeal = _locked(user=user, appeal_id=appeal_id, capability="appeal.handle", ip=ip_address)
        clock = _handle_clock(appeal)
        if clock is None:
            raise ConflictError("当前没有在办的时限，不能申请延期。", field="status")
        if appeal.extensions.filter(status=DecisionStatus.PENDING).exists():
            raise ConflictError("已有待审批的延期申请。", field="days")
        extension = Extension(
            appeal=appeal, clock=clock, days=int(days), reason=reason, requested_by=user
        )
        full_clean_or_raise(extension)
        extension.save(force_insert=True)
        _event(
            appeal,
            kind=EventKind.CLOCK,
            actor=user,
            internal=True,
            message=f"申请延期{days}个工作日：{reason}",
        )
        audit_record(
            actor=user,
            action="appeal.extension_request",
            object_type="appeal",
            object_id=str(appeal.pk),
            changes={"days": days, "reason": reason},
        )
        lead = (
            staffing.board_position_holder(
                org_unit_id=appeal.org_unit_id,
                board_id=appeal.board_id,
                position=BoardPosition.LEADER_IN_CHARGE,
            )
            if appeal.board_id
            else None
        )
        _notify(
            lead,
            title=f"延期申请待审批：{appeal.reference}",
            body=reason,
            event_key=f"appeal:{appeal.pk}:extension:{extension.pk}",
        )
    return extension


def extension_decide(
    *, user: User, extension_id: int, grant: bool, ip_address: str | None = None
) -> Extension:
    extension = Extension.objects.filter(pk=extension_id).first()
    if extension is None:
        raise NotFoundError("延期申请不存在。")
    _authorise(
        user=user, appeal_id=extension.appeal_id, capability="appeal.supervise", ip=ip_address
    )
    with transaction.atomic():
        appeal = _locked(
            user=user, appeal_id=extension.appeal_id, capability="appeal.supervise", ip=ip_address
        )
        extension = Extension.objects.select_for_update().get(pk=extension_id)
        if extension.status != DecisionStatus.PENDING:
            raise ConflictError("该延期申请已审批。", field="status")
        if extension.requested_by_id == user.pk:
            raise PermissionDeniedError("不能审批本人的延期申请。")
        extension.status = DecisionStatus.GRANTED if grant else DecisionStatus.REFUSED
        extension.decided_by, extension.decided_at = user, timezone.now()
        extension.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
        if grant:
            clock = StageClock.objects.select_for_update().get(pk=extension.clock_id)
            clock.extension_days += extension.days
            clock.save(update_fields=["extension_days", "updated_at"])
            clock_recompute(clock=clock, reason=f"批准延期{extension.days}个工作日", actor=user)
        _event(
            appeal,
            kind=EventKind.CLOCK,
            actor=user,
            message=f"延期{extension.days}个工作日：{'已同意' if grant else '不同意'}",
        )
        audit_record(
            actor=user,
            action="appeal.extension_decide",
            object_type="appeal",
            object_id=str(appeal.pk),
            changes={"extension": extension.pk, "granted": grant},
        )
    return extension


def task_add(
    *,
    user: User,
    appeal_id: int,
    department_code: str,
    role: str,
    instructions: str = "",
    tier: str = deadlines.Tier.THREE_DAYS,
    ip_address: str | None = None,
) -> AppealTask:
    """A department task on the case: 主办 (one per case), 协办, or "社区吹哨、部门报到" (a park or
    community centre summons a department). Each has its own clock."""
    role = _choice(role, TaskRole, label="任务角色", field="role")
    instructions = _clean_text(
        instructions, label="交办说明", field="instructions", max_length=500, required=False
    )
    department = Department.objects.filter(code=department_code).first()
    if department is None:
        raise ValidationFailed("部门不存在。", field="department")
    capability = "appeal.route" if user.role in (Role.FRONT_DESK,) else "appeal.handle"
    _authorise(user=user, appeal_id=appeal_id, capability=capability, ip=ip_address)
    with transaction.atomic():
        appeal = _locked(user=user, appeal_id=appeal_id, capability=capability, ip=ip_address)
        if appeal.status not in OPEN_STATUSES:
            raise ConflictError("诉求不在办理中，不能交办部门。", field="status")
        if role == TaskRole.LEAD and appeal.tasks.filter(role=TaskRole.LEAD).exists():
            raise ConflictError("该诉求已有主办部门。", field="role")
        if appeal.tasks.filter(department=department).exists():
            raise ConflictError("该部门已在办理此诉求。", field="department")
        task = AppealTask(
            appeal=appeal, department=department, role=role, instructions=instructions
        )
        full_clean_or_raise(task)
        task.save(force_insert=True)
        clock_start(
            appeal=appeal,
            stage=Stage.TASK,
            tier=deadlines.Tier(tier),
            started_at=timezone.now(),
            task=task,
        )
        _event(
            appeal,
            kind=EventKind.TASK,
            actor=user,
            message=f"交{department.name}{TaskRole(role).label}",
        )
        audit_record(
            actor=user,
            action="appeal.task_add",
            object_type="appeal",
            object_id=str(appeal.pk),
            changes={"department": department.code, "role": role},
        )
    return task


def task_complete(
    *, user: User, task_id: int, answer: str, ip_address: str | None = None
) -> AppealTask:
    answer = _clean_text(answer, label="部门意见", field="answer", max_length=2000)
    task = AppealTask.objects.filter(pk=task_id).first()
    if task is None:
        raise NotFoundError("部门任务不存在。")
    _authorise(user=user, appeal_id=task.appeal_id, capability="appeal.handle", ip=ip_address)
    with transaction.atomic():
        appeal = _locked(
            user=user, appeal_id=task.appeal_id, capability="appeal.handle", ip=ip_address
        )
        task = AppealTask.objects.select_for_update().get(pk=task_id)
        if task.status == TaskStatus.DONE:
            raise ConflictError("该部门任务已完成。", field="status")
        task.status, task.answer, task.done_at = TaskStatus.DONE, answer, timezone.now()
        task.save(update_fields=["status", "answer", "done_at", "updated_at"])
        StageClock.objects.filter(task=task, stopped_at__isnull=True).update(
            stopped_at=timezone.now()
        )
        _event(
            appeal,
            kind=EventKind.TASK,
            actor=user,
            internal=True,
            message=f"{task.department.name}办理意见：{answer}",
        )
        audit_record(
            actor=user,
            action="appeal.task_complete",
            object_type="appeal",
            object_id=str(appeal.pk),
            changes={"task": task.pk},
        )
    return task


def appeal_answer(
    *,
    user: User,
    appeal_id: int,
    resolution_type: str,
    text: str,
    ip_address: str | None = None,
) -> Appeal:
    """The handler answers the enterprise with a resolution type (separate from its rating)."""
    resolution_type = _choice(
        resolution_type, ResolutionType, label="办理结果", field="resolution_type"
    )
    text = _clean_text(text, label="答复内容", field="text", max_length=CONTENT_MAX)
    if resolution_type == ResolutionType.NOT_SOLVABLE and len(text) < 10:
        raise ValidationFailed("暂无法解决的，须写明理由（至少10个字）。", field="text")
    _authorise(user=user, appeal_id=appeal_id, capability="appeal.handle", ip=ip_address)
    with transaction.atomic():
        appeal = _locked(user=user, appeal_id=appeal_id, capability="appeal.handle", ip=ip_address)
        clock = _handle_clock(appeal)
        if clock is not None and clock.paused_at is not None:
            raise ConflictError("正在等待企业补充材料，请先恢复计时。", field="status")
        now = timezone.now()
        late = bool(clock and clock.due_at and now > clock.due_at)
        appeal.resolution_type, appeal.resolution_text = resolution_type, text
        appeal.answered_at, appeal.answered_late = now, late
        _stop_clocks(appeal)
        appeal.due_state = "on_track"
        _move(
            appeal,
            Status.ANSWERED,
            actor=user,
            message=f"答复（{ResolutionType(resolution_type).label}）：{text}",
            extra_fields=[
                "resolution_type",
                "resolution_text",
                "answered_at",
                "answered_late",
                "due_state",
            ],
            ip_address=ip_address,
        )
        _notify_enterprise(
            appeal,
            title=f"诉求{appeal.reference}已答复",
            body="请登录政企通查看答复并评价。",
            event_key=f"appeal:{appeal.pk}:answered:{appeal.reopen_count}",
        )
    return appeal


def appeal_confirm(*, user: User, appeal_id: int, ip_address: str | None = None) -> Appeal:
    _authorise(user=user, appeal_id=appeal_id, capability="appeal.rate", ip=ip_address)
    with transaction.atomic():
        appeal = _locked(user=user, appeal_id=appeal_id, capability="appeal.rate", ip=ip_address)
        _move(appeal, Status.CONFIRMED, actor=user, message="企业确认答复", ip_address=ip_address)
    return appeal


def _reopen(appeal: Appeal, *, actor: User | None, reason: str, ip: str | None) -> None:
    appeal.reopen_count += 1
    appeal.closed_at = None
    _move(
        appeal,
        Status.REOPENED,
        actor=actor,
        message=f"重办：{reason}",
        extra_fields=["reopen_count", "closed_at"],
        ip_address=ip,
    )
    # A reopened case is a new handling round: a new clock, not a restarted one.
    tier = _tier_for(
        difficulty=appeal.difficulty, board_code=appeal.board.code if appeal.board else None
    )
    clock_start(appeal=appeal, stage=Stage.HANDLE, tier=tier, started_at=timezone.now())
    _notify(
        appeal.handler,
        title=f"诉求{appeal.reference}需重办",
        body=reason,
        event_key=f"appeal:{appeal.pk}:reopened:{appeal.reopen_count}",
    )


def appeal_reopen(
    *, user: User, appeal_id: int, reason: str, ip_address: str | None = None
) -> Appeal:
    """The enterprise does not accept the answer."""
    reason = _clean_text(reason, label="不满意原因", field="reason", max_length=500)
    _authorise(user=user, appeal_id=appeal_id, capability="appeal.rate", ip=ip_address)
    with transaction.atomic():
        appeal = _locked(user=user, appeal_id=appeal_id, capability="appeal.rate", ip=ip_address)
        _reopen(appeal, actor=user, reason=reason, ip=ip_address)
    return appeal


def appeal_rate(
    *,
    user: User,
    appeal_id: int,
    score: str,
    comment: str = "",
    ip_address: str | None = None,
) -> Rating:
    """一单一评: the enterprise rates the case once, after the answer. Rating an answered case
    confirms the answer; the case then closes, callbacks are drawn, a bad rating opens a
    review."""
    score = _choice(score, Score, label="评价", field="score")
    comment = _clean_text(
        comment, label="评价意见", field="comment", max_length=500, required=score == Score.BAD
    )
    _authorise(user=user, appeal_id=appeal_id, capability="appeal.rate", ip=ip_address)
    with transaction.atomic():
        appeal = _locked(user=user, appeal_id=appeal_id, capability="appeal.rate", ip=ip_address)
        if Rating.objects.filter(appeal=appeal).exists():
            raise ConflictError("该诉求已评价，每件诉求只能评价一次。", field="score")
        if appeal.status not in (Status.ANSWERED, Status.CONFIRMED):
            raise ConflictError("诉求答复后才能评价。", field="score")
        if appeal.status == Status.ANSWERED:
            _move(
                appeal, Status.CONFIRMED, actor=user, message="企业确认答复", ip_address=ip_address
            )
        rating = Rating(appeal=appeal, score=score, comment=comment, rated_by=user)
        full_clean_or_raise(rating, exclude=["appeal"])
        try:
            with transaction.atomic():
                rating.save(force_insert=True)
        except IntegrityError:
            raise ConflictError("该诉求已评价，每件诉求只能评价一次。", field="score") from None
        _move(
            appeal,
            Status.RATED,
            actor=user,
            message=f"评价：{Score(score).label}{('，' + comment) if comment else ''}",
            ip_address=ip_address,
        )
        _close(appeal, actor=None)
        if score == Score.BAD:
            review = RatingReview(rating=rating)
            review.save(force_insert=True)
            for office in staffing.office_users(org_unit_id=appeal.org_unit_id):
                _notify(
                    office,
                    title=f"差评待核实：{appeal.reference}",
                    body=comment,
                    event_key=f"appeal:{appeal.pk}:bad-rating",
                )
    return rating


def _close(appeal: Appeal, *, actor: User | None) -> None:
    appeal.closed_at = timezone.now()
    _move(appeal, Status.CLOSED, actor=actor, message="办结", extra_fields=["closed_at"])
    reason = sampling.callback_reason(
        reference=appeal.reference,
        seed=callback_seed(),
        difficult=appeal.difficulty == Difficulty.DIFFICULT,
        complaint=appeal.appeal_type == AppealType.COMPLAINT,
    )
    if reason is not None:
        Callback.objects.get_or_create(appeal=appeal, round=appeal.reopen_count, reason=reason)


def rating_review_contest(
    *, user: User, review_id: int, statement: str, ip_address: str | None = None
) -> RatingReview:
    statement = _clean_text(statement, label="申辩理由", field="statement", max_length=2000)
    review = RatingReview.objects.select_related("rating").filter(pk=review_id).first()
    if review is None:
        raise NotFoundError("差评核实不存在。")
    appeal_id = review.rating.appeal_id
    _authorise(user=user, appeal_id=appeal_id, capability="appeal.handle", ip=ip_address)
    with transaction.atomic():
        appeal = _locked(user=user, appeal_id=appeal_id, capability="appeal.handle", ip=ip_address)
        review = RatingReview.objects.select_for_update().get(pk=review_id)
        if review.status != ReviewStatus.OPEN:
            raise ConflictError("当前阶段不能申辩。", field="status")
        review.status, review.handler_statement = ReviewStatus.CONTESTED, statement
        review.save(update_fields=["status", "handler_statement", "updated_at"])
        _event(
            appeal,
            kind=EventKind.RATING,
            actor=user,
            internal=True,
            message=f"经办人对差评申辩：{statement}",
        )
        audit_record(
            actor=user,
            action="appeal.review_contest",
            object_type="appeal",
            object_id=str(appeal.pk),
        )
    return review


def rating_review_decide(
    *,
    user: User,
    review_id: int,
    valid: bool,
    note: str,
    rectification_days: int = 5,
    ip_address: str | None = None,
) -> RatingReview:
    """The office decides whether the complaint in a bad rating is valid; if so the handler
    must rectify by a deadline (working days)."""
    note = _clean_text(note, label="核实意见", field="note", max_length=2000)
    review = RatingReview.objects.select_related("rating").filter(pk=review_id).first()
    if review is None:
        raise NotFoundError("差评核实不存在。")
    appeal_id = review.rating.appeal_id
    _authorise(user=user, appeal_id=appeal_id, capability="appeal.supervise", ip=ip_address)
    with transaction.atomic():
        appeal = _locked(
            user=user, appeal_id=appeal_id, capability="appeal.supervise", ip=ip_address
        )
        review = RatingReview.objects.select_for_update().get(pk=review_id)
        if review.status not in (ReviewStatus.OPEN, ReviewStatus.CONTESTED):
            raise ConflictError("该差评已核实。", field="status")
        if appeal.handler_id == user.pk:
            raise PermissionDeniedError("经办人不能核实针对本人的差评。")
        review.decided_by, review.decision_note = user, note
        if valid:
            review.status = ReviewStatus.RECTIFYING
            today = deadlines.local(timezone.now()).date()
            review.rectification_due = selectors.working_calendar().add_working_days(
                today, max(1, rectification_days)
            )
        else:
            review.status = ReviewStatus.INVALID
        review.save(
            update_fields=[
                "status",
                "decided_by",
                "decision_note",
                "rectification_due",
                "updated_at",
            ]
        )
        _event(
            appeal,
            kind=EventKind.RATING,
            actor=user,
            internal=True,
            message=f"差评核实：{'成立，限期整改' if valid else '不成立'}。{note}",
        )
        audit_record(
            actor=user,
            action="appeal.review_decide",
            object_type="appeal",
            object_id=str(appeal.pk),
            changes={"valid": valid},
        )
        if valid:
            _notify(
                appeal.handler,
                title=f"差评整改：{appeal.reference}",
                body=f"请于{review.rectification_due}前完成整改。{note}",
                event_key=f"appeal:{appeal.pk}:rectify",
            )
    return review


def rating_review_rectify(
    *, user: User, review_id: int, text: str, ip_address: str | None = None
) -> RatingReview:
    text = _clean_text(text, label="整改情况", field="text", max_length=2000)
    review = RatingReview.objects.select_related("rating").filter(pk=review_id).first()
    if review is None:
        raise NotFoundError("差评核实不存在。")
    appeal_id = review.rating.appeal_id
    _authorise(user=user, appeal_id=appeal_id, capability="appeal.handle", ip=ip_address)
    with transaction.atomic():
        appeal = _locked(user=user, appeal_id=appeal_id, capability="appeal.handle", ip=ip_address)
        review = RatingReview.objects.select_for_update().get(pk=review_id)
        if review.status != ReviewStatus.RECTIFYING:
            raise ConflictError("该差评不在整改阶段。", field="status")
        review.status, review.rectification = ReviewStatus.RECTIFIED, text
        review.save(update_fields=["status", "rectification", "updated_at"])
        Callback.objects.get_or_create(
            appeal=appeal, round=appeal.reopen_count, reason=CallbackReason.REVIEW
        )
        _event(appeal, kind=EventKind.RATING, actor=user, message=f"差评整改情况：{text}")
        audit_record(
            actor=user,
            action="appeal.review_rectify",
            object_type="appeal",
            object_id=str(appeal.pk),
        )
    return review


def callback_record(
    *,
    user: User,
    callback_id: int,
    result: str,
    note: str = "",
    ip_address: str | None = None,
) -> Callback:
    """A callback to the enterprise, by someone other than the handler; "not solved" reopens."""
    result = _choice(result, CallbackResult, label="回访结果", field="result")
    note = _clean_text(
        note,
        label="回访记录",
        field="note",
        max_length=500,
        required=result != CallbackResult.SOLVED,
    )
    callback = Callback.objects.filter(pk=callback_id).first()
    if callback is None:
        raise NotFoundError("回访任务不存在。")
    _authorise(user=user, appeal_id=callback.appeal_id, capability="appeal.callback", ip=ip_address)
    with transaction.atomic():
        appeal = _locked(
            user=user, appeal_id=callback.appeal_id, capability="appeal.callback", ip=ip_address
        )
        callback = Callback.objects.select_for_update().get(pk=callback_id)
        if callback.made_at is not None:
            raise ConflictError("该回访已记录。", field="result")
        if appeal.handler_id == user.pk:
            raise PermissionDeniedError("回访须由经办人以外的人员进行。")
        callback.result, callback.note = result, note
        callback.made_by, callback.made_at = user, timezone.now()
        callback.save(update_fields=["result", "note", "made_by", "made_at", "updated_at"])
        _event(
            appeal,
            kind=EventKind.CALLBACK,
            actor=user,
            message=f"回访：{CallbackResult(result).label}{('，' + note) if note else ''}",
        )
        audit_record(
            actor=user,
            action="appeal.callback",
            object_type="appeal",
            object_id=str(appeal.pk),
            changes={"result": result},
        )
        if callback.reason == CallbackReason.REVIEW:
            RatingReview.objects.filter(rating__appeal=appeal).update(status=ReviewStatus.DONE)
        if result == CallbackResult.NOT_SOLVED and appeal.status == Status.CLOSED:
            _reopen(appeal, actor=user, reason=f"回访未解决：{note}", ip=ip_address)
    return callback


def supervision_notice_answer(
    *, user: User, notice_id: int, response: str, ip_address: str | None = None
) -> SupervisionNotice:
    response = _clean_text(response, label="督办答复", field="response", max_length=2000)
    notice = SupervisionNotice.objects.filter(pk=notice_id).first()
    if notice is None:
        raise NotFoundError("督办单不存在。")
    capability = (
        "appeal.supervise"
        if user.role in (Role.CHIEF_COMMISSIONER, Role.OPERATIONS)
        else "appeal.handle"
    )
    _authorise(user=user, appeal_id=notice.appeal_id, capability=capability, ip=ip_address)
    with transaction.atomic():
        appeal = _locked(
            user=user, appeal_id=notice.appeal_id, capability=capability, ip=ip_address
        )
        notice = SupervisionNotice.objects.select_for_update().get(pk=notice_id)
        if notice.responded_at is not None:
            raise ConflictError("该督办单已答复。", field="response")
        notice.response, notice.responded_at, notice.responded_by = response, timezone.now(), user
        notice.save(update_fields=["response", "responded_at", "responded_by", "updated_at"])
        _event(
            appeal,
            kind=EventKind.SUPERVISION,
            actor=user,
            internal=True,
            message=f"答复{SupervisionLevel(notice.level).label}：{response}",
        )
        audit_record(
            actor=user,
            action="appeal.notice_answer",
            object_type="appeal",
            object_id=str(appeal.pk),
            changes={"notice": notice.pk},
        )
    return notice


# --- problem classes -------------------------------------------------------------------------


def problem_class_create(
    *,
    user: User,
    title: str,
    appeal_ids: Sequence[int],
    description: str = "",
    ip_address: str | None = None,
) -> ProblemClass:
    title = _clean_text(title, label="问题类名称", field="title", max_length=120)
    if len(set(appeal_ids)) < 2:
        raise ValidationFailed("问题类至少关联两件诉求。", field="appeal_ids")
    appeals = [
        selectors.appeal_get_for_user(
            user=user, appeal_id=a, capability="appeal.route", ip_address=ip_address
        )
        for a in sorted(set(appeal_ids))
    ]
    with transaction.atomic():
        problem = ProblemClass(
            title=title,
            description=description[:2000],
            region_code=appeals[0].region_code[:6],
            created_by=user,
        )
        full_clean_or_raise(problem)
        problem.save(force_insert=True)
        Appeal.objects.filter(pk__in=[a.pk for a in appeals]).update(problem_class=problem)
        for appeal in appeals:
            _event(
                appeal,
                kind=EventKind.NOTE,
                actor=user,
                internal=True,
                message=f"归入问题类“{title}”",
            )
        audit_record(
            actor=user,
            action="appeal.problem_class_create",
            object_type="problem_class",
            object_id=str(problem.pk),
            changes={"appeals": [a.pk for a in appeals]},
        )
    return problem


def problem_class_resolve(
    *, user: User, problem_class_id: int, resolution: str, ip_address: str | None = None
) -> ProblemClass:
    """Record how the class was solved and tell every linked enterprise."""
    resolution = _clean_text(resolution, label="解决措施", field="resolution", max_length=2000)
    from zqt.enterprises.selectors import require_capability

    require_capability(
        user=user,
        capability="appeal.supervise",
        object_type="problem_class",
        object_id=str(problem_class_id),
        ip_address=ip_address,
    )
    with transaction.atomic():
        problem = ProblemClass.objects.select_for_update().filter(pk=problem_class_id).first()
        if (
            problem is None
            or user.org_unit is None
            or not problem.region_code.startswith(user.org_unit.scope_prefix)
        ):
            raise NotFoundError("问题类不存在或您无权查看。")
        if problem.status == ProblemClassStatus.RESOLVED:
            raise ConflictError("该问题类已解决。", field="status")
        problem.status, problem.resolution = ProblemClassStatus.RESOLVED, resolution
        problem.resolved_at = timezone.now()
        problem.save(update_fields=["status", "resolution", "resolved_at", "updated_at"])
        for appeal in problem.appeals.select_related("submitted_by", "enterprise"):
            _event(appeal, kind=EventKind.NOTE, actor=user, message=f"同类问题已解决：{resolution}")
            _notify_enterprise(
                appeal,
                title=f"您反映的问题已推动解决：{problem.title}",
                body=resolution,
                event_key=f"problem-class:{problem.pk}:resolved",
            )
        audit_record(
            actor=user,
            action="appeal.problem_class_resolve",
            object_type="problem_class",
            object_id=str(problem.pk),
        )
    return problem


# --- working-day calendar (operations) ----------------------------------------------------


def _calendar_changed(*, user: User, day: dt.date, action: str, changes: dict[str, Any]) -> None:
    audit_record(
        actor=user,
        action=f"appeal.calendar_{action}",
        object_type="working_day_override",
        object_id=day.isoformat(),
        purpose="维护工作日历",
        changes=changes,
    )
    from zqt.appeals.tasks import clocks_recompute
    from zqt.taskqueue import outbox

    # In the same transaction (outbox): every running clock is recomputed with the new calendar
    # by the worker, each change audited; started times, pauses and extensions are kept.
    outbox.enqueue(clocks_recompute, f"工作日历调整：{day.isoformat()}")


def working_day_override_set(
    *, user: User, day: dt.date, is_working_day: bool, note: str = ""
) -> WorkingDayOverride:
    """Enter (or change) whether `day` is a working day, e.g. from the State Council's schedule
    of a year chinese-calendar does not cover yet."""
    require_capability(
        user=user,
        capability="appeal.calendar",
        object_type="working_day_override",
        object_id=str(day),
    )
    note = _clean_text(note, label="说明", field="note", max_length=100, required=False)
    if not isinstance(day, dt.date) or not (2000 <= day.year <= 2100):
        raise ValidationFailed("日期无效。", field="day")
    with transaction.atomic():
        row = WorkingDayOverride.objects.select_for_update().filter(day=day).first()
        old = None if row is None else {"is_working_day": row.is_working_day, "note": row.note}
        if row is None:
            row = WorkingDayOverride(day=day, is_working_day=is_working_day, note=note)
        elif old == {"is_working_day": is_working_day, "note": note}:
            return row
        row.is_working_day, row.note = is_working_day, note
        full_clean_or_raise(row, exclude=["day"] if row.pk else None)
        row.save()
        _calendar_changed(
            user=user,
            day=day,
            action="set",
            changes={"old": old, "new": {"is_working_day": is_working_day, "note": note}},
        )
    return row


def working_day_override_remove(*, user: User, day: dt.date) -> None:
    require_capability(
        user=user,
        capability="appeal.calendar",
        object_type="working_day_override",
        object_id=str(day),
    )
    with transaction.atomic():
        row = WorkingDayOverride.objects.select_for_update().filter(day=day).first()
        if row is None:
            raise NotFoundError("该日期没有工作日调整。", field="day")
        old = {"is_working_day": row.is_working_day, "note": row.note}
        row.delete()
        _calendar_changed(user=user, day=day, action="remove", changes={"old": old})


# --- Open311 GeoReport v2 import ----------------------------------------------------------


def open311_import(
    *, user: User, requests: Any, ip_address: str | None = None
) -> list[dict[str, Any]]:
    """Import another system's GeoReport requests through the intake service, idempotently by
    their service_request_id. A malformed batch is refused whole (nothing written); an
    appeal the intake refuses (unknown enterprise, text too long…) is reported in its own
    result, each appeal being its own transaction."""
    from zqt.appeals import open311

    require_capability(user=user, capability="appeal.submit", object_type="appeal")
    if user.role != Role.API_CLIENT:
        raise PermissionDeniedError("仅对接系统可以导入 Open311 服务请求。")
    items = open311.parse_batch(requests, now=timezone.now())
    results: list[dict[str, Any]] = []
    for item in items:
        try:
            appeal, created = appeal_submit(
                user=user,
                uscc=item.uscc,
                title=item.title[:TITLE_MAX],
                content=item.content,
                channel=Channel.OPEN311,
                contact_name=item.contact_name,
                contact_phone=item.contact_phone,
                idempotency_key=item.idempotency_key,
                external_id=item.external_id,
                received_at=item.requested_at,
                ip_address=ip_address,
            )
        except (ValidationFailed, NotFoundError, PermissionDeniedError) as exc:
            results.append(
                {
                    "external_id": item.external_id,
                    "service_request_id": None,
                    "created": False,
                    "code": exc.code,
                    "message": exc.message,
                    "field": exc.field,
                }
            )
            continue
        results.append(
            {
                "external_id": item.external_id,
                "service_request_id": appeal.reference,
                "created": created,
                "code": None,
                "message": None,
                "field": None,
            }
        )
    return results
