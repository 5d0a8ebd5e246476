from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.accounts.factories import staff
from tests.enterprises.factories import EnterpriseFactory, enterprise_user
from zqt.accounts.enums import Role
from zqt.accounts.models import Department

PDF = b"%PDF-1.4\n%test\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name: str = "file.pdf", body: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def key() -> str:
    return uuid.uuid4().hex


def reviewer(dept_key: str, unit: str = "330802", **kw: Any):  # type: ignore[no-untyped-def]
    user = staff(Role.DEPARTMENT_REVIEWER, **kw)
    user.departments.add(Department.objects.get(code=f"{unit}-{dept_key}"))
    return user


XIEYE_DATA = {
    "enterprise_name": "衢州歇业测试有限公司",
    "uscc": "x",
    "address": "浙江省衢州市柯城区测试路1号",
    "contact_name": "王五",
    "contact_phone": "0570-1234567",
    "suspend_from": "2026-01-05",
    "suspend_until": "2026-12-31",
    "suspend_reason": "订单减少，短期休整",
    "service_address": "浙江省衢州市柯城区测试路1号",
    "employees": "12",
}


@pytest.fixture
def env(reference_data: None) -> dict[str, Any]:
    enterprise = EnterpriseFactory(name="衢州歇业测试有限公司", phone="0570-1234567")
    return {
        "enterprise": enterprise,
        "user": enterprise_user(enterprise),
        "market": reviewer("market_regulation"),
        "tax": reviewer("taxation"),
        "hr": reviewer("human_resources"),
    }


def submit_xieye(env: dict[str, Any], **overrides: Any):  # type: ignore[no-untyped-def]
    from zqt.bundles.services import case_submit

    args: dict[str, Any] = {
        "user": env["user"],
        "bundle_code": "LXIEYE",
        "uscc": env["enterprise"].uscc,
        "items": ["XY01", "XY02", "XY03"],
        "data": {**XIEYE_DATA, "uscc": env["enterprise"].uscc},
        "files": {
            "application": pdf("申请书.pdf"),
            "info_sheet": pdf("采集表.pdf"),
            "debt_statement": pdf("说明.pdf"),
        },
        "idempotency_key": key(),
    }
    args.update(overrides)
    return case_submit(**args)
