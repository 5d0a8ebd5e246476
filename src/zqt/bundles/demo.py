"""Demo data of 一类事: reviewers for tax and human resources in 柯城区 (the foundation's demo
reviewer is market regulation), and cases in progress for the demo enterprise: a 歇业一件事
with one department done and one asking for more, and a 电水气网联合报装 with an informed
commitment awaiting verification. Idempotent (fixed idempotency keys; accounts by username)."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django_otp.plugins.otp_totp.models import TOTPDevice

from zqt.accounts.enums import Role
from zqt.accounts.models import User
from zqt.accounts.services import user_create
from zqt.audit.services import audit_record
from zqt.bundles import services
from zqt.bundles.models import Case, CaseTask

DEMO_REVIEWERS = [
    ("kc_reviewer_tax", "钱国栋", "taxation", "柯城区税务局审核"),
    ("kc_reviewer_hr", "孙晓梅", "human_resources", "柯城区人力社保局审核"),
]
PDF = b"%PDF-1.4\n% demo material\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _reviewers() -> dict[str, User]:
    from zqt.core.demo import DEMO_PASSWORD, DEMO_TOTP_KEY_HEX, TOTP_DEVICE_NAME

    found: dict[str, User] = {}
    market = User.objects.filter(username="demo_reviewer").first()
    if market is None or market.org_unit is None:
        return found
    found["market"] = market
    unit = market.org_unit
    for username, name, key, _note in DEMO_REVIEWERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(
                actor=None,
                username=username,
                role=Role.DEPARTMENT_REVIEWER,
                password=DEMO_PASSWORD,
                full_name=name,
                org_unit_code=unit.code,
            )
            user.departments.add(*unit.departments.filter(code=f"{unit.code}-{key}"))
            TOTPDevice.objects.create(
                user=user, name=TOTP_DEVICE_NAME, key=DEMO_TOTP_KEY_HEX, confirmed=True
            )
            audit_record(
                actor=None,
                action="user.update",
                object_type="user",
                object_id=username,
                purpose="演示数据",
                changes={"departments": [f"{unit.code}-{key}"]},
            )
        found[key] = user
    return found


def demo_load(*, enterprise: Any) -> None:
    applicant = User.objects.filter(username="demo_enterprise").first()
    reviewers = _reviewers()
    if applicant is None or not reviewers:
        return
    if not Case.objects.filter(enterprise=enterprise, idempotency_key="demo-xieye-0001").exists():
        case = services.case_submit(
            user=applicant,
            bundle_code="LXIEYE",
            uscc=enterprise.uscc,
            items=["XY01", "XY02", "XY03"],
            data={
                "enterprise_name": enterprise.name,
                "uscc": enterprise.uscc,
                "address": enterprise.address,
                "contact_name": "王建华",
                "contact_phone": enterprise.phone or "0570-3012345",
                "employees": "18",
                "suspend_from": "2026-03-01",
                "suspend_until": "2026-08-31",
                "suspend_reason": "生产线技术改造，暂停经营半年",
                "service_address": enterprise.address,
                "staff_arrangement": "转为灵活就业人员继续参保",
            },
            files={
                "application": _pdf("市场主体歇业备案申请书.pdf"),
                "info_sheet": _pdf("歇业备案一件事信息采集表.pdf"),
                "debt_statement": _pdf("债权债务清理情况说明.pdf"),
            },
            idempotency_key="demo-xieye-0001",
        )
        tax = CaseTask.objects.get(case=case, item_code="XY02")
        services.task_decide(user=reviewers["taxation"], task_id=tax.pk, action="approve")
        hr = CaseTask.objects.get(case=case, item_code="XY03")
        services.task_decide(
            user=reviewers["human_resources"],
            task_id=hr.pk,
            action="request_more",
            reason="请补充歇业期间员工安置名单",
        )
    if not Case.objects.filter(
        enterprise=enterprise, idempotency_key="demo-utilities-0001"
    ).exists():
        services.case_submit(
            user=applicant,
            bundle_code="B0301",
            uscc=enterprise.uscc,
            items=["DS01", "DS02", "DS04"],
            data={
                "enterprise_name": enterprise.name,
                "uscc": enterprise.uscc,
                "address": enterprise.address,
                "contact_name": "王建华",
                "contact_phone": enterprise.phone or "0570-3012345",
                "project_name": "年产 5 万件智能装备技改项目",
                "project_address": enterprise.address,
                "power_kva": "800",
                "water_m3": "60",
                "bandwidth": "1000M",
            },
            files={"site_plan": _pdf("总平面图.pdf")},
            commitments=["planning_permit"],
            idempotency_key="demo-utilities-0001",
        )
