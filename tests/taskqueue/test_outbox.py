"""Transactional outbox: a task is queued exactly when the transaction that causes it commits."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.test import override_settings
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tests.taskqueue.tasks_for_tests import echo
from zqt.taskqueue.outbox import enqueue


class Boom(Exception):
    pass


@pytest.mark.django_db(transaction=True)
def test_a_task_enqueued_in_a_rolled_back_transaction_is_not_queued() -> None:
    with pytest.raises(Boom), transaction.atomic():
        enqueue(echo, "lost")
        assert DBTaskResult.objects.count() == 1  # visible inside the transaction...
        raise Boom

    assert DBTaskResult.objects.count() == 0  # ...and gone with it


@pytest.mark.django_db(transaction=True)
def test_a_task_enqueued_in_a_committed_transaction_is_queued() -> None:
    with transaction.atomic():
        result = enqueue(echo, "kept")

    row = DBTaskResult.objects.get()
    assert str(row.pk) == result.id
    assert row.status == TaskResultStatus.READY
    assert row.task_path == "tests.taskqueue.tasks_for_tests.echo"
    assert row.args_kwargs == {"args": ["kept"], "kwargs": {}}


@pytest.mark.django_db(transaction=True)
def test_enqueue_passes_keyword_arguments_and_task_options() -> None:
    with transaction.atomic():
        enqueue(echo.using(queue_name="sweeps", priority=5), value="v")

    row = DBTaskResult.objects.get()
    assert (row.queue_name, row.priority) == ("sweeps", 5)
    assert row.args_kwargs == {"args": [], "kwargs": {"value": "v"}}


@pytest.mark.django_db
def test_enqueue_refuses_a_backend_outside_the_database() -> None:
    immediate = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with override_settings(TASKS=immediate):
        with pytest.raises(ImproperlyConfigured, match="DatabaseBackend"):
            enqueue(echo, "x")
    assert DBTaskResult.objects.count() == 0
