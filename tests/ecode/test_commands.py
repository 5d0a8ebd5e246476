"""`zqt verify-code` (offline, token or image) and `zqt ecode_rotate_keys`."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import segno
from django.core.management import call_command
from django.core.management.base import CommandError
from PIL import Image

from tests.ecode.factories import enterprise_with_code
from zqt.ecode import keys, selectors, services

pytestmark = pytest.mark.django_db


def _verify(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("verify_code", *args, stdout=out, stderr=io.StringIO())
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue()
    return 0, out.getvalue()


@pytest.fixture
def lists(tmp_path: Path) -> Path:
    return tmp_path / "lists"


def test_verify_token_and_image_offline(lists: Path, tmp_path: Path) -> None:
    enterprise, code = enterprise_with_code()
    _revoked, revoked_code = enterprise_with_code(status="revoked")
    call_command("ecode_publish", "--out", str(lists), stdout=io.StringIO())
    status, out = _verify("--lists", str(lists), selectors.code_url(code))
    assert status == 0 and enterprise.uscc in out and "核验通过" in out
    status, out = _verify("--lists", str(lists), revoked_code.token)
    assert status == 1 and "[revoked]" in out
    image = tmp_path / "photo.png"
    image.write_bytes(bytes(code.png))
    status, out = _verify("--lists", str(lists), str(image))
    assert status == 0 and enterprise.uscc in out


def test_verify_bad_images_and_tokens(lists: Path, tmp_path: Path) -> None:
    enterprise_with_code()
    call_command("ecode_publish", "--out", str(lists), stdout=io.StringIO())
    blank = tmp_path / "blank.png"
    Image.new("RGB", (200, 200), "white").save(blank)
    assert "[no_qr]" in _verify("--lists", str(lists), str(blank))[1]
    other = tmp_path / "other.png"
    segno.make_qr("https://example.com/hello").save(str(other), scale=8)
    assert "[not_ecode]" in _verify("--lists", str(lists), str(other))[1]
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not an image")
    assert "[bad_image]" in _verify("--lists", str(lists), str(broken))[1]
    assert "[bad_encoding]" in _verify("--lists", str(lists), "HTTPS://X/C/NOT!B32")[1]
    with pytest.raises(CommandError):
        _verify("--lists", str(tmp_path / "missing"), "X")


def test_rotate_command_republishes_and_old_codes_keep_verifying(lists: Path) -> None:
    _e, code = enterprise_with_code()
    old = keys.key_ring().active_code_key().kid
    call_command("ecode_rotate_keys", stdout=io.StringIO())
    assert keys.key_ring().active_code_key().kid != old
    assert services.code_verify(text=code.token)
    with pytest.raises(CommandError):
        call_command("ecode_rotate_keys", stdout=io.StringIO())  # rollover not finished
    call_command("ecode_publish", "--out", str(lists), stdout=io.StringIO())
    assert _verify("--lists", str(lists), code.token)[0] == 0
    call_command("ecode_rotate_keys", "--retire", old, stdout=io.StringIO())
    call_command("ecode_publish", "--out", str(lists), stdout=io.StringIO())
    status, out = _verify("--lists", str(lists), code.token)
    assert status == 1 and "[unknown_key]" in out
