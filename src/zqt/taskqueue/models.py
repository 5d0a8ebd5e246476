"""Bookkeeping the task queue adds next to django-tasks-db's own table (DBTaskResult).

TaskLease: who runs a RUNNING task and until when that is believed (heartbeats push the expiry
forward); the reaper re-queues tasks whose lease ran out. One row per task result, kept after
the task finishes so `reclaim_count` stays visible; it goes when the task result is pruned.

ScheduledRun: one row per periodic job and period. Its unique constraint is what makes a job run
once per period however many schedulers run (the row and the task are inserted together).
"""

from __future__ import annotations

from django.db import models
from django_tasks_db.models import DBTaskResult

from zqt.core.models import TimeStampedModel


class TaskLease(models.Model):
    task_result = models.OneToOneField(
        DBTaskResult,
        verbose_name="任务",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="zqt_lease",
    )
    worker_id = models.CharField("执行进程", max_length=64)
    # A fresh token per claim: a worker may only renew or finish the claim it holds, so a worker
    # that was presumed dead (and whose task was re-queued and claimed again) cannot overwrite
    # the new run's lease or result. NULL while nobody holds the task.
    token = models.UUIDField("租约令牌", null=True, blank=True)
    claimed_at = models.DateTimeField("领取时间")
    heartbeat_at = models.DateTimeField("最近心跳")
    lease_expires_at = models.DateTimeField("租约到期", null=True, blank=True, db_index=True)
    reclaim_count = models.PositiveIntegerField("回收次数", default=0)
    last_reclaimed_at = models.DateTimeField("最近回收时间", null=True, blank=True)

    class Meta:
        verbose_name = "任务租约"
        verbose_name_plural = "任务租约"

    def __str__(self) -> str:
        return f"{self.task_result_id} @ {self.worker_id}"


class ScheduledRun(TimeStampedModel):
    job_name = models.CharField("定时任务", max_length=100)
    period_start = models.DateTimeField("周期开始")
    task_result = models.ForeignKey(
        DBTaskResult,
        verbose_name="任务",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "定时任务执行记录"
        verbose_name_plural = "定时任务执行记录"
        ordering = ("-period_start", "job_name")
        constraints = (
            models.UniqueConstraint(
                fields=("job_name", "period_start"), name="taskqueue_run_once_per_period"
            ),
        )

    def __str__(self) -> str:
        return f"{self.job_name} @ {self.period_start.isoformat()}"
