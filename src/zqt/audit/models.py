from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_noop


class AuditOutcome(models.TextChoices):
    ALLOWED = "allowed", gettext_noop("允许")
    DENIED = "denied", gettext_noop("拒绝")


class AuditEvent(models.Model):
    """Append-only record of a read of enterprise data or any write.

    Rows are never updated or deleted by the application (save() refuses updates, delete()
    refuses); on PostgreSQL a trigger refuses UPDATE/DELETE as well (migration 0002).
    """

    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    actor_label = models.CharField("操作人名称", max_length=150)
    actor_role = models.CharField("角色", max_length=32, blank=True)
    org_unit_code = models.CharField("组织", max_length=12, blank=True, db_index=True)
    action = models.CharField("操作", max_length=64, db_index=True)
    object_type = models.CharField("对象类型", max_length=64, blank=True)
    object_id = models.CharField("对象", max_length=64, blank=True, db_index=True)
    purpose = models.CharField("目的", max_length=200, blank=True)
    outcome = models.CharField(
        "结果", max_length=8, choices=AuditOutcome.choices, default=AuditOutcome.ALLOWED
    )
    changes = models.JSONField("变更内容", default=dict, blank=True)
    ip_address = models.GenericIPAddressField("IP", null=True, blank=True)

    class Meta:
        verbose_name = "审计记录"
        verbose_name_plural = "审计记录"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["actor", "at"], name="audit_actor_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise RuntimeError("审计记录只能追加，不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise RuntimeError("审计记录只能追加，不能删除。")
