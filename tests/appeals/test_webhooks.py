from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from tests.appeals.test_services import routed, submit
from zqt.appeals import services, webhooks
from zqt.appeals.models import Appeal, WebhookDelivery, WebhookEndpoint
from zqt.notifications.models import Notification
from zqt.taskqueue.testing import run_pending_tasks

pytestmark = pytest.mark.django_db


@pytest.fixture
def endpoint(c) -> WebhookEndpoint:  # type: ignore[no-untyped-def]
    return WebhookEndpoint.objects.create(
        name="12345", url="https://example.invalid/hook", secret="s3cret"
    )


@pytest.fixture
def posts(monkeypatch) -> list[tuple[str, bytes, str]]:  # type: ignore[no-untyped-def]
    sent: list[tuple[str, bytes, str]] = []
    monkeypatch.setattr(webhooks, "_post", lambda url, body, sig: sent.append((url, body, sig)))
    return sent


def test_backoff_doubles_and_is_capped() -> None:
    assert [webhooks.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert webhooks.backoff(20) == dt.timedelta(hours=1)


def test_a_move_is_delivered_signed_through_the_outbox(c, endpoint, posts) -> None:  # type: ignore[no-untyped-def]
    appeal = routed(c)
    deliveries = list(WebhookDelivery.objects.order_by("pk"))
    assert [d.event for d in deliveries] == ["appeal.accepted", "appeal.assigned"]
    assert posts == []  # nothing is sent inside the case's transaction
    run_pending_tasks()
    assert len(posts) == 2
    url, body, signature = posts[-1]
    assert url == endpoint.url and signature == webhooks.sign("s3cret", body)
    payload = json.loads(body)
    assert payload["reference"] == appeal.reference and payload["board"] == "project"
    assert all(d.delivered_at and d.attempts == 1 for d in WebhookDelivery.objects.all())
    # Delivered once: a second run (at-least-once worker) sends nothing more.
    assert webhooks.deliver_one(deliveries[0].pk) is False
    assert len(posts) == 2


def test_failing_endpoint_is_retried_with_backoff_and_never_blocks_the_case(
    c, endpoint, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    calls: list[str] = []

    def down(url: str, body: bytes, sig: str) -> None:
        calls.append(url)
        raise OSError("connection refused")

    monkeypatch.setattr(webhooks, "_post", down)
    appeal = routed(c)
    run_pending_tasks()  # the delivery tasks fail quietly; the case has moved on
    assert Appeal.objects.get(pk=appeal.pk).status == "assigned"
    delivery = WebhookDelivery.objects.get(event="appeal.assigned")
    assert delivery.attempts == 1 and delivery.delivered_at is None
    assert "connection refused" in delivery.last_error
    first_retry = delivery.next_attempt_at
    assert first_retry is not None
    assert (first_retry - delivery.updated_at).total_seconds() == pytest.approx(30, abs=2)
    # Not due yet: nothing is tried.
    assert webhooks.retry_due(now=timezone.now()) == 0
    assert webhooks.retry_due(now=first_retry + dt.timedelta(seconds=1)) == 0
    delivery.refresh_from_db()
    assert delivery.attempts == 2
    assert delivery.next_attempt_at - first_retry >= dt.timedelta(seconds=59)
    # The endpoint comes back: the next due retry delivers.
    sent: list[bytes] = []
    monkeypatch.setattr(webhooks, "_post", lambda url, body, sig: sent.append(body))
    assert webhooks.retry_due(now=timezone.now() + dt.timedelta(hours=2)) == 2
    delivery.refresh_from_db()
    assert delivery.delivered_at is not None and delivery.attempts == 3


def test_retries_stop_after_max_attempts(c, endpoint, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def down(url: str, body: bytes, sig: str) -> None:
        raise TimeoutError("timed out")

    monkeypatch.setattr(webhooks, "_post", down)
    routed(c)
    later = timezone.now()
    for _ in range(webhooks.MAX_ATTEMPTS + 2):
        later += dt.timedelta(hours=2)
        webhooks.retry_due(now=later)
    assert {d.attempts for d in WebhookDelivery.objects.all()} == {webhooks.MAX_ATTEMPTS}
    assert webhooks.retry_due(now=later + dt.timedelta(days=1)) == 0


def test_unreachable_endpoint_for_real(c) -> None:  # type: ignore[no-untyped-def]
    # Port 9 on loopback: refused at once. The real HTTP client raises; the delivery records it.
    WebhookEndpoint.objects.create(name="down", url="http://127.0.0.1:9/hook", secret="x")
    appeal = routed(c)
    run_pending_tasks()
    assert Appeal.objects.get(pk=appeal.pk).status == "assigned"
    assert all(d.delivered_at is None and d.last_error for d in WebhookDelivery.objects.all())


def test_inactive_endpoint_gets_nothing(c, endpoint, posts) -> None:  # type: ignore[no-untyped-def]
    endpoint.active = False
    endpoint.save()
    routed(c)
    assert not WebhookDelivery.objects.exists()


def test_appeal_messages_use_the_appeal_event_template(c) -> None:  # type: ignore[no-untyped-def]
    appeal = routed(c)
    note = Notification.objects.filter(recipient=c.handler).latest("pk")
    assert note.template_code == "appeal_event"
    assert note.title.startswith("【企业诉求】") and appeal.reference in note.title
    assert f"诉求编号 {appeal.reference}" in note.body
    services.appeal_answer(
        user=c.handler, appeal_id=appeal.pk, resolution_type="solved", text="已办"
    )
    mine = Notification.objects.filter(recipient=c.company).latest("pk")
    assert mine.template_code == "appeal_event" and appeal.reference in mine.body


def test_enterprise_message_without_reference_in_title(c) -> None:  # type: ignore[no-untyped-def]
    appeal, _ = submit(c)
    services._notify(c.company, title="测试", body="正文", event_key="t:1")
    note = Notification.objects.get(recipient=c.company, event_key="t:1")
    assert note.body.endswith("（诉求编号 —）。") and appeal.reference not in note.body
    services._notify_enterprise(appeal, title="测试", body="正文", event_key="t:2")
    assert appeal.reference in Notification.objects.get(event_key="t:2").body
