"""API schemas of the enterprise code (django-ninja)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Field, Schema


class ErrorOut(Schema):
    code: str = Field(description="机器可读的原因，如 bad_signature、expired、replayed、revoked")
    message: str
    field: str | None = None
    errors: list[dict[str, Any]] | None = None


class TokenIn(Schema):
    token: str = Field(
        description="扫码得到的完整内容（网址）或其中 /C/ 之后的部分", max_length=2048
    )


class PrefillIn(TokenIn):
    purpose: str = Field(description="办理事项", max_length=100)


class LicencePublicOut(Schema):
    licence_type: str
    issuer: str
    expires_on: dt.date | None
    state: str = Field(description="valid / expiring / expired / pending")
    state_label: str
    colour: str


class CreditPublicOut(Schema):
    kind: str
    kind_label: str
    title: str
    source_department: str
    recorded_on: dt.date


class HonourOut(Schema):
    title: str
    granted_by: str
    granted_on: dt.date


class PublicFactsOut(Schema):
    uscc: str
    name: str
    entity_type_label: str
    status: str
    status_label: str
    legal_rep_name: str = Field(description="已脱敏")
    registered_capital: Decimal
    founded_on: dt.date
    address: str
    region_name: str
    industry_name: str
    tags: list[str]
    licences: list[LicencePublicOut]
    credit_records: list[CreditPublicOut]
    honours: list[HonourOut]


class PublicSummaryOut(Schema):
    uscc: str
    name: str
    status: str
    status_label: str
    legal_rep_name: str = Field(description="已脱敏")
    licences: list[LicencePublicOut]


class VerifyOut(Schema):
    authentic: bool
    code_kind: str = Field(description="static / dynamic")
    code_status: str = Field(description="valid / suspended")
    code_status_label: str
    issued_at: dt.datetime
    expires_at: dt.datetime | None
    kid: str
    enterprise: PublicSummaryOut
    facts: PublicFactsOut | None = Field(
        default=None, description="detail=true 时返回：信用、荣誉、行业、区划等公开信息"
    )


class DynamicCodeOut(Schema):
    token: str
    url: str
    issued_at: int
    expires_at: int
    ttl: int


class PrefillOut(Schema):
    enterprise_name: str
    uscc: str
    consent_id: int
    consent_purpose: str
    fields: list[str]
    values: dict[str, Any]


class InspectOut(Schema):
    authentic: bool
    code_kind: str
    code_status_label: str
    risk_flags: list[str]
    detail: dict[str, Any]
    inspection_history: list[dict[str, Any]]


class ScanOut(Schema):
    created_at: dt.datetime
    audience: str
    audience_label: str
    channel: str
    code_kind: str
    result: str
    failure_reason: str
    scanner: str


class ConsentIn(Schema):
    grantee_code: str = Field(description="授权对象（办事单位）的区划代码，含其下级")
    purpose: str
    fields: list[str]
    days: int = 30


class ConsentOut(Schema):
    id: int
    grantee_code: str
    grantee_name: str
    purpose: str
    fields: list[str]
    expires_at: dt.datetime
    revoked_at: dt.datetime | None
    active: bool


class StatsOut(Schema):
    by_day: list[dict[str, Any]]
    columns: list[list[str]]
    failures: list[dict[str, Any]]
    totals: dict[str, int]
