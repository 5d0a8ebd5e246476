"""`zqt load_bundles`: load seed 004 附件4 and the joint-handling definitions; print counts per
B-READY topic."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from zqt.bundles.reference import reference_load


class Command(BaseCommand):
    help = "加载涉企服务“一类事”省级指导目录（附件4）和联办定义，并按世行指标报告数量"

    def handle(self, *args: Any, **options: Any) -> None:
        r = reference_load()
        self.stdout.write(
            f"一类事 {r['bundles']} 个（新增 {r['created']}），基本服务事项 {r['basic_items']} 项，"
            f"增值服务事项 {r['value_added_items']} 项"
        )
        for topic, count in r["per_topic"].items():
            self.stdout.write(f"  {topic}: {count}")
        self.stdout.write(f"已配置联办：{'、'.join(r['configured'])}")
