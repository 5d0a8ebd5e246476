"""Enqueue a task as part of the transaction that causes it (transactional outbox).

With django-tasks-db the queue is a table in our database, so enqueueing is an INSERT in the
current transaction: if the transaction rolls back, the task was never queued; if it commits,
the task is there as surely as the data. Never wrap it in `transaction.on_commit` (a crash
between commit and enqueue would lose the task) and never point ZQT at a broker backend
(its write would happen outside the transaction).
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import ImproperlyConfigured
from django_tasks.base import Task, TaskResult
from django_tasks_db.backend import DatabaseBackend
from typing_extensions import ParamSpec

P = ParamSpec("P")
T = TypeVar("T")


def enqueue(task: Task[P, T], /, *args: P.args, **kwargs: P.kwargs) -> TaskResult[T]:
    """Queue `task(*args, **kwargs)`. Call inside the transaction that causes it, e.g. in a
    service right after the write, within its `transaction.atomic()` block.

    Raises ImproperlyConfigured if the task's backend is not the database backend, because then
    the enqueue would not be part of the transaction.
    """
    backend: Any = task.get_backend()
    if not isinstance(backend, DatabaseBackend):
        raise ImproperlyConfigured(
            f"Task {task.module_path} uses backend {task.backend!r} "
            f"({type(backend).__name__}); ZQT enqueues only on django_tasks_db.DatabaseBackend, "
            "which is what makes enqueueing part of the transaction."
        )
    return task.enqueue(*args, **kwargs)
