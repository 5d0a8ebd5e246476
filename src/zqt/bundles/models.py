"""一类事 / 一件事: the provincial bundle directory (seed 004 附件4), versioned joint-handling
definitions, and bundle cases fanned out to department tasks."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_noop

from zqt.bundles import status as st
from zqt.core.models import TimeStampedModel


class Bundle(TimeStampedModel):
    """A bundle of the provincial directory (code B<topic><n>) or a configured local one-thing
    case (L…, e.g. 歇业一件事 of seed 001 case 05)."""

    code = models.CharField("编码", max_length=16, unique=True)
    name = models.CharField("名称", max_length=64)
    topic = models.CharField("世行指标", max_length=32)
    topic_no = models.PositiveSmallIntegerField("指标序号", default=0)
    basic_items = models.JSONField("基本服务事项", default=list)
    value_added_items = models.JSONField("增值服务事项", default=list)
    responsible_units = models.CharField("责任部门", max_length=300, blank=True)
    summary = models.TextField("简介", blank=True)
    source = models.CharField("来源", max_length=200, blank=True)
    is_provincial = models.BooleanField("省级指导目录", default=True)

    class Meta:
        verbose_name = "一类事"
        verbose_name_plural = "一类事"
        ordering = ["topic_no", "code"]

    def __str__(self) -> str:
        return self.name


class BundleDefinition(TimeStampedModel):
    """One version of a bundle's joint-handling definition (see definition.py). A case points
    at the version it started with, so editing a bundle never changes an in-flight case."""

    bundle = models.ForeignKey(
        Bundle, verbose_name="一类事", on_delete=models.PROTECT, related_name="definitions"
    )
    version = models.PositiveIntegerField("版本")
    document = models.JSONField("定义")
    note = models.CharField("修改说明", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="修改人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "联办定义版本"
        verbose_name_plural = "联办定义版本"
        ordering = ["bundle", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["bundle", "version"], name="uniq_bundle_version")
        ]


class Case(TimeStampedModel):
    number = models.CharField("办件编号", max_length=32, unique=True)
    bundle = models.ForeignKey(Bundle, verbose_name="一类事", on_delete=models.PROTECT)
    definition = models.ForeignKey(
        BundleDefinition, verbose_name="定义版本", on_delete=models.PROTECT, related_name="cases"
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name="市场主体",
        on_delete=models.PROTECT,
        related_name="+",
    )
    org_unit = models.ForeignKey(
        "accounts.OrgUnit", verbose_name="受理地", on_delete=models.PROTECT, related_name="+"
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.PROTECT, related_name="+"
    )
    applicant_role = models.CharField("申请人角色", max_length=32)
    status = models.CharField(
        "状态",
        max_length=16,
        default=st.CASE_SUBMITTED,
        choices=list(st.CASE_LABELS.items()),
        db_index=True,
    )
    selected_items = models.JSONField("所选事项", default=list)
    form_data = models.JSONField("表单", default=dict)
    idempotency_key = models.CharField("提交幂等键", max_length=64)
    completed_at = models.DateTimeField("办结时间", null=True, blank=True)
    effect = models.CharField("办结效果", max_length=16, blank=True)
    prior_enterprise_status = models.CharField("原登记状态", max_length=16, blank=True)
    effect_applied_at = models.DateTimeField("效果生效时间", null=True, blank=True)
    resumed_at = models.DateTimeField("恢复时间", null=True, blank=True)

    class Meta:
        verbose_name = "联办件"
        verbose_name_plural = "联办件"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "idempotency_key"], name="uniq_case_idempotency"
            )
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def status_label(self) -> str:
        return st.CASE_LABELS.get(self.status, self.status)


class CaseMaterial(TimeStampedModel):
    """A material uploaded once for the case (shared by every item needing it), or the
    enterprise's informed commitment (告知承诺) in its place."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="materials")
    key = models.CharField("材料键", max_length=40)
    label = models.CharField("材料名称", max_length=100)
    file = models.FileField("文件", upload_to="bundles/%Y/%m/", blank=True)
    original_name = models.CharField("原文件名", max_length=200, blank=True)
    size = models.PositiveIntegerField("大小", default=0)
    sha256 = models.CharField("摘要", max_length=64, blank=True)
    commitment = models.BooleanField("告知承诺", default=False)
    round = models.PositiveSmallIntegerField("补正轮次", default=0)

    class Meta:
        verbose_name = "办件材料"
        verbose_name_plural = "办件材料"
        ordering = ["case", "round", "id"]


