"""`zqt ecode_publish [--out DIR]`: sign and publish a fresh trust list and status list; with
--out, also write them (and the pinned anchor key) as files for offline verifiers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from zqt.ecode import documents, keys, services


class Command(BaseCommand):
    help = "发布签名的信任清单与状态清单（供离线核验）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--out",
            type=Path,
            help="also write trust-list.json, status-list.json and anchor.json into this directory",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        docs = services.lists_publish()
        out: Path | None = options.get("out")
        if out:
            out.mkdir(parents=True, exist_ok=True)
            anchor = keys.key_ring().anchor_key()
            (out / "trust-list.json").write_text(json.dumps(docs["trust"].document))
            (out / "status-list.json").write_text(json.dumps(docs["status"].document))
            (out / "anchor.json").write_text(
                json.dumps(
                    {
                        "kid": anchor.kid,
                        "alg": anchor.algorithm,
                        "public_key": documents.b64url(anchor.public_key),
                    }
                )
            )
            self.stdout.write(f"written to {out}")
        self.stdout.write(f"published, expires {docs['trust'].expires_at.isoformat()}")
