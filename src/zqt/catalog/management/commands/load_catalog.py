"""`zqt load_catalog`: load seed 004 附件3 and print the count of items per category."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from zqt.catalog.reference import reference_load


class Command(BaseCommand):
    help = "加载涉企服务事项清单省级指导目录（附件3），并按一级分类报告事项数"

    def handle(self, *args: Any, **options: Any) -> None:
        report = reference_load()
        self.stdout.write(
            f"一级分类 {report['categories']} 个，二级事项 {report['items']} 项"
            f"（新增 {report['created']}，更新 {report['updated']}）"
        )
        for name, count in report["per_category"].items():
            self.stdout.write(f"  {name}: {count}")
