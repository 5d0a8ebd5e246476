"""Retrain the routing classifier on the reference corpus plus past appeals whose board staff
confirmed (answered or closed), and report the held-out accuracy."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand

from zqt.appeals import classifier
from zqt.appeals.models import Appeal


class Command(BaseCommand):
    help = "重新训练诉求分派建议模型，并报告留出集准确率"

    def handle(self, *args: Any, **options: Any) -> None:
        past = [
            (f"{title}{content}", code, f"appeal-{pk}")
            for pk, title, content, code in Appeal.objects.filter(
                board__isnull=False, status__in=["answered", "confirmed", "rated", "closed"]
            ).values_list("pk", "title", "content", "board__code")[:200_000]
        ]
        report = classifier.retrain(past)
        self.stdout.write(json.dumps(report.__dict__, ensure_ascii=False))
