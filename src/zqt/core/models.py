from __future__ import annotations

from django.db import models


class TimeStampedModel(models.Model):
    """Base for every domain model: aware UTC timestamps set by the database layer."""

    created_at = models.DateTimeField("创建时间", auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        abstract = True
