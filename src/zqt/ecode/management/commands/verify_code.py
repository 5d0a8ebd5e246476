"""`zqt verify-code TOKEN_OR_IMAGE`: verify an enterprise code OFFLINE, using only a trust list
and a status list (files as published at /.well-known/zqt-ecode/ or by `zqt ecode_publish
--out DIR`) and the pinned anchor key. No database, no network.

    zqt verify-code HTTPS://QZ.ZQT.GOV.CN/C/ABC...        # the scanned text
    zqt verify-code photo.jpg                             # a photo or PNG of the QR code
    zqt verify-code HTTPS://QZ.ZQT.GOV.CN/C/ABC...   # the scanned text

Exit status 0: authentic and current; 1: refused (the reason is printed); 2: usage error.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from zqt.ecode import codec, conf
from zqt.ecode.documents import b64url_decode
from zqt.ecode.errors import CodeError
from zqt.ecode.offline import OfflineVerifier

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".bmp", ".webp", ".tif", ".tiff"}


def decode_image(path: Path) -> str:
    """The text of the enterprise code in an image; CodeError no_qr / not_ecode / bad_image."""
    import zxingcpp
    from PIL import Image, UnidentifiedImageError

    try:
        image = Image.open(path)
        image.load()
    except (OSError, UnidentifiedImageError):
        raise CodeError("bad_image", field=None) from None
    results = [r for r in zxingcpp.read_barcodes(image) if r.valid]
    texts = [r.text for r in results if r.format == zxingcpp.BarcodeFormat.QRCode]
    if not texts:
        raise CodeError("no_qr", field=None)
    for text in texts:
        try:
            codec.extract_token(text)
            if codec.SCAN_PATH in text.upper():
                return text
        except CodeError:
            continue
    raise CodeError("not_ecode", field=None)


class Command(BaseCommand):
    help = "离线核验企业码（码内容或二维码图片），仅使用已发布的信任清单与状态清单。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("token_or_image")
        parser.add_argument(
            "--lists",
            type=Path,
            default=None,
            help="directory with trust-list.json, status-list.json, anchor.json",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        directory = options["lists"] or Path(settings.VAR_DIR) / "ecode-lists"
        try:
            trust = json.loads((directory / "trust-list.json").read_text())
            status = json.loads((directory / "status-list.json").read_text())
            anchor = json.loads((directory / "anchor.json").read_text())
        except (OSError, ValueError) as exc:
            raise CommandError(
                f"cannot read the lists in {directory} ({exc}); "
                f"run `zqt ecode_publish --out {directory}` or download them from "
                "/.well-known/zqt-ecode/"
            ) from exc
        now = int(time.time())
        target = options["token_or_image"]
        try:
            path = Path(target)
            is_image = path.suffix.lower() in IMAGE_SUFFIXES and path.exists()
            text = decode_image(path) if is_image else target
            verifier = OfflineVerifier(
                trust_list=trust,
                status_list=status,
                anchors={anchor["kid"]: (anchor["alg"], b64url_decode(anchor["public_key"]))},
                now=now,
            )
            for warning in verifier.expiry_warnings(now=now, warn_before=conf.list_warn_before()):
                self.stderr.write(f"警告：{warning}")
            verdict = verifier.verify(text, now=now)
        except CodeError as exc:
            self.stdout.write(f"核验未通过 [{exc.code}]：{exc.message}")
            raise SystemExit(1) from None
        claims = verdict.claims
        self.stdout.write(
            "核验通过：企业码真实有效" + ("（企业歇业）" if not verdict.status.value == 0 else "")
        )
        self.stdout.write(f"统一社会信用代码：{claims.uscc}")
        self.stdout.write(
            f"码类型：{claims.kind.label}；状态：{verdict.status.label}；签名密钥：{claims.kid.hex()}"
        )
        issued = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(claims.issued_at))
        self.stdout.write(f"签发时间：{issued}")
        if claims.expires_at is not None:
            self.stdout.write(
                f"有效期至：{time.strftime('%H:%M:%S', time.localtime(claims.expires_at))}"
            )
