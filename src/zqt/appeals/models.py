"""企业诉求: appeals, their append-only timeline, stage clocks, department tasks, extensions,
supervision notices, ratings and their reviews, callbacks, problem classes, the webhook outbox.

Status changes happen only in services.py, under the appeal's row lock."""

from __future__ import annotations

from django.conf import settings
from django.db import models

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
from zqt.appeals.states import Status
from zqt.core.models import TimeStampedModel

USER = settings.AUTH_USER_MODEL


class ProblemClass(TimeStampedModel):
    """Similar appeals linked so that solving one solves the class (解决一个带动一类)."""

    title = models.CharField("问题类名称", max_length=120)
    description = models.TextField("说明", blank=True)
    region_code = models.CharField("区划", max_length=12, db_index=True)
    status = models.CharField(
        "状态", max_length=16, choices=ProblemClassStatus.choices, default=ProblemClassStatus.OPEN
    )
    resolution = models.TextField("解决措施（规则调整/新增服务）", blank=True)
    resolved_at = models.DateTimeField("解决时间", null=True, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "问题类"
        verbose_name_plural = "问题类"

    def __str__(self) -> str:
        return self.title


class Appeal(TimeStampedModel):
    reference = models.CharField("诉求编号", max_length=24, unique=True)
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name="企业", on_delete=models.PROTECT
    )
    # Copied from the enterprise at intake: staff scope and reports filter on them.
    region_code = models.CharField("区划", max_length=12, db_index=True)
    industry_code = models.CharField("行业", max_length=4, blank=True)
    channel = models.CharField("渠道", max_length=16, choices=Channel.choices)
    title = models.CharField("标题", max_length=100)
    content = models.TextField("诉求内容", max_length=5000)
    contact_name = models.CharField("联系人", max_length=64, blank=True)
    contact_phone = models.CharField("联系电话", max_length=20, blank=True)
    appeal_type = models.CharField(
        "类型", max_length=16, choices=AppealType.choices, default=AppealType.HELP
    )
    scope = models.CharField("问题层面", max_length=8, choices=Scope.choices, default=Scope.POINT)
    difficulty = models.CharField(
        "难度", max_length=16, choices=Difficulty.choices, default=Difficulty.SIMPLE
    )
    board = models.ForeignKey(
        "accounts.ServiceBoard",
        verbose_name="服务板块",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    org_unit = models.ForeignKey(
        "accounts.OrgUnit", verbose_name="承办中心", on_delete=models.PROTECT, related_name="+"
    )
    handler = models.ForeignKey(
        USER,
        verbose_name="经办人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    suggested_board_code = models.CharField("系统建议板块", max_length=32, blank=True)
    status = models.CharField(
        "状态", max_length=16, choices=Status.choices, default=Status.SUBMITTED, db_index=True
    )
    reject_reason = models.CharField("不予受理理由", max_length=300, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name="合并至",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_from",
    )
    resolution_type = models.CharField(
        "办理结果", max_length=16, choices=ResolutionType.choices, blank=True
    )
    resolution_text = models.TextField("答复内容", blank=True)
    received_at = models.DateTimeField("收件时间")
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField("重办次数", default=0)
    supervision_level = models.PositiveSmallIntegerField(
        "督办层级", choices=SupervisionLevel.choices, default=SupervisionLevel.NONE
    )
    due_state = models.CharField("时限状态", max_length=16, default="on_track", db_index=True)
    answered_late = models.BooleanField("超时答复", default=False)
    problem_class = models.ForeignKey(
        ProblemClass,
        verbose_name="问题类",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="appeals",
    )
    submitted_by = models.ForeignKey(
        USER, verbose_name="提交人", on_delete=models.PROTECT, related_name="+"
    )
    # NULL, not "": the unique constraint must ignore appeals submitted without a key.
    idempotency_key = models.CharField(  # noqa: DJ001
        "幂等键", max_length=64, null=True, blank=True
    )
    external_id = models.CharField("外部编号", max_length=64, blank=True)

    class Meta:
        verbose_name = "企业诉求"
        verbose_name_plural = "企业诉求"
        constraints = [
            models.UniqueConstraint(
                fields=["submitted_by", "idempotency_key"],
                condition=models.Q(idempotency_key__isnull=False),
                name="uniq_appeal_idempotency",
            )
        ]
        indexes = [
            models.Index(fields=["enterprise", "created_at"], name="appeal_ent_created"),
            models.Index(fields=["board", "status"], name="appeal_board_status"),
            models.Index(fields=["handler", "status"], name="appeal_handler_status"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


def attachment_path(instance: AppealAttachment, filename: str) -> str:
    return f"appeals/{instance.appeal_id}/{filename}"


class AppealAttachment(TimeStampedModel):
    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField("文件", upload_to=attachment_path, max_length=200)
    name = models.CharField("文件名", max_length=120)
    content_type = models.CharField("类型", max_length=100)
    size = models.PositiveIntegerField("大小")

    class Meta:
        verbose_name = "诉求附件"
        verbose_name_plural = "诉求附件"

    def __str__(self) -> str:
        return self.name


class AppealEvent(models.Model):
    """The append-only timeline. `internal` notes are hidden from the enterprise."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="events")
    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    kind = models.CharField("类型", max_length=16, choices=EventKind.choices)
    from_status = models.CharField("原状态", max_length=16, blank=True)
    to_status = models.CharField("新状态", max_length=16, blank=True)
    actor = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField("操作人", max_length=100)
    message = models.TextField("内容", blank=True)
    internal = models.BooleanField("内部备注", default=False)

    class Meta:
        verbose_name = "诉求记录"
        verbose_name_plural = "诉求记录"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.actor_label}: {self.message[:30]}"


class AppealTask(TimeStampedModel):
    """A department's part of a case: 主办 (lead, sees everything), 协办, or summoned."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="tasks")
    department = models.ForeignKey(
        "accounts.Department", verbose_name="部门", on_delete=models.PROTECT
    )
    role = models.CharField("角色", max_length=16, choices=TaskRole.choices)
    status = models.CharField(
        "状态", max_length=8, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    instructions = models.CharField("交办说明", max_length=500, blank=True)
    answer = models.TextField("部门意见", blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "部门任务"
        verbose_name_plural = "部门任务"
        constraints = [
            models.UniqueConstraint(fields=["appeal", "department"], name="uniq_appeal_task_dept")
        ]


class StageClock(TimeStampedModel):
    """A durable clock of one stage of a case (or of a department task).

    Recomputed (with an audit row) when the case moves, the calendar or the deadline policy
    changes; `started_at` is never reset by an edit."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="clocks")
    task = models.ForeignKey(
        AppealTask, null=True, blank=True, on_delete=models.CASCADE, related_name="clocks"
    )
    stage = models.CharField("阶段", max_length=8, choices=Stage.choices)
    tier = models.CharField("时限档", max_length=16)
    started_at = models.DateTimeField("起算时间")
    paused_at = models.DateTimeField("暂停于", null=True, blank=True)
    pauses = models.JSONField("暂停记录", default=list, blank=True)
    extension_days = models.PositiveSmallIntegerField("延期工作日", default=0)
    due_at = models.DateTimeField("截止时间", null=True, blank=True)
    warn_at = models.DateTimeField("预警时间", null=True, blank=True)
    provisional = models.BooleanField("临时日历", default=False)
    policy_version = models.PositiveSmallIntegerField("时限规则版本", default=1)
    stopped_at = models.DateTimeField("停止时间", null=True, blank=True)
    # What the sweep last flagged: on_track → due_soon → overdue (monotonic per due_at).
    flagged = models.CharField("已标记", max_length=16, default="on_track")

    class Meta:
        verbose_name = "时限"
        verbose_name_plural = "时限"
        indexes = [
            # The sweep: running clocks whose warning time has passed.
            models.Index(
                fields=["warn_at"],
                condition=models.Q(stopped_at__isnull=True, paused_at__isnull=True),
                name="clock_running_warn",
            ),
            models.Index(
                fields=["due_at"],
                condition=models.Q(stopped_at__isnull=True, paused_at__isnull=True),
                name="clock_running_due",
            ),
        ]


class Extension(TimeStampedModel):
    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="extensions")
    clock = models.ForeignKey(StageClock, on_delete=models.CASCADE, related_name="extensions")
    days = models.PositiveSmallIntegerField("延期工作日")
    reason = models.CharField("理由", max_length=300)
    requested_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        "状态", max_length=8, choices=DecisionStatus.choices, default=DecisionStatus.PENDING
    )
    decided_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "延期申请"
        verbose_name_plural = "延期申请"


class SupervisionNotice(TimeStampedModel):
    """交办单/督办单: issued by the sweep at each escalation level; must be answered."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="notices")
    level = models.PositiveSmallIntegerField("督办层级", choices=SupervisionLevel.choices)
    addressed_to = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    addressed_label = models.CharField("督办对象", max_length=100)
    due_at = models.DateTimeField("应答期限")
    response = models.TextField("答复", blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "督办单"
        verbose_name_plural = "督办单"
        constraints = [
            models.UniqueConstraint(fields=["appeal", "level"], name="uniq_notice_level")
        ]


class Rating(TimeStampedModel):
    """一单一评: one rating per case (unique), independent of the resolution type."""

    appeal = models.OneToOneField(Appeal, on_delete=models.CASCADE, related_name="rating")
    score = models.CharField("评价", max_length=8, choices=Score.choices)
    comment = models.CharField("评价意见", max_length=500, blank=True)
    rated_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "评价"
        verbose_name_plural = "评价"


class RatingReview(TimeStampedModel):
    """The review a bad rating opens: valid? → rectification by a deadline → callback."""

    rating = models.OneToOneField(Rating, on_delete=models.CASCADE, related_name="review")
    status = models.CharField(
        "状态", max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.OPEN
    )
    handler_statement = models.TextField("经办人申辩", blank=True)
    decision_note = models.TextField("核实意见", blank=True)
    decided_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    rectification_due = models.DateField("整改期限", null=True, blank=True)
    rectification = models.TextField("整改情况", blank=True)

    class Meta:
        verbose_name = "差评核实"
        verbose_name_plural = "差评核实"


class Callback(TimeStampedModel):
    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="callbacks")
    round = models.PositiveSmallIntegerField("轮次", default=0)
    reason = models.CharField("回访原因", max_length=16, choices=CallbackReason.choices)
    result = models.CharField("回访结果", max_length=16, choices=CallbackResult.choices, blank=True)
    note = models.CharField("回访记录", max_length=500, blank=True)
    made_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    made_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "回访"
        verbose_name_plural = "回访"
        constraints = [
            models.UniqueConstraint(fields=["appeal", "round", "reason"], name="uniq_callback")
        ]


class WebhookEndpoint(TimeStampedModel):
    name = models.CharField("名称", max_length=64)
    url = models.URLField("地址")
    secret = models.CharField("签名密钥", max_length=64)
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name = "Webhook 订阅"
        verbose_name_plural = "Webhook 订阅"


class WebhookDelivery(TimeStampedModel):
    """Outbox row: written in the transaction of the change, delivered by a task with retries."""

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE)
    event = models.CharField(max_length=32)
    payload = models.JSONField()
    attempts = models.PositiveSmallIntegerField(default=0)
    delivered_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = "Webhook 投递"
        verbose_name_plural = "Webhook 投递"


class WorkingDayOverride(TimeStampedModel):
    """A date whose working-day status operations staff entered (years chinese-calendar does
    not cover yet, or a local adjustment)."""

    day = models.DateField("日期", unique=True)
    is_working_day = models.BooleanField("是否工作日")
    note = models.CharField("说明", max_length=100, blank=True)

    class Meta:
        verbose_name = "工作日调整"
        verbose_name_plural = "工作日调整"
