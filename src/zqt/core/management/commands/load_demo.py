from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from zqt.core.demo import (
    DEMO_ENTERPRISES,
    DEMO_SEED,
    current_totp_code,
    demo_load,
    demo_logins_table,
)


def _width(text: str) -> int:
    # CJK characters take two columns in a terminal.
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


class Command(BaseCommand):
    help = "加载演示数据：参考数据、演示企业和各角色演示账号（已存在则只显示登录信息）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--enterprises", type=int, default=DEMO_ENTERPRISES)
        parser.add_argument("--seed", type=int, default=DEMO_SEED)

    def handle(self, *args: Any, **options: Any) -> None:
        if not getattr(settings, "ZQT_ALLOW_DEMO_DATA", False):
            raise CommandError(
                "当前环境不允许加载演示数据（演示账号的密码是公开的）。"
                "仅在演示或测试环境中设置 ZQT_ALLOW_DEMO_DATA=1 后再运行。"
            )
        result = demo_load(enterprises=options["enterprises"], seed=options["seed"])
        if result.created:
            self.stdout.write(
                f"已加载演示数据：{result.enterprises_generated} 户市场主体及各角色演示账号。"
            )
        else:
            self.stdout.write("演示数据已存在，未做修改。")
        rows = [("角色", "用户名", "密码", "说明"), *demo_logins_table(result)]
        widths = [max(_width(row[i]) for row in rows) for i in range(3)]
        self.stdout.write("")
        for row in rows:
            self.stdout.write("  ".join(_pad(row[i], widths[i]) for i in range(3)) + "  " + row[3])
        self.stdout.write("")
        self.stdout.write(
            f"政府工作人员动态验证码（TOTP）演示密钥：{result.totp_secret_base32}"
            f"（当前验证码 {current_totp_code()}；可用任意验证器应用，"
            f"或 oathtool --totp -b {result.totp_secret_base32}）"
        )
        self.stdout.write(f"接口令牌（Authorization: Bearer …）：{result.api_token}")
        self.stdout.write(
            self.style.WARNING("以上账号、密码、密钥和令牌仅供演示，切勿用于真实数据或生产环境。")
        )
