"""Demo appeals for `zqt load_demo`: one case in each interesting state for the demo enterprise,
including an overdue one (red on the workbench). Idempotent: keyed by idempotency keys."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from zqt.accounts.models import User
from zqt.appeals import services, tasks
from zqt.appeals.models import Appeal, StageClock

CASES: list[dict[str, Any]] = [
    {
        "key": "demo-1",
        "title": "新建厂房施工许可进度",
        "content": "我公司新建厂房项目施工许可迟迟没有批下来，请帮忙协调。",
        "route": ("project", "complex"),
        "answer": True,
        "rate": "good",
    },
    {
        "key": "demo-2",
        "title": "流动资金贷款",
        "content": "流动资金紧张需要银行贷款，希望对接政府性融资担保。",
        "route": ("finance", "simple"),
        "answer": True,
    },
    {
        "key": "demo-3",
        "title": "高层次人才住房补贴",
        "content": "引进的博士人才住房补贴申请一直没有回音。",
        "route": ("talent", "complex"),
    },
    {
        "key": "demo-4",
        "title": "技改补助资金未兑付",
        "content": "去年申报的技改补助资金还没有兑付，已经三个月了。",
        "route": ("policy", "complex"),
        "overdue": True,
    },
    {
        "key": "demo-5",
        "title": "园区蒸汽价格偏高",
        "content": "园区蒸汽供应价格偏高，影响企业生产成本。",
    },
]


def demo_load(*, enterprise: Any) -> None:
    company = User.objects.filter(username="demo_enterprise").first()
    desk = User.objects.filter(username="demo_front_desk").first()
    handler = User.objects.filter(username="demo_board").first()
    if company is None or desk is None or handler is None:
        return
    for case in CASES:
        if Appeal.objects.filter(submitted_by=company, idempotency_key=case["key"]).exists():
            continue
        appeal, _ = services.appeal_submit(
            user=company, title=case["title"], content=case["content"], idempotency_key=case["key"]
        )
        if "route" not in case:
            continue
        board, difficulty = case["route"]
        services.appeal_route(
            user=desk,
            appeal_id=appeal.pk,
            board_code=board,
            appeal_type="help",
            scope="point",
            difficulty=difficulty,
            handler_id=handler.pk,
        )
        if case.get("overdue"):
            # Backdate the handling clock so the demo shows a red case; the sweep escalates it.
            past = timezone.now() - dt.timedelta(days=10)
            Appeal.objects.filter(pk=appeal.pk).update(received_at=past)
            for clock in StageClock.objects.filter(appeal=appeal, stopped_at__isnull=True):
                clock.started_at = past
                clock.save(update_fields=["started_at"])
                services.clock_recompute(clock=clock, reason="演示数据")
            tasks.supervision_run()
        if case.get("answer"):
            services.appeal_answer(
                user=handler,
                appeal_id=appeal.pk,
                resolution_type="solved",
                text="已协调相关部门办理，请查收。",
            )
        if case.get("rate"):
            services.appeal_rate(
                user=company, appeal_id=appeal.pk, score=case["rate"], comment="响应及时"
            )
