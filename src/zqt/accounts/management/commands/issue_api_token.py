from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zqt.accounts.models import User
from zqt.accounts.services import api_token_issue
from zqt.core.errors import DomainError


class Command(BaseCommand):
    help = "为接口账号签发访问令牌（令牌只显示一次）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", required=True)
        parser.add_argument("--name", required=True, help="调用方系统名称")
        parser.add_argument("--days", type=int, default=365)

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"用户“{options['username']}”不存在。")
        try:
            token = api_token_issue(
                actor=None, user=user, name=options["name"], days=options["days"]
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(token)
