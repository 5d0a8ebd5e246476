from __future__ import annotations

from django.conf import settings
from django.db import models

from zqt.core.models import TimeStampedModel
from zqt.credit.enums import EventFactor, FilingOutcome, RecordKind, RepairStatus, WarningStatus


class ScoringModelVersion(TimeStampedModel):
    """A published version of the scoring model (see scoring.DEFAULT_CONFIG for the shape)."""

    version = models.PositiveIntegerField("版本", unique=True)
    config = models.JSONField("模型参数")
    is_current = models.BooleanField("现行", default=True)
    note = models.CharField("说明", max_length=200, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发布人", null=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = "信用评分模型"
        verbose_name_plural = "信用评分模型"
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"],
                condition=models.Q(is_current=True),
                name="uniq_scoring_model_current",
            )
        ]


class CreditEvent(TimeStampedModel):
    """A credit fact reported by another module (inspection finding, upheld complaint, ...).

    `source_key` names what produced it, so a report is recorded once."""

    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name="市场主体",
        on_delete=models.CASCADE,
        related_name="+",
    )
    factor = models.CharField("类别", max_length=24, choices=EventFactor.choices)
    title = models.CharField("事项", max_length=200)
    source_department = models.CharField("认定部门", max_length=64)
    occurred_on = models.DateField("发生日期", db_index=True)
    source_key = models.CharField("来源键", max_length=100, unique=True)

    class Meta:
        verbose_name = "监管信用事件"
        verbose_name_plural = "监管信用事件"
        ordering = ["-occurred_on", "-id"]

    def __str__(self) -> str:
        return self.title


class CreditScore(models.Model):
    """The current score of one enterprise; written only by recompute.run."""

    enterprise = models.OneToOneField(
        "enterprises.Enterprise",
        verbose_name="市场主体",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="credit_score",
    )
    score = models.SmallIntegerField("信用分")
    grade = models.CharField("等级", max_length=1, db_index=True)
    colour = models.CharField("四色码", max_length=8)
    previous_grade = models.CharField("上次等级", max_length=1, blank=True, default="")
    model_version = models.PositiveIntegerField("模型版本")
    changed_at = models.DateTimeField("变更时间")
    grade_changed_at = models.DateTimeField("等级变更时间", null=True, blank=True)

    class Meta:
        verbose_name = "信用评价"
        verbose_name_plural = "信用评价"

    def __str__(self) -> str:
        return f"{self.enterprise_id}: {self.grade}"


class CreditRecomputeRun(TimeStampedModel):
    scope = models.CharField("范围", max_length=32)  # "all" or the USCC
    model_version = models.PositiveIntegerField("模型版本")
    changed = models.PositiveIntegerField("变更数")
    seconds = models.FloatField("耗时（秒）")

    class Meta:
        verbose_name = "信用重算记录"
        verbose_name_plural = "信用重算记录"
        ordering = ["-created_at"]


class CreditRepair(TimeStampedModel):
    """An enterprise's application to repair one record (信用修复)."""

    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name="市场主体",
        on_delete=models.CASCADE,
        related_name="+",
    )
    record_kind = models.CharField("记录类别", max_length=16, choices=RecordKind.choices)
    record_id = models.PositiveBigIntegerField("记录编号")
    record_title = models.CharField("记录", max_length=200)
    record_date = models.DateField("认定日期")
    eligible_from = models.DateField("可申请修复日期")
    reason = models.CharField("整改情况", max_length=500)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="申请人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        "状态", max_length=16, choices=RepairStatus.choices, default=RepairStatus.PENDING
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decision_note = models.CharField("审核意见", max_length=300, blank=True)
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)

    class Meta:
        verbose_name = "信用修复"
        verbose_name_plural = "信用修复"
        ordering = ["-created_at"]
        constraints = [
            # One open or granted repair per record: a rejected one may be applied for again.
            models.UniqueConstraint(
                fields=["record_kind", "record_id"],
                condition=~models.Q(status="rejected"),
                name="uniq_repair_per_record",
            )
        ]
        indexes = [models.Index(fields=["record_kind", "record_id", "status"], name="repair_rec")]


class Agency(TimeStampedModel):
    """A registration intermediary (商事登记中介机构)."""

    uscc = models.CharField("统一社会信用代码", max_length=18, unique=True)
    name = models.CharField("名称", max_length=128)
    region_code = models.CharField("所属区划", max_length=12, db_index=True)

    class Meta:
        verbose_name = "中介机构"
        verbose_name_plural = "中介机构"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class IntermediaryAgent(TimeStampedModel):
    """A registration agent (中介从业人员) with credit points."""

    agency = models.ForeignKey(
        Agency, verbose_name="所属机构", on_delete=models.PROTECT, related_name="agents"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="账号",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="intermediary_profile",
    )
    name = models.CharField("姓名", max_length=64)
    id_number_masked = models.CharField("证件号（脱敏）", max_length=18)
    points = models.SmallIntegerField("信用积分")
    suspended_at = models.DateTimeField("暂停受理时间", null=True, blank=True)

    class Meta:
        verbose_name = "中介从业人员"
        verbose_name_plural = "中介从业人员"
        ordering = ["agency", "name"]

    def __str__(self) -> str:
        return self.name


class Filing(TimeStampedModel):
    """One registration filing an agent submitted, scored automatically by its outcome."""

    agent = models.ForeignKey(
        IntermediaryAgent, verbose_name="经办人", on_delete=models.PROTECT, related_name="filings"
    )
    reference = models.CharField("业务编号", max_length=64, unique=True)
    enterprise_name = models.CharField("申请主体", max_length=128)
    outcome = models.CharField("审核结果", max_length=16, choices=FilingOutcome.choices)
    points_delta = models.SmallIntegerField("积分变化")
    points_after = models.SmallIntegerField("积分")
    rule_text = models.CharField("评分规则", max_length=200)
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="评分人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "代办业务"
        verbose_name_plural = "代办业务"
        ordering = ["-created_at"]


class ExamAttempt(TimeStampedModel):
    agent = models.ForeignKey(
        IntermediaryAgent,
        verbose_name="经办人",
        on_delete=models.CASCADE,
        related_name="exam_attempts",
    )
    score = models.PositiveSmallIntegerField("成绩")
    passed = models.BooleanField("通过")
    points_before = models.SmallIntegerField("考前积分")
    points_after = models.SmallIntegerField("考后积分")

    class Meta:
        verbose_name = "培训考试"
        verbose_name_plural = "培训考试"
        ordering = ["-created_at"]


class RiskWarning(TimeStampedModel):
    """A warning produced by a declarative rule (risk.py), routed to a department."""

    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name="市场主体",
        on_delete=models.CASCADE,
        related_name="+",
    )
    rule_code = models.CharField("规则", max_length=32)
    title = models.CharField("预警", max_length=128)
    detail = models.CharField("说明", max_length=300)
    department_key = models.CharField("处置部门", max_length=32)
    region_code = models.CharField("所属区划", max_length=12, db_index=True)
    # Same rule, same enterprise, same fact → one warning (the sweep may run many times).
    fact_key = models.CharField("事实键", max_length=100)
    status = models.CharField(
        "状态", max_length=16, choices=WarningStatus.choices, default=WarningStatus.OPEN
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="处置人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    handling_note = models.CharField("处置情况", max_length=500, blank=True)
    feedback = models.CharField("反馈", max_length=500, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)

    class Meta:
        verbose_name = "风险预警"
        verbose_name_plural = "风险预警"
        ordering = ["status", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "rule_code", "fact_key"], name="uniq_warning_fact"
            )
        ]
