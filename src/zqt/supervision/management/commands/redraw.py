"""`zqt redraw DRAW_ID`: re-run a published draw from its public record (population, pool,
conflicts, revealed seed) and check it against the commitment and the published result."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zqt.core.errors import NotFoundError
from zqt.supervision import selectors


class Command(BaseCommand):
    help = "按公示记录重新计算一次随机抽取，核对承诺、摘要与结果。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("draw_id", help="抽取编号，如 SJ20260301-1A2B3C")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            draw = selectors.draw_get_public(number=options["draw_id"])
        except NotFoundError as exc:
            raise CommandError(exc.message) from None
        report = selectors.draw_verify(draw)
        self.stdout.write(f"抽取 {draw.number}：{draw.title}")
        self.stdout.write(f"承诺 SHA-256(seed) = {draw.commitment}")
        self.stdout.write(f"种子 = {selectors.public_seed(draw) or '（尚未公开）'}")
        for label, ok in report.checks:
            self.stdout.write(f"  [{'✓' if ok else '✗'}] {label}")
        for line in report.result_lines:
            self.stdout.write(f"  {line}")
        if not report.ok:
            raise CommandError("复核不一致。")
        self.stdout.write(f"复核一致，结果摘要 {draw.result_digest}")
