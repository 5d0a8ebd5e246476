"""Signed, expiring documents for offline verifiers: the trust list and the status list. Pure.

Envelope (JSON): {"payload": b64url(JSON bytes), "kid": hex, "alg": "Ed25519", "sig": b64url}.
The signature covers DOC_DOMAIN + payload bytes. Verifiers pin the anchor public key(s) out of
band (shipped with the official app; published at /.well-known/zqt-ecode/keys.json for
convenience, which is only as trustworthy as the TLS it came over).

Trust list payload: {"type": "zqt-ecode-trust-list", "v": 1, "issued_at", "expires_at",
    "keys": [{"kid", "alg", "public_key" (b64url), "status"}]}    (at most two keys)
Status list payload: {"type": "zqt-ecode-status-list", "v": 1, "issued_at", "expires_at",
    "bits": 2, "size", "list": b64url(zlib(bitstring))}
Times are Unix seconds (UTC).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from zqt.ecode import status_list
from zqt.ecode.codec import TrustedKey
from zqt.ecode.errors import CodeError
from zqt.ecode.signing import AlgorithmNotAllowed, Signer, verifier_for

DOC_DOMAIN = b"ZQT-ECODE-LIST-v1\x00"
TRUST_LIST = "zqt-ecode-trust-list"
STATUS_LIST = "zqt-ecode-status-list"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign_document(payload: Mapping[str, Any], *, signer: Signer, kid: str) -> dict[str, str]:
    body = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    return {
        "payload": b64url(body),
        "kid": kid,
        "alg": signer.algorithm,
        "sig": b64url(signer.sign(DOC_DOMAIN + body)),
    }


def open_document(
    envelope: Mapping[str, Any],
    *,
    anchors: Mapping[str, tuple[str, bytes]],
    expected_type: str,
    now: int,
) -> dict[str, Any]:
    """The payload of a document signed by a pinned anchor ({kid: (alg, public key)}) and not
    expired at `now`. CodeError list_bad_signature / list_expired otherwise."""
    try:
        anchor = anchors[envelope["kid"]]
        if envelope["alg"] != anchor[0]:
            raise ValueError("algorithm differs from the pinned one")
        body = b64url_decode(envelope["payload"])
        good = verifier_for(anchor[0], anchor[1]).verify(
            b64url_decode(envelope["sig"]), DOC_DOMAIN + body
        )
        payload = json.loads(body) if good else None
    except (KeyError, TypeError, ValueError, binascii.Error, AlgorithmNotAllowed):
        raise CodeError("list_bad_signature", field=None) from None
    if not isinstance(payload, dict) or payload.get("type") != expected_type:
        raise CodeError("list_bad_signature", field=None)
    if not isinstance(payload.get("expires_at"), int) or now >= payload["expires_at"]:
        raise CodeError("list_expired", field=None)
    return payload


def trust_list_payload(
    *, keys: list[tuple[str, str, bytes, str]], issued_at: int, ttl: int
) -> dict[str, Any]:
    """keys: (kid hex, algorithm, public key, status) of the code keys that verify."""
    return {
        "type": TRUST_LIST,
        "v": 1,
        "issued_at": issued_at,
        "expires_at": issued_at + ttl,
        "keys": [
            {"kid": kid, "alg": alg, "public_key": b64url(pub), "status": status}
            for kid, alg, pub, status in keys
        ],
    }


def status_list_payload(
    *, entries: list[tuple[int, int]], issued_at: int, ttl: int
) -> dict[str, Any]:
    size = status_list.padded_size(max((i for i, _ in entries), default=-1) + 1)
    bits = status_list.build(entries, size=size)
    return {
        "type": STATUS_LIST,
        "v": 1,
        "issued_at": issued_at,
        "expires_at": issued_at + ttl,
        "bits": status_list.BITS,
        "size": size,
        "list": b64url(status_list.compress(bits)),
    }


def trusted_keys_from(payload: Mapping[str, Any]) -> dict[bytes, TrustedKey]:
    keys: dict[bytes, TrustedKey] = {}
    try:
        for entry in payload["keys"]:
            keys[bytes.fromhex(entry["kid"])] = TrustedKey(
                status=entry["status"],
                verifier=verifier_for(entry["alg"], b64url_decode(entry["public_key"])),
            )
    except (KeyError, TypeError, ValueError, AlgorithmNotAllowed):
        raise CodeError("list_bad_signature", field=None) from None
    return keys


@dataclass(frozen=True)
class StatusBits:
    bits: bytes
    size: int
    expires_at: int

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> StatusBits:
        try:
            size = int(payload["size"])
            bits = status_list.decompress(b64url_decode(payload["list"]), size=size)
        except (KeyError, TypeError, ValueError, binascii.Error):
            raise CodeError("list_bad_signature", field=None) from None
        return cls(bits=bits, size=size, expires_at=int(payload["expires_at"]))

    def status(self, index: int) -> status_list.CodeStatus:
        try:
            return status_list.status_at(self.bits, index)
        except IndexError:
            raise CodeError("status_unavailable") from None
