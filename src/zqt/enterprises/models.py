from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from zqt.core.models import TimeStampedModel
from zqt.enterprises.enums import (
    CreditKind,
    EnterpriseStatus,
    EntityType,
    LicenceStatus,
    LifecycleStage,
    Scale,
    TodoStatus,
)


class Industry(models.Model):
    """GB/T 4754-2017 sections (A–T) and divisions (01–97). Reference data."""

    code = models.CharField("代码", max_length=4, primary_key=True)
    name = models.CharField("名称", max_length=64)
    level = models.CharField("层级", max_length=16)
    parent_code = models.CharField("上级代码", max_length=4, blank=True)

    class Meta:
        verbose_name = "国民经济行业"
        verbose_name_plural = "国民经济行业"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Tag(models.Model):
    code = models.CharField("编码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=32, unique=True)

    class Meta:
        verbose_name = "企业标签"
        verbose_name_plural = "企业标签"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Enterprise(TimeStampedModel):
    uscc = models.CharField("统一社会信用代码", max_length=18, unique=True)
    name = models.CharField("企业名称", max_length=128, db_index=True)
    entity_type = models.CharField("主体类型", max_length=16, choices=EntityType.choices)
    status = models.CharField(
        "登记状态",
        max_length=16,
        choices=EnterpriseStatus.choices,
        default=EnterpriseStatus.EXISTING,
    )
    legal_rep_name = models.CharField("法定代表人", max_length=64)
    legal_rep_id_number = models.CharField("法定代表人身份证号", max_length=18)
    registered_capital = models.DecimalField(
        "注册资本（万元）",
        max_digits=16,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    founded_on = models.DateField("成立日期")
    address = models.CharField("住所", max_length=200)
    region_code = models.CharField("所属区划", max_length=12, db_index=True)
    industry_code = models.CharField("行业（门类/大类）", max_length=4, db_index=True)
    employees = models.PositiveIntegerField("从业人数", default=0)
    revenue = models.DecimalField(
        "营业收入（万元）",
        max_digits=16,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    rd_spend = models.DecimalField(
        "研发投入（万元）",
        max_digits=16,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    scale = models.CharField("企业规模", max_length=16, choices=Scale.choices)
    lifecycle_stage = models.CharField(
        "生命周期阶段", max_length=16, choices=LifecycleStage.choices
    )
    phone = models.CharField("联系电话", max_length=20, blank=True)
    tags = models.ManyToManyField(Tag, verbose_name="标签", blank=True, related_name="enterprises")

    class Meta:
        verbose_name = "市场主体"
        verbose_name_plural = "市场主体"
        ordering = ["uscc"]
        indexes = [
            models.Index(fields=["region_code", "industry_code"], name="ent_region_industry"),
            models.Index(fields=["status"], name="ent_status"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.uscc}）"


class Licence(TimeStampedModel):
    enterprise = models.ForeignKey(
        Enterprise, verbose_name="市场主体", on_delete=models.CASCADE, related_name="licences"
    )
    licence_type = models.CharField("证照类型", max_length=64)
    number = models.CharField("证照编号", max_length=64)
    issuer = models.CharField("发证机关", max_length=64)
    issued_on = models.DateField("发证日期")
    expires_on = models.DateField("有效期至", null=True, blank=True, db_index=True)
    status = models.CharField(
        "状态", max_length=16, choices=LicenceStatus.choices, default=LicenceStatus.ACTIVE
    )

    class Meta:
        verbose_name = "证照"
        verbose_name_plural = "证照"
        ordering = ["expires_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["licence_type", "number"], name="uniq_licence_type_number"
            ),
            models.CheckConstraint(
                condition=models.Q(expires_on__isnull=True)
                | models.Q(expires_on__gte=models.F("issued_on")),
                name="licence_expiry_after_issue",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.licence_type} {self.number}"


class CreditRecord(TimeStampedModel):
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name="市场主体",
        on_delete=models.CASCADE,
        related_name="credit_records",
    )
    kind = models.CharField("类别", max_length=16, choices=CreditKind.choices)
    title = models.CharField("事项", max_length=128)
    source_department = models.CharField("认定部门", max_length=64)
    recorded_on = models.DateField("认定日期")
    expires_on = models.DateField("公示截止", null=True, blank=True)

    class Meta:
        verbose_name = "信用记录"
        verbose_name_plural = "信用记录"
        ordering = ["-recorded_on"]


class Penalty(TimeStampedModel):
    enterprise = models.ForeignKey(
        Enterprise, verbose_name="市场主体", on_delete=models.CASCADE, related_name="penalties"
    )
    decision_number = models.CharField("决定书文号", max_length=64)
    department = models.CharField("处罚机关", max_length=64)
    reason = models.CharField("违法事实", max_length=200)
    legal_basis = models.CharField("处罚依据", max_length=200, blank=True)
    amount = models.DecimalField(
        "罚款金额（元）",
        max_digits=14,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    decided_on = models.DateField("处罚日期", db_index=True)

    class Meta:
        verbose_name = "行政处罚"
        verbose_name_plural = "行政处罚"
        ordering = ["-decided_on"]


class Honour(TimeStampedModel):
    enterprise = models.ForeignKey(
        Enterprise, verbose_name="市场主体", on_delete=models.CASCADE, related_name="honours"
    )
    title = models.CharField("荣誉名称", max_length=128)
    granted_by = models.CharField("授予单位", max_length=64)
    granted_on = models.DateField("授予日期")

    class Meta:
        verbose_name = "荣誉"
        verbose_name_plural = "荣誉"
        ordering = ["-granted_on"]


class PermitRequirement(models.Model):
    """Which licence types an enterprise of an industry division should hold ("应办").

    Reference data; the enterprise space compares it with the licences held (已办/未办).
    """

    industry_code = models.CharField("行业大类", max_length=4, db_index=True)
    licence_type = models.CharField("证照类型", max_length=64)
    issuer_hint = models.CharField("办理部门", max_length=64, blank=True)

    class Meta:
        verbose_name = "应办许可"
        verbose_name_plural = "应办许可"
        constraints = [
            models.UniqueConstraint(
                fields=["industry_code", "licence_type"], name="uniq_permit_requirement"
            )
        ]

    def __str__(self) -> str:
        return f"{self.industry_code} → {self.licence_type}"


class EnterpriseMembership(TimeStampedModel):
    """Binds an enterprise user account to its one enterprise."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="用户",
        on_delete=models.CASCADE,
        related_name="enterprise_membership",
    )
    enterprise = models.ForeignKey(
        Enterprise, verbose_name="市场主体", on_delete=models.CASCADE, related_name="members"
    )

    class Meta:
        verbose_name = "企业账号"
        verbose_name_plural = "企业账号"


class AgentAuthorisation(TimeStampedModel):
    """An enterprise lets an agent act for it: within `scopes`, until `expires_at`, revocable."""

    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name="市场主体",
        on_delete=models.CASCADE,
        related_name="agent_authorisations",
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="经办人",
        on_delete=models.CASCADE,
        related_name="agent_authorisations",
    )
    scopes = models.JSONField("授权范围", default=list)
    valid_from = models.DateTimeField("生效时间")
    expires_at = models.DateTimeField("到期时间")
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="授权人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "经办授权"
        verbose_name_plural = "经办授权"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("valid_from")),
                name="authorisation_expiry_after_start",
            )
        ]


class Todo(TimeStampedModel):
    """An item in the enterprise space's to-do list ("待办")."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name="市场主体", on_delete=models.CASCADE, related_name="todos"
    )
    title = models.CharField("事项", max_length=128)
    detail = models.CharField("说明", max_length=300, blank=True)
    due_on = models.DateField("办理期限", null=True, blank=True)
    status = models.CharField(
        "状态", max_length=8, choices=TodoStatus.choices, default=TodoStatus.OPEN
    )
    # What produced it, so a re-run of the producing task finds it instead of adding another.
    source_key = models.CharField("来源键", max_length=100, unique=True)

    class Meta:
        verbose_name = "待办"
        verbose_name_plural = "待办"
        ordering = ["status", "due_on"]


class LicenceReminder(TimeStampedModel):
    """One row per (licence, threshold): the reminder was produced, exactly once."""

    licence = models.ForeignKey(
        Licence, verbose_name="证照", on_delete=models.CASCADE, related_name="reminders"
    )
    threshold_days = models.PositiveSmallIntegerField("提前天数")
    expires_on = models.DateField("到期日")

    class Meta:
        verbose_name = "到期提醒"
        verbose_name_plural = "到期提醒"
        constraints = [
            models.UniqueConstraint(
                fields=["licence", "threshold_days", "expires_on"], name="uniq_licence_reminder"
            )
        ]
