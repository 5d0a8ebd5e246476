"""Open311 GeoReport v2 mapping of 企业诉求 (pure: no ORM).

Export (`GET /api/v1/appeals/open311/requests.json`): one "service request" per appeal —
service_request_id is our reference, service_code the board an appeal is routed to
("unassigned" before routing), status "open" or "closed" (answered, confirmed, rated, closed,
merged or rejected cases are closed; a reopened case is open again), times ISO 8601 with the
Asia/Shanghai offset. Appeals carry no coordinates; the address is the enterprise's.

Import (`POST /api/v1/appeals/open311/requests.json`): another system's requests (a JSON list of
GeoReport request objects) become appeals through the intake service, idempotent per
service_request_id (intake idempotency key `open311:<id>`). GeoReport has no enterprise field: the
USCC comes from `account_id` or `attributes.uscc`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from zqt.appeals.deadlines import SHANGHAI
from zqt.core.errors import ValidationFailed

CLOSED_STATUSES = frozenset({"answered", "confirmed", "rated", "closed", "merged", "rejected"})
UNASSIGNED = "unassigned"
MAX_IMPORT = 500
ID_MAX = 56  # "open311:" + id fits the 64-character idempotency key
TITLE_FROM_DESCRIPTION = 30


def iso(value: dt.datetime | None) -> str | None:
    return value.astimezone(SHANGHAI).isoformat(timespec="seconds") if value else None


def export_status(status: str) -> str:
    return "closed" if status in CLOSED_STATUSES else "open"


def to_request(
    *,
    reference: str,
    status: str,
    status_label: str,
    board_code: str | None,
    board_name: str | None,
    title: str,
    content: str,
    agency: str,
    received_at: dt.datetime,
    updated_at: dt.datetime,
    expected_at: dt.datetime | None,
    address: str = "",
    lat: float | None = None,
    long: float | None = None,
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "service_request_id": reference,
        "status": export_status(status),
        "status_notes": status_label,
        "service_name": board_name or "待分派",
        "service_code": board_code or UNASSIGNED,
        "description": f"{title}：{content}" if title else content,
        "agency_responsible": agency,
        "service_notice": "",
        "requested_datetime": iso(received_at),
        "updated_datetime": iso(updated_at),
        "expected_datetime": iso(expected_at),
    }
    if address:
        item["address"] = address
    if lat is not None and long is not None:
        item["lat"], item["long"] = lat, long
    return item


@dataclass(frozen=True)
class ImportItem:
    """One GeoReport request to import, checked for shape (the intake service checks the rest)."""

    external_id: str
    uscc: str
    title: str
    content: str
    requested_at: dt.datetime | None
    contact_name: str
    contact_phone: str

    @property
    def idempotency_key(self) -> str:
        return f"open311:{self.external_id}"


def _text(raw: dict[str, Any], key: str) -> str:
    value = raw.get(key)
    if value is None:
        return ""
    if not isinstance(value, (str, int, float)):
        raise ValidationFailed(f"{key} 必须是文本。", field=key)
    return str(value).strip()


def parse_datetime(value: str, *, now: dt.datetime) -> dt.datetime:
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValidationFailed(
            "requested_datetime 不是 ISO 8601 时间。", field="requested_datetime"
        ) from None
    if parsed.tzinfo is None:
        raise ValidationFailed("requested_datetime 必须带时区。", field="requested_datetime")
    if parsed > now + dt.timedelta(minutes=5):
        raise ValidationFailed("requested_datetime 不能晚于当前时间。", field="requested_datetime")
    if parsed < now - dt.timedelta(days=366):
        raise ValidationFailed("requested_datetime 不能早于一年前。", field="requested_datetime")
    return parsed


def parse_item(raw: Any, *, now: dt.datetime) -> ImportItem:
    if not isinstance(raw, dict):
        raise ValidationFailed("每条服务请求必须是 JSON 对象。", field="request")
    external_id = _text(raw, "service_request_id")
    if not external_id:
        raise ValidationFailed("缺少 service_request_id。", field="service_request_id")
    if len(external_id) > ID_MAX:
        raise ValidationFailed(
            f"service_request_id 不能超过{ID_MAX}个字符。", field="service_request_id"
        )
    attributes = raw.get("attributes")
    if attributes is None:
        attributes = {}
    if not isinstance(attributes, dict):
        raise ValidationFailed("attributes 必须是 JSON 对象。", field="attributes")
    uscc = _text(raw, "account_id") or _text(attributes, "uscc")
    if not uscc:
        raise ValidationFailed(
            "缺少企业统一社会信用代码（account_id 或 attributes.uscc）。", field="account_id"
        )
    description = _text(raw, "description")
    if not description:
        raise ValidationFailed("缺少 description。", field="description")
    title = _text(raw, "service_name") or description[:TITLE_FROM_DESCRIPTION]
    requested = _text(raw, "requested_datetime")
    name = " ".join(p for p in (_text(raw, "last_name"), _text(raw, "first_name")) if p)
    return ImportItem(
        external_id=external_id,
        uscc=uscc,
        title=title,
        content=description,
        requested_at=parse_datetime(requested, now=now) if requested else None,
        contact_name=name,
        contact_phone=_text(raw, "phone"),
    )


def parse_batch(raw: Any, *, now: dt.datetime) -> list[ImportItem]:
    """The whole batch is checked before anything is written: one malformed request refuses
    the batch (the caller fixes its export); per-appeal rule errors come back per item."""
    if not isinstance(raw, list) or not raw:
        raise ValidationFailed("请提交服务请求的 JSON 数组（至少一条）。", field="requests")
    if len(raw) > MAX_IMPORT:
        raise ValidationFailed(f"一次最多导入{MAX_IMPORT}条。", field="requests")
    items = []
    for index, entry in enumerate(raw):
        try:
            items.append(parse_item(entry, now=now))
        except ValidationFailed as exc:
            raise ValidationFailed(f"第{index + 1}条：{exc.message}", field=exc.field) from None
    return items
