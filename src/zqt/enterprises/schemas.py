"""API schemas of the enterprise registry (django-ninja). Field types document the API; the
services validate every value again and answer with Chinese messages naming the field."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema


class EnterpriseListItemOut(Schema):
    uscc: str
    name: str
    entity_type: str
    entity_type_label: str
    status: str
    status_label: str
    legal_rep_name: str = Field(description="非敏感角色显示为脱敏姓名")
    registered_capital: Decimal = Field(description="注册资本（万元）")
    founded_on: dt.date
    region_code: str
    region_name: str
    industry_code: str
    industry_name: str
    scale: str
    scale_label: str
    lifecycle_stage: str
    lifecycle_stage_label: str
    tags: list[str]


class SearchPageOut(Schema):
    items: list[EnterpriseListItemOut]
    page: int
    page_size: int
    has_next: bool
    has_previous: bool
    total: int | None = Field(description="匹配总数；超过上限时为 null，见 total_display")
    total_display: str = Field(description="如“356”或“10000+”")


class LicenceOut(Schema):
    id: int
    licence_type: str
    number: str
    issuer: str
    issued_on: dt.date
    expires_on: dt.date | None
    status: str = Field(description="登记状态：pending / active / revoked")
    status_label: str
    state: str = Field(description="颜色状态：valid / expiring / expired / pending")
    state_label: str = Field(description="有效 / 即将到期 / 已失效 / 办理中")
    colour: str = Field(description="green / yellow / grey / blue")
    days_left: int | None = Field(description="距到期天数（当天为 0，已过期为负数）")


class CreditRecordOut(Schema):
    kind: str
    kind_label: str
    title: str
    source_department: str
    recorded_on: dt.date
    expires_on: dt.date | None


class PenaltyOut(Schema):
    decision_number: str
    department: str
    reason: str
    legal_basis: str
    amount: Decimal
    decided_on: dt.date


class HonourOut(Schema):
    title: str
    granted_by: str
    granted_on: dt.date


class EnterpriseDetailOut(Schema):
    uscc: str
    name: str
    entity_type: str
    entity_type_label: str
    status: str
    status_label: str
    legal_rep_name: str
    legal_rep_id_number: str = Field(description="无敏感信息权限的角色看到脱敏号码")
    sensitive_visible: bool
    registered_capital: Decimal
    founded_on: dt.date
    address: str
    region_code: str
    region_name: str
    industry_code: str
    industry_name: str
    employees: int
    revenue: Decimal
    rd_spend: Decimal
    scale: str
    scale_label: str
    lifecycle_stage: str
    lifecycle_stage_label: str
    phone: str
    tags: list[str]
    licences: list[LicenceOut]
    credit_records: list[CreditRecordOut]
    penalties: list[PenaltyOut]
    honours: list[HonourOut]
    created_at: dt.datetime
    updated_at: dt.datetime


class EnterpriseCreateIn(Schema):
    uscc: str = Field(description="统一社会信用代码（18位，GB 32100）")
    name: str
    entity_type: str = Field(description="limited / joint_stock / sole / … 或中文名称")
    status: str = "existing"
    legal_rep_name: str
    legal_rep_id_number: str = Field(description="18位公民身份号码（GB 11643）")
    registered_capital: Decimal = Field(description="注册资本（万元），不能为负数")
    founded_on: dt.date = Field(description="成立日期，不能晚于今天")
    address: str
    region_code: str = Field(description="GB/T 2260 行政区划代码，须在本人管辖范围内")
    industry_code: str = Field(description="GB/T 4754-2017 门类或大类代码")
    employees: int = 0
    revenue: Decimal = Decimal("0")
    rd_spend: Decimal = Decimal("0")
    scale: str = Field(description="large / medium / small / micro")
    lifecycle_stage: str = Field(
        description="attraction / startup / growth / mature / transformation"
    )
    phone: str = ""
    tags: list[str] = Field(default_factory=list)


class EnterpriseUpdateIn(Schema):
    """Only the fields sent are changed; the USCC cannot be changed."""

    name: str | None = None
    entity_type: str | None = None
    status: str | None = None
    legal_rep_name: str | None = None
    legal_rep_id_number: str | None = None
    registered_capital: Decimal | None = None
    founded_on: dt.date | None = None
    address: str | None = None
    region_code: str | None = None
    industry_code: str | None = None
    employees: int | None = None
    revenue: Decimal | None = None
    rd_spend: Decimal | None = None
    scale: str | None = None
    lifecycle_stage: str | None = None
    phone: str | None = None
    tags: list[str] | None = None


class LicenceCreateIn(Schema):
    licence_type: str
    number: str
    issuer: str
    issued_on: dt.date
    expires_on: dt.date | None = None
    status: str = Field("active", description="pending / active / revoked")


class LicenceUpdateIn(Schema):
    """Only the fields sent are changed. Revoke through POST /licences/{id}/revoke."""

    licence_type: str | None = None
    number: str | None = None
    issuer: str | None = None
    issued_on: dt.date | None = None
    expires_on: dt.date | None = None
    status: str | None = None


class LicenceRevokeIn(Schema):
    reason: str = Field(description="吊销/注销原因")


class ErrorOut(Schema):
    code: str
    message: str
    field: str | None = None
    errors: list[dict[str, object]] | None = None
