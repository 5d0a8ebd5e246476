from __future__ import annotations

from pathlib import Path

import pytest

from zqt.ecode import keys


@pytest.fixture(autouse=True)
def _key_dir(settings, tmp_path: Path):  # type: ignore[no-untyped-def]
    """Each test signs with its own fresh key ring (created on first use, as in development)."""
    settings.ZQT_ECODE_KEY_DIR = str(tmp_path / "ecode-keys")
    settings.ZQT_ECODE_KEYRING = ""
    keys.reset_cache()
    yield
    keys.reset_cache()
