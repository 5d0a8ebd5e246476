from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand

from zqt.core.reference import reference_load_all


class Command(BaseCommand):
    help = "加载参考数据（行政区划、行业分类、服务板块、部门、标签、应办许可、消息模板）"

    def handle(self, *args: Any, **options: Any) -> None:
        report = reference_load_all()
        self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
