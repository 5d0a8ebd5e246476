"""Task functions used by the taskqueue tests (importable by module path, also by the worker
subprocesses started in test_processes.py)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, ClassVar

from django_tasks import TaskContext, task


class Calls:
    log: ClassVar[list[Any]] = []


@task()
def echo(value: Any) -> Any:
    Calls.log.append(value)
    return value


@task(queue_name="notifications")
def echo_notification(value: Any) -> Any:
    Calls.log.append(("notification", value))
    return value


@task()
def fail_always(message: str) -> None:
    raise ValueError(message)


@task()
def return_unserialisable() -> object:
    return object()


@task(takes_context=True)
def report_attempt(context: TaskContext, label: str) -> dict[str, Any]:
    return {"label": label, "id": context.task_result.id}


@task()
def enqueue_echo(value: Any) -> str:
    return echo.enqueue(value).id


@task()
def interrupt_worker() -> None:
    raise KeyboardInterrupt


@task()
def write_file_when_released(directory: str) -> str:
    """Marks that it started, then waits (up to 30 s) for a `release` file and writes `done`.
    Used to kill a worker while it runs a task."""
    folder = Path(directory)
    (folder / "started").touch()
    deadline = time.monotonic() + 30
    while not (folder / "release").exists():
        if time.monotonic() > deadline:
            raise TimeoutError("not released")
        time.sleep(0.05)
    (folder / "done").write_text("ok")
    return "done"
