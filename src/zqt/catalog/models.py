"""The service catalog (一清单): the provincial guide directory of seed 004 附件3 and the local
catalogs that org units build on it under 四统一 (unified item, unit, scope, channel)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from zqt.catalog.enums import ChangeAction, ItemStatus
from zqt.core.models import TimeStampedModel


class ServiceCategory(models.Model):
    """一级分类 (01 政策服务 … 13 其他服务). Reference data."""

    code = models.CharField("分类代码", max_length=2, unique=True)
    name = models.CharField("分类名称", max_length=32)
    # accounts.ServiceBoard.code; a code, not a FK: boards belong to accounts.
    board_code = models.CharField("服务板块", max_length=32)

    class Meta:
        verbose_name = "服务分类"
        verbose_name_plural = "服务分类"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class CatalogItem(TimeStampedModel):
    """One service (二级分类). org_unit None = the provincial guide item (seed 附件3); otherwise
    a local item of that org unit, refining a provincial item (`extends`) or its category."""

    code = models.CharField("事项编码", max_length=32, unique=True)
    category = models.ForeignKey(
        ServiceCategory, verbose_name="一级分类", on_delete=models.PROTECT, related_name="items"
    )
    org_unit = models.ForeignKey(
        "accounts.OrgUnit",
        verbose_name="清单所属",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    extends = models.ForeignKey(
        "self",
        verbose_name="对应省级事项",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="local_items",
    )
    name = models.CharField("服务事项", max_length=64)
    description = models.TextField("服务简介", blank=True)
    responsible_units = models.CharField("责任部门", max_length=200, blank=True)
    service_scope = models.CharField("服务范围", max_length=200, blank=True)
    channels = models.JSONField("办理方式", default=list)
    board_code = models.CharField("服务板块", max_length=32, blank=True)
    time_limit_days = models.PositiveSmallIntegerField("办理时限（工作日）", null=True, blank=True)
    materials = models.JSONField("所需材料", default=list, blank=True)
    contact = models.CharField("咨询方式", max_length=100, blank=True)
    status = models.CharField(
        "状态", max_length=16, choices=ItemStatus.choices, default=ItemStatus.DRAFT
    )
    seed_row = models.PositiveSmallIntegerField("目录序号", null=True, blank=True)

    class Meta:
        verbose_name = "服务事项"
        verbose_name_plural = "服务事项"
        ordering = ["code"]
        indexes = [models.Index(fields=["org_unit", "status"], name="catalog_item_unit_status")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class CatalogVersion(TimeStampedModel):
    """A published edition of one org unit's catalog (None = the provincial guide)."""

    org_unit = models.ForeignKey(
        "accounts.OrgUnit",
        verbose_name="清单所属",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    number = models.PositiveIntegerField("版本号")
    note = models.CharField("发布说明", max_length=200, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发布人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    item_count = models.PositiveIntegerField("事项数", default=0)
    snapshot = models.JSONField("事项快照", default=list)

    class Meta:
        verbose_name = "清单版本"
        verbose_name_plural = "清单版本"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "number"], name="uniq_catalog_version"),
            models.UniqueConstraint(
                fields=["number"],
                condition=models.Q(org_unit__isnull=True),
                name="uniq_catalog_version_province",
            ),
        ]


class CatalogChange(TimeStampedModel):
    """Change history of catalog items (what changed, by whom, in which later version)."""

    item = models.ForeignKey(
        CatalogItem,
        verbose_name="事项",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="changes",
    )
    item_code = models.CharField("事项编码", max_length=32, blank=True)
    org_unit = models.ForeignKey(
        "accounts.OrgUnit",
        verbose_name="清单所属",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField("操作", max_length=16, choices=ChangeAction.choices)
    changes = models.JSONField("变更内容", default=dict)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    version = models.ForeignKey(
        CatalogVersion,
        verbose_name="发布版本",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="changes",
    )

    class Meta:
        verbose_name = "清单变更"
        verbose_name_plural = "清单变更"
        ordering = ["-created_at", "-id"]
