"""Outbound webhooks through an outbox: a WebhookDelivery row and its delivery task are written
in the transaction of the change, so a notification is never lost and never blocks the case; a
failed delivery is retried with backoff by the periodic retry job."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import urllib.request
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from zqt.appeals.models import Appeal, WebhookDelivery, WebhookEndpoint
from zqt.taskqueue import outbox

MAX_ATTEMPTS = 8
TIMEOUT_SECONDS = 5


def payload_for(appeal: Appeal, event: str) -> dict[str, Any]:
    return {
        "event": event,
        "reference": appeal.reference,
        "status": appeal.status,
        "board": appeal.board.code if appeal.board_id and appeal.board else None,
        "region_code": appeal.region_code,
        "updated_at": timezone.now().isoformat(),
    }


def outbox_add(*, appeal: Appeal, event: str) -> int:
    """Queue `event` for every active endpoint. Call inside the change's transaction."""
    endpoints = list(WebhookEndpoint.objects.filter(active=True))
    for endpoint in endpoints:
        delivery = WebhookDelivery.objects.create(
            endpoint=endpoint,
            event=event,
            payload=payload_for(appeal, event),
            next_attempt_at=timezone.now(),
        )
        outbox.enqueue(webhook_deliver, delivery.pk)
    return len(endpoints)


def sign(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(3600, 30 * 2 ** max(0, attempts - 1)))


def _post(url: str, body: bytes, signature: str) -> None:
    request = urllib.request.Request(  # noqa: S310 - URL set by operations staff
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "X-ZQT-Signature": signature},
    )
    with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
        if response.status >= 300:
            raise OSError(f"HTTP {response.status}")


def deliver_one(delivery_id: int, *, now: dt.datetime | None = None) -> bool:
    """One attempt; on failure the next one is due `backoff(attempts)` after this one."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .select_related("endpoint")
            .filter(pk=delivery_id, delivered_at__isnull=True)
            .first()
        )
        if delivery is None or delivery.attempts >= MAX_ATTEMPTS:
            return False
        body = json.dumps(delivery.payload, ensure_ascii=False).encode()
        delivery.attempts += 1
        try:
            _post(delivery.endpoint.url, body, sign(delivery.endpoint.secret, body))
        except Exception as exc:
            delivery.last_error = str(exc)[:300]
            delivery.next_attempt_at = (now or timezone.now()) + backoff(delivery.attempts)
            delivery.save(update_fields=["attempts", "last_error", "next_attempt_at", "updated_at"])
            return False
        delivery.delivered_at = now or timezone.now()
        delivery.save(update_fields=["attempts", "delivered_at", "updated_at"])
        return True


@task(queue_name="default")
def webhook_deliver(delivery_id: int) -> bool:
    return deliver_one(delivery_id)


def retry_due(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    now = now or timezone.now()
    ids = list(
        WebhookDelivery.objects.filter(
            delivered_at__isnull=True, attempts__lt=MAX_ATTEMPTS, next_attempt_at__lte=now
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(1 for pk in ids if deliver_one(pk, now=now))