class CaseTask(TimeStampedModel):
    """One department's part of a case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    item_code = models.CharField("事项编码", max_length=16)
    item_name = models.CharField("事项", max_length=100)
    # accounts.Department.code of the handling department at the case's org unit.
    department_code = models.CharField("承办部门编码", max_length=48, db_index=True)
    department_name = models.CharField("承办部门", max_length=64)
    routed_via_centre = models.BooleanField("经综合服务中心代转", default=False)
    status = models.CharField(
        "状态",
        max_length=16,
        default=st.PENDING,
        choices=list(st.TASK_LABELS.items()),
        db_index=True,
    )
    due_on = models.DateField("办理期限", db_index=True)
    more_info_request = models.CharField("补正要求", max_length=500, blank=True)
    decided_at = models.DateTimeField("办结时间", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="办理人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.CharField("不予办理理由", max_length=500, blank=True)
    result_title = models.CharField("办理结果", max_length=100, blank=True)
    result_number = models.CharField("证照/文书编号", max_length=64, blank=True)

    class Meta:
        verbose_name = "部门任务"
        verbose_name_plural = "部门任务"
        ordering = ["case", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "item_code"], name="uniq_case_item")]

    @property
    def status_label(self) -> str:
        return st.TASK_LABELS.get(self.status, self.status)


class CaseEvent(models.Model):
    """The case timeline."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    task = models.ForeignKey(
        CaseTask, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField("类型", max_length=32)
    message = models.CharField("内容", max_length=500)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField("操作人", max_length=100, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "办件时间线"
        verbose_name_plural = "办件时间线"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.message


class CommitmentVerification(TimeStampedModel):
    """告知承诺核查: the department checks, by `due_on`, what the enterprise promised."""

    PENDING = "pending"
    CONFIRMED = "confirmed"
    FALSE = "false"
    STATUS = [
        (PENDING, gettext_noop("待核查")),
        (CONFIRMED, gettext_noop("核查属实")),
        (FALSE, gettext_noop("承诺不实")),
    ]

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="verifications")
    material_key = models.CharField("材料键", max_length=40)
    material_label = models.CharField("承诺事项", max_length=100)
    department_code = models.CharField("核查部门编码", max_length=48, db_index=True)
    department_name = models.CharField("核查部门", max_length=64)
    due_on = models.DateField("核查期限")
    status = models.CharField("状态", max_length=16, choices=STATUS, default=PENDING)
    note = models.CharField("核查意见", max_length=500, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField("核查时间", null=True, blank=True)

    class Meta:
        verbose_name = "告知承诺核查"
        verbose_name_plural = "告知承诺核查"
        constraints = [
            models.UniqueConstraint(fields=["case", "material_key"], name="uniq_case_commitment")
        ]


class FalseCommitmentRecord(TimeStampedModel):
    """A commitment found false, held against the enterprise's credit until the registry offers
    a credit-record service (see the report to the lead)."""

    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name="市场主体",
        on_delete=models.PROTECT,
        related_name="+",
    )
    verification = models.OneToOneField(
        CommitmentVerification, on_delete=models.PROTECT, related_name="credit_record"
    )
    title = models.CharField("失信事项", max_length=200)
    department_name = models.CharField("认定部门", max_length=64)
    recorded_on = models.DateField("认定日期")

    class Meta:
        verbose_name = "虚假承诺失信记录"
        verbose_name_plural = "虚假承诺失信记录"
