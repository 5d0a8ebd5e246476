"""Offline verification: from the scanned text to the verdict using ONLY a trust list and a
status list (both signed by a pinned anchor, both expiring). Pure (no ORM, no network).

This is what the official app and `zqt verify-code` run; `bench/ecode.py` measures it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from zqt.ecode import codec, documents
from zqt.ecode.errors import CodeError
from zqt.ecode.status_list import CodeStatus

DEFAULT_WARN_BEFORE_S = 6 * 3600


@dataclass(frozen=True)
class Verdict:
    claims: codec.Claims
    status: CodeStatus

    @property
    def ok(self) -> bool:
        return self.status in (CodeStatus.VALID, CodeStatus.SUSPENDED)


class OfflineVerifier:
    def __init__(
        self,
        *,
        trust_list: Mapping[str, Any],
        status_list: Mapping[str, Any],
        anchors: Mapping[str, tuple[str, bytes]],
        now: int,
    ) -> None:
        trust = documents.open_document(
            trust_list, anchors=anchors, expected_type=documents.TRUST_LIST, now=now
        )
        status = documents.open_document(
            status_list, anchors=anchors, expected_type=documents.STATUS_LIST, now=now
        )
        self.keys = documents.trusted_keys_from(trust)
        self.status_bits = documents.StatusBits.from_payload(status)
        self.trust_expires_at = int(trust["expires_at"])
        self.status_expires_at = int(status["expires_at"])

    def expiry_warnings(self, *, now: int, warn_before: int = DEFAULT_WARN_BEFORE_S) -> list[str]:
        warnings = []
        for name, expires in (
            ("信任清单", self.trust_expires_at),
            ("状态清单", self.status_expires_at),
        ):
            if expires - now <= warn_before:
                hours = max(0, expires - now) / 3600
                warnings.append(f"{name}将在{hours:.1f}小时后过期，请尽快联网更新。")
        return warnings

    def verify(self, text: str, *, now: int) -> Verdict:
        """Verdict for an authentic code (its status may still be REVOKED: check `ok`);
        CodeError for a code that is not authentic or not current. A revoked holder raises
        CodeError("revoked")."""
        if now >= min(self.trust_expires_at, self.status_expires_at):
            raise CodeError("list_expired", field=None)
        claims = codec.verify(text, keys=self.keys, now=now)
        status = self.status_bits.status(claims.status_index)
        if status is CodeStatus.REVOKED:
            raise CodeError("revoked")
        if status is CodeStatus.UNKNOWN:
            raise CodeError("status_unavailable")
        return Verdict(claims=claims, status=status)
