"""惠企政策: the policy library, rule versions (two-person publishing), department-supplied
enterprise facts, matches, applications, payouts (exactly once per policy, enterprise and period),
the fund ledger, payment batches and objections."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q

from zqt.core.models import TimeStampedModel
from zqt.policies import enums


class Policy(TimeStampedModel):
    code = models.CharField("政策编号", max_length=24, unique=True)
    title = models.CharField("政策名称", max_length=200)
    issuer = models.CharField("发文单位", max_length=100)
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name="兑现审核部门",
        on_delete=models.PROTECT,
        related_name="+",
    )
    org_unit = models.ForeignKey(
        "accounts.OrgUnit", verbose_name="所属地区", on_delete=models.PROTECT, related_name="+"
    )
    document_number = models.CharField("文号", max_length=100)
    effective_from = models.DateField("生效日期")
    effective_until = models.DateField("截止日期")
    full_text = models.TextField("政策原文")
    summary = models.CharField("摘要", max_length=300, blank=True)
    region_prefix = models.CharField("适用区划前缀", max_length=12)
    mode = models.CharField("兑现方式", max_length=16, choices=enums.Mode.choices)
    benefit_kind = models.CharField("奖补方式", max_length=16, choices=enums.BenefitKind.choices)
    benefit_amount = models.DecimalField(
        "定额（元）",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    benefit_rate_bp = models.PositiveIntegerField("比例（基点）", null=True, blank=True)
    benefit_base_field = models.CharField("比例基数字段", max_length=40, blank=True)
    benefit_cap = models.DecimalField(
        "单户上限（元）",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    budget = models.DecimalField(
        "资金预算（元）",
        max_digits=16,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    budget_alert_bp = models.PositiveIntegerField("预算预警线（基点）", default=9000)
    period = models.CharField("兑现期次", max_length=16)
    status = models.CharField(
        "状态", max_length=16, choices=enums.PolicyStatus.choices, default=enums.PolicyStatus.DRAFT
    )
    search_text = models.TextField("检索词", blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "惠企政策"
        verbose_name_plural = "惠企政策"
        ordering = ["-effective_from", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(effective_until__gte=F("effective_from")),
                name="policy_window_not_empty",
            ),
            models.CheckConstraint(
                condition=Q(benefit_kind="fixed", benefit_amount__isnull=False)
                | Q(benefit_kind="percentage", benefit_rate_bp__gt=0),
                name="policy_benefit_complete",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def mode_label(self) -> str:
        return enums.Mode(self.mode).label

    @property
    def status_label(self) -> str:
        return enums.PolicyStatus(self.status).label


class RuleVersion(TimeStampedModel):
    policy = models.ForeignKey(
        Policy, verbose_name="政策", on_delete=models.CASCADE, related_name="rule_versions"
    )
    version = models.PositiveIntegerField("版本")
    document = models.JSONField("规则")
    examples = models.JSONField("样例", default=list, blank=True)
    fields_read = models.JSONField("读取字段", default=list, blank=True)
    status = models.CharField(
        "状态", max_length=16, choices=enums.RuleStatus.choices, default=enums.RuleStatus.PENDING
    )
    note = models.CharField("修改说明", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="起草人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核发布人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField("发布时间", null=True, blank=True)

    class Meta:
        verbose_name = "政策规则版本"
        verbose_name_plural = "政策规则版本"
        ordering = ["policy", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "version"], name="uniq_policy_rule_version"),
            # Two-person rule, in the database too.
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("created_by")),
                name="rule_approver_not_author",
            ),
        ]


class EnterpriseFact(TimeStampedModel):
    """A figure about an enterprise supplied by its owning department (catalog origin "fact"),
    with the date it is as of; the latest one per (enterprise, field) counts."""

    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name="市场主体",
        on_delete=models.CASCADE,
        related_name="+",
    )
    field = models.CharField("字段", max_length=40)
    value = models.JSONField("取值")
    as_of = models.DateField("数据日期")
    source = models.CharField("来源", max_length=100)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "企业数据项"
        verbose_name_plural = "企业数据项"
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "field"], name="uniq_enterprise_fact")
        ]


class Match(TimeStampedModel):
    policy = models.ForeignKey(
        Policy, verbose_name="政策", on_delete=models.CASCADE, related_name="matches"
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name="市场主体",
        on_delete=models.CASCADE,
        related_name="+",
    )
    rule_version = models.ForeignKey(
        RuleVersion, verbose_name="规则版本", on_delete=models.PROTECT, related_name="+"
    )
    verdict = models.CharField("判定", max_length=16, choices=enums.Verdict.choices)
    status = models.CharField(
        "状态", max_length=16, choices=enums.MatchStatus.choices, default=enums.MatchStatus.NEW
    )
    expected_amount = models.DecimalField(
        "预计金额（元）", max_digits=14, decimal_places=2, null=True, blank=True
    )
    matched_on = models.DateField("匹配日期")
    recheck_on = models.DateField("复核日期", null=True, blank=True, db_index=True)
    notified_at = models.DateTimeField("推送时间", null=True, blank=True)
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)

    class Meta:
        verbose_name = "政策匹配"
        verbose_name_plural = "政策匹配"
        constraints = [
            models.UniqueConstraint(fields=["policy", "enterprise"], name="uniq_policy_match")
        ]
        indexes = [models.Index(fields=["policy", "status"], name="policy_match_status")]

    @property
    def status_label(self) -> str:
        return enums.MatchStatus(self.status).label

    @property
    def verdict_label(self) -> str:
        return enums.Verdict(self.verdict).label


class Application(TimeStampedModel):
    number = models.CharField("申报编号", max_length=32, unique=True)
    policy = models.ForeignKey(
        Policy, verbose_name="政策", on_delete=models.PROTECT, related_name="applications"
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name="市场主体",
        on_delete=models.PROTECT,
        related_name="+",
    )
    period = models.CharField("兑现期次", max_length=16)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申报人", on_delete=models.PROTECT, related_name="+"
    )
    form_data = models.JSONField("申报表", default=dict, blank=True)
    materials_note = models.CharField("材料说明", max_length=500, blank=True)
    status = models.CharField(
        "状态",
        max_length=16,
        choices=enums.ApplicationStatus.choices,
        default=enums.ApplicationStatus.SUBMITTED,
    )
    evaluation = models.JSONField("申报时判定", default=dict, blank=True)
    decision_reason = models.CharField("审核意见", max_length=500, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)

    class Meta:
        verbose_name = "政策申报"
        verbose_name_plural = "政策申报"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "enterprise", "period"], name="uniq_policy_application"
            )
        ]

    @property
    def status_label(self) -> str:
        return enums.ApplicationStatus(self.status).label


class PaymentBatch(TimeStampedModel):
    number = models.CharField("批次号", max_length=32, unique=True)
    policy = models.ForeignKey(
        Policy, verbose_name="政策", on_delete=models.PROTECT, related_name="batches"
    )
    status = models.CharField(
        "状态", max_length=16, choices=enums.BatchStatus.choices, default=enums.BatchStatus.DRAFT
    )
    total = models.DecimalField("合计（元）", max_digits=16, decimal_places=2, default=Decimal(0))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="制单人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审批人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField("审批时间", null=True, blank=True)

    class Meta:
        verbose_name = "支付批次"
        verbose_name_plural = "支付批次"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("created_by")),
                name="batch_approver_not_maker",
            )
        ]


class Payout(TimeStampedModel):
    """One payment decision: exactly one per (policy, enterprise, period), enforced by the
    database. Freezes the rule version, the inputs and the explanation it was decided on."""

    policy = models.ForeignKey(
        Policy, verbose_name="政策", on_delete=models.PROTECT, related_name="payouts"
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name="市场主体",
        on_delete=models.PROTECT,
        related_name="+",
    )
    period = models.CharField("兑现期次", max_length=16)
    amount = models.DecimalField(
        "金额（元）",
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    rule_version = models.ForeignKey(
        RuleVersion, verbose_name="规则版本", on_delete=models.PROTECT, related_name="+"
    )
    inputs = models.JSONField("判定依据数据")
    explanation = models.JSONField("判定说明")
    application = models.OneToOneField(
        Application,
        verbose_name="申报",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payout",
    )
    status = models.CharField(
        "状态",
        max_length=16,
        choices=enums.PayoutStatus.choices,
        default=enums.PayoutStatus.ANNOUNCED,
    )
    announced_on = models.DateField("公示日期")
    pay_after = models.DateField("公示期满")
    batch = models.ForeignKey(
        PaymentBatch,
        verbose_name="支付批次",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="payouts",
    )
    paid_at = models.DateTimeField("支付时间", null=True, blank=True)

    class Meta:
        verbose_name = "兑现"
        verbose_name_plural = "兑现"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "enterprise", "period"], name="uniq_payout_once"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payout_amount_positive"),
        ]

    @property
    def status_label(self) -> str:
        return enums.PayoutStatus(self.status).label


class LedgerEntry(TimeStampedModel):
    """The fund ledger of a policy: the budget, commitments (announced payouts), payments and
    releases, append-only."""

    policy = models.ForeignKey(
        Policy, verbose_name="政策", on_delete=models.PROTECT, related_name="ledger"
    )
    kind = models.CharField("类别", max_length=16, choices=enums.LedgerKind.choices)
    amount = models.DecimalField("金额（元）", max_digits=16, decimal_places=2)
    payout = models.ForeignKey(
        Payout, verbose_name="兑现", null=True, blank=True, on_delete=models.PROTECT
    )
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "资金台账"
        verbose_name_plural = "资金台账"
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["payout", "kind"],
                condition=Q(payout__isnull=False),
                name="uniq_ledger_payout_kind",
            )
        ]


class Objection(TimeStampedModel):
    number = models.CharField("异议编号", max_length=32, unique=True)
    policy = models.ForeignKey(
        Policy, verbose_name="政策", on_delete=models.PROTECT, related_name="objections"
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name="市场主体",
        on_delete=models.PROTECT,
        related_name="+",
    )
    condition_path = models.CharField("条件", max_length=200)
    field = models.CharField("数据项", max_length=40, blank=True)
    claimed_value = models.CharField("企业主张的取值", max_length=100, blank=True)
    message = models.CharField("异议内容", max_length=1000)
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name="数据责任部门",
        on_delete=models.PROTECT,
        related_name="+",
    )
    due_on = models.DateField("办理期限")
    status = models.CharField(
        "状态",
        max_length=16,
        choices=enums.ObjectionStatus.choices,
        default=enums.ObjectionStatus.OPEN,
    )
    resolution = models.CharField("处理结果", max_length=500, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="提出人", on_delete=models.PROTECT, related_name="+"
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="处理人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    resolved_at = models.DateTimeField("处理时间", null=True, blank=True)

    class Meta:
        verbose_name = "政策异议"
        verbose_name_plural = "政策异议"
        ordering = ["due_on", "id"]

    @property
    def status_label(self) -> str:
        return enums.ObjectionStatus(self.status).label
