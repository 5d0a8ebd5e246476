"""Demo data of supervision (DEMO ONLY; idempotent): the demo inspector's home township, one
published 双随机 draw over 柯城区 made by demo_reviewer, a planned red-list check of the demo
enterprise for demo_inspector, and an expert draw for a demo tender."""

from __future__ import annotations

from zqt.accounts.models import User
from zqt.credit.services import credit_recompute_all
from zqt.enterprises.models import Enterprise
from zqt.supervision import services
from zqt.supervision.models import Draw, Expert, Inspection, Tender

DEMO_DRAW_TITLE = "2026年第一批市场监管双随机抽查（演示）"
DEMO_TENDER = "ZB-DEMO-2026-001"
DEPARTMENT = "330802-market_regulation"


def demo_load(*, enterprise: Enterprise) -> None:
    reviewer = User.objects.filter(username="demo_reviewer").first()
    inspector = User.objects.filter(username="demo_inspector").first()
    if reviewer is None or inspector is None:
        return
    if not hasattr(inspector, "inspector_profile"):
        # 石室乡: the demo inspector is never sent to enterprises registered there.
        services.inspector_profile_set(
            user=reviewer, inspector=inspector, home_region_code="330802201"
        )
    if not Draw.objects.filter(title=DEMO_DRAW_TITLE).exists():
        credit_recompute_all()
        draw = services.inspection_draw_commit(
            user=reviewer, title=DEMO_DRAW_TITLE, department_code=DEPARTMENT, k=20, m=1,
            region_prefix="330802",
        )  # fmt: skip
        services.draw_execute(user=reviewer, number=draw.number)
    if not Inspection.objects.filter(enterprise=enterprise, draw__isnull=True).exists():
        services.inspection_plan(
            user=reviewer, uscc=enterprise.uscc, department_code=DEPARTMENT,
            planned_on=enterprise.created_at.date(), inspectors=[inspector],
        )  # fmt: skip
    if not Tender.objects.filter(number=DEMO_TENDER).exists():
        for i in range(15):
            Expert.objects.get_or_create(
                code=f"EXP-DEMO-{i:03d}",
                defaults={
                    "name": f"专家{'甲乙丙丁戊己庚辛壬癸'[i % 10]}{i}",
                    "speciality": "房屋建筑工程",
                    "employer": "衢州建工集团有限公司" if i < 3 else f"浙江某设计院{i}",
                    "region_code": "330800" if i % 2 else "330100",
                },
            )
        tender = services.tender_create(
            user=reviewer, number=DEMO_TENDER, title="柯城区某学校教学楼工程",
            speciality="房屋建筑工程", region_code="330802",
            bidders=["衢州建工集团有限公司", "浙江某建设有限公司"],
            venues=["衢州市公共资源交易中心", "杭州市公共资源交易中心（远程异地）"],
        )  # fmt: skip
        draw = services.expert_draw_commit(
            user=reviewer, tender=tender, k=5, department_code=DEPARTMENT
        )
        services.draw_execute(user=reviewer, number=draw.number)
