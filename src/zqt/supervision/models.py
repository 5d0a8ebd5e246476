from __future__ import annotations

from django.conf import settings
from django.db import models

from zqt.core.models import TimeStampedModel
from zqt.supervision.enums import (
    DrawPurpose,
    DrawStatus,
    FindingOutcome,
    InspectionStatus,
    ItemColour,
)


class ItemList(TimeStampedModel):
    """One published version of a department's inspection item list (红/黄/绿 事项清单).

    Versions are immutable once published; editing publishes the next version, and inspections
    keep pointing at the version they were planned with."""

    department_code = models.CharField("部门编码", max_length=32, db_index=True)
    department_name = models.CharField("部门", max_length=64)
    version = models.PositiveIntegerField("版本")
    is_current = models.BooleanField("现行版本", default=True)
    note = models.CharField("修订说明", max_length=200, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发布人", null=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = "检查事项清单"
        verbose_name_plural = "检查事项清单"
        ordering = ["department_code", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["department_code", "version"], name="uniq_item_list_version"
            ),
            models.UniqueConstraint(
                fields=["department_code"],
                condition=models.Q(is_current=True),
                name="uniq_item_list_current",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.department_name} v{self.version}"


class InspectionItem(models.Model):
    item_list = models.ForeignKey(
        ItemList, verbose_name="清单", on_delete=models.CASCADE, related_name="items"
    )
    code = models.CharField("事项编码", max_length=32)
    title = models.CharField("检查事项", max_length=200)
    colour = models.CharField("类别", max_length=8, choices=ItemColour.choices)
    legal_basis = models.CharField("检查依据", max_length=300)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "检查事项"
        verbose_name_plural = "检查事项"
        ordering = ["sort_order", "code"]
        constraints = [models.UniqueConstraint(fields=["item_list", "code"], name="uniq_item_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class Expert(TimeStampedModel):
    """An evaluation expert of the expert pool (评标专家库)."""

    code = models.CharField("专家编号", max_length=32, unique=True)
    name = models.CharField("姓名", max_length=64)
    speciality = models.CharField("专业", max_length=64, db_index=True)
    employer = models.CharField("工作单位", max_length=128)
    region_code = models.CharField("所在地区", max_length=12)
    active = models.BooleanField("在库", default=True)

    class Meta:
        verbose_name = "评标专家"
        verbose_name_plural = "评标专家"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class Tender(TimeStampedModel):
    number = models.CharField("项目编号", max_length=32, unique=True)
    title = models.CharField("项目名称", max_length=128)
    speciality = models.CharField("评标专业", max_length=64)
    region_code = models.CharField("项目所在地", max_length=12)
    bidders = models.JSONField("投标单位", default=list, blank=True)
    venues = models.JSONField("评标场地", default=list, blank=True)
    org_unit = models.ForeignKey(
        "accounts.OrgUnit", verbose_name="组织", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "招标项目"
        verbose_name_plural = "招标项目"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class Draw(TimeStampedModel):
    """A 双随机 draw (or an expert draw) and its public record (一公开).

    Committed first (population, pool and conflicts frozen with their digests, the seed's
    hash published), drawn afterwards (seed revealed, result stored). See draw_engine."""

    number = models.CharField("编号", max_length=32, unique=True)
    purpose = models.CharField("类别", max_length=16, choices=DrawPurpose.choices)
    title = models.CharField("名称", max_length=128)
    department_code = models.CharField("部门编码", max_length=32)
    department_name = models.CharField("部门", max_length=64)
    org_unit = models.ForeignKey(
        "accounts.OrgUnit", verbose_name="组织", on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发起人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    item_list = models.ForeignKey(
        ItemList, verbose_name="检查事项清单", null=True, blank=True, on_delete=models.PROTECT
    )
    tender = models.ForeignKey(
        Tender, verbose_name="招标项目", null=True, blank=True, on_delete=models.PROTECT
    )
    engine_version = models.CharField("算法版本", max_length=16)
    population_filter = models.JSONField("抽查对象范围", default=dict, blank=True)
    population_size = models.PositiveIntegerField("对象数")
    population_digest = models.CharField("对象名录摘要", max_length=64)
    population_gz = models.BinaryField("对象名录（gzip）")
    weights = models.JSONField("等级权重", default=dict, blank=True)
    pool = models.JSONField("人员（场地）库", default=list, blank=True)
    pool_digest = models.CharField("人员库摘要", max_length=64)
    pool_labels = models.JSONField("人员（场地）名称", default=dict, blank=True)
    conflicts = models.JSONField("回避对", default=list, blank=True)
    conflicts_digest = models.CharField("回避对摘要", max_length=64)
    region_conflict = models.BooleanField("本地回避", default=True)
    excluded = models.JSONField("排除对象及理由", default=list, blank=True)
    k = models.PositiveIntegerField("抽取对象数")
    m = models.PositiveIntegerField("每对象人员数")
    max_per_assignee = models.PositiveIntegerField("每人最多对象数", null=True, blank=True)
    commitment = models.CharField("种子承诺（SHA-256）", max_length=64)
    # Secret until the draw is made: never shown (pages, API) while status is committed.
    seed_hex = models.CharField("随机种子", max_length=64)
    status = models.CharField(
        "状态", max_length=16, choices=DrawStatus.choices, default=DrawStatus.COMMITTED
    )
    committed_at = models.DateTimeField("承诺公示时间")
    drawn_at = models.DateTimeField("抽取时间", null=True, blank=True)
    result = models.JSONField("抽取结果", default=list, blank=True)
    result_digest = models.CharField("结果摘要", max_length=64, blank=True)

    class Meta:
        verbose_name = "随机抽取"
        verbose_name_plural = "随机抽取"
        ordering = ["-committed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class JointInspection(TimeStampedModel):
    """综合查一次: several departments' planned checks of one enterprise, one visit."""

    number = models.CharField("编号", max_length=32, unique=True)
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name="市场主体",
        on_delete=models.CASCADE,
        related_name="+",
    )
    period_start = models.DateField("计划期起")
    period_end = models.DateField("计划期止")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="编排人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "综合查一次"
        verbose_name_plural = "综合查一次"
        ordering = ["-created_at"]


class Inspection(TimeStampedModel):
    """One department's planned check of one enterprise (from a draw or a red-list plan)."""

    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name="市场主体",
        on_delete=models.CASCADE,
        related_name="+",
    )
    department_code = models.CharField("部门编码", max_length=32)
    department_name = models.CharField("部门", max_length=64)
    item_list = models.ForeignKey(ItemList, verbose_name="检查事项清单", on_delete=models.PROTECT)
    draw = models.ForeignKey(
        Draw,
        verbose_name="随机抽取",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    joint = models.ForeignKey(
        JointInspection,
        verbose_name="综合查一次",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inspections",
    )
    inspectors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name="检查人员", related_name="+"
    )
    region_code = models.CharField("所属区划", max_length=12, db_index=True)
    planned_on = models.DateField("计划日期")
    status = models.CharField(
        "状态", max_length=16, choices=InspectionStatus.choices, default=InspectionStatus.PLANNED
    )
    recorded_at = models.DateTimeField("检查时间", null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    conclusion = models.CharField("检查结论", max_length=200, blank=True)
    published_at = models.DateTimeField("结果公示时间", null=True, blank=True)

    class Meta:
        verbose_name = "检查任务"
        verbose_name_plural = "检查任务"
        ordering = ["planned_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["draw", "enterprise"], name="uniq_inspection_per_draw_target"
            )
        ]


class Finding(models.Model):
    inspection = models.ForeignKey(
        Inspection, verbose_name="检查任务", on_delete=models.CASCADE, related_name="findings"
    )
    item = models.ForeignKey(InspectionItem, verbose_name="检查事项", on_delete=models.PROTECT)
    outcome = models.CharField("结果", max_length=8, choices=FindingOutcome.choices)
    note = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "检查结果"
        verbose_name_plural = "检查结果"
        constraints = [
            models.UniqueConstraint(fields=["inspection", "item"], name="uniq_finding_item")
        ]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.outcome}"


class InspectorProfile(TimeStampedModel):
    """Where an inspector comes from (户籍/居住地乡镇): targets there are conflicts (回避)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="执法人员",
        on_delete=models.CASCADE,
        related_name="inspector_profile",
    )
    home_region_code = models.CharField("本人所在地区", max_length=12, blank=True)

    class Meta:
        verbose_name = "执法人员回避信息"
        verbose_name_plural = "执法人员回避信息"
