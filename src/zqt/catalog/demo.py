"""Demo data of the service catalog: a published local catalog for 柯城区 with a few items that
refine the provincial guide. Idempotent (keyed by the local items' names)."""

from __future__ import annotations

from typing import Any

from zqt.accounts.models import User
from zqt.catalog import services
from zqt.catalog.models import CatalogItem

LOCAL_ITEMS: list[dict[str, Any]] = [
    {
        "base_code": "0505",
        "name": "柯城区标准厂房租赁对接",
        "responsible_units": "柯城区经济和信息化局",
        "service_scope": "柯城区内工业企业",
        "channels": ["online", "window"],
        "time_limit_days": 5,
        "description": "发布区内标准厂房、小微企业园空置信息，专人对接租赁需求",
        "materials": ["营业执照", "用地（厂房）需求说明"],
    },
    {
        "base_code": "1302",
        "name": "柯城区企业开办帮办代办",
        "responsible_units": "柯城区企业综合服务中心",
        "service_scope": "在柯城区新设立的经营主体",
        "channels": ["window", "online"],
        "time_limit_days": 1,
        "description": "企业开办全程帮办代办，一日办结",
        "materials": [],
    },
    {
        "base_code": "0303",
        "name": "衢州“政银担”小微企业融资担保",
        "responsible_units": "柯城区地方金融管理局、区融资担保公司",
        "service_scope": "柯城区小微企业和个体工商户",
        "channels": ["window"],
        "time_limit_days": 7,
        "description": "政府性融资担保，担保费率不超过 1%",
        "materials": ["营业执照", "近一年财务报表"],
    },
]


def demo_load(*, enterprise: Any) -> None:
    ops = User.objects.filter(username="demo_leader").first()
    if ops is None:
        return
    created = False
    for spec in LOCAL_ITEMS:
        if CatalogItem.objects.filter(name=spec["name"], org_unit=ops.org_unit).exists():
            continue
        services.catalog_item_create(user=ops, **spec)
        created = True
    if created:
        services.catalog_publish(user=ops, note="演示：柯城区本地清单")
