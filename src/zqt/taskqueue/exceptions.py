"""Errors recorded on task results by the task queue itself (not raised by task code)."""

from __future__ import annotations


class TaskLeaseExpiredError(Exception):
    """The task's worker stopped renewing its lease (killed, frozen, cut off from the database)
    more often than ZQT_TASK_MAX_RECLAIMS allows, so the reaper gave up on the task.

    The reaper stores this class's path and a message on the failed task result; it is never
    raised. The task is idempotent, so an operator may simply enqueue it again once the cause
    (usually a task that crashes its worker, e.g. by running out of memory) is fixed.
    """
