"""`zqt ecode_rotate_keys`: rotate, retire or mark compromised the enterprise-code signing keys,
then republish the trust list so offline verifiers learn about it on their next sync."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zqt.audit.services import audit_record
from zqt.ecode import keys, services
from zqt.ecode.keyring import KeyRingError


class Command(BaseCommand):
    help = "轮换企业码签名密钥（新密钥签发，旧密钥继续验证直至退役）；或退役/标记泄露某个密钥。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--retire-previous",
            action="store_true",
            help="rotate even if a previous key still verifies: retire it first",
        )
        parser.add_argument("--retire", metavar="KID", help="retire this key (no rotation)")
        parser.add_argument(
            "--compromised", metavar="KID", help="this key leaked: stop verifying its codes at once"
        )
        parser.add_argument("--list", action="store_true", help="only list the keys")

    def handle(self, *args: Any, **options: Any) -> None:
        ring = keys.key_ring()
        try:
            if options["list"]:
                pass
            elif options["retire"]:
                ring.retire(options["retire"])
                self._audit("ecode.key_retire", options["retire"])
            elif options["compromised"]:
                ring.mark_compromised(options["compromised"])
                self._audit("ecode.key_compromised", options["compromised"])
            else:
                new = ring.rotate(retire_previous=options["retire_previous"])
                self._audit("ecode.key_rotate", new.kid)
        except KeyRingError as exc:
            raise CommandError(str(exc)) from exc
        keys.reset_cache()
        if not options["list"]:
            services.lists_publish()
        for key in keys.key_ring().keys:
            self.stdout.write(f"{key.kid}  {key.role:<6}  {key.status:<11}  {key.created_at}")

    def _audit(self, action: str, kid: str) -> None:
        audit_record(actor=None, action=action, object_type="ecode_key", object_id=kid)
