"""The enterprise code on the wire. Pure (no ORM).

A code is an uppercase URL that every phone scanner opens:

    HTTPS://<HOST>/C/<BASE32 of (CBOR body || signature)>

Only characters of the QR alphanumeric set (0-9 A-Z $%*+-./: and space) appear, so the QR uses
alphanumeric mode (5.5 bits per character instead of 8) and stays small. The official app, or
`zqt verify-code`, decodes the same text offline.

Body (CBOR array, as short as the format allows):

    [version*4 + kind, kid (4 bytes), uscc (12 bytes, base-31 packed), status index, issued_at]
    dynamic codes add: ttl seconds, nonce (8 bytes)

The signature (64 bytes for Ed25519) covers DOMAIN + body, so a signature over another kind of
document of ours can never pass as a code.
"""

from __future__ import annotations

import base64
import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass

import cbor2
from django.utils.translation import gettext_noop

from zqt.ecode.errors import CodeError
from zqt.ecode.signing import KID_BYTES, AlgorithmNotAllowed, Signer, Verifier

VERSION = 1
DOMAIN = b"ZQT-ECODE-v1\x00"
SIGNATURE_BYTES = 64
NONCE_BYTES = 8
USCC_BYTES = 12
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100
_USCC_VALUE = {c: i for i, c in enumerate(USCC_ALPHABET)}
DEFAULT_CLOCK_SKEW_S = 10
SCAN_PATH = "/C/"
# RFC 4648 base32 letters → the digits of int(..., 32), so a token decodes in C (int() and
# to_bytes) instead of the pure-Python loop of base64.b32decode (~20 µs of a ~100 µs verify).
_B32_TO_INT32 = str.maketrans(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", "0123456789ABCDEFGHIJKLMNOPQRSTUV"
)
# Token lengths (mod 8) that no whole number of bytes produces.
_B32_BAD_LENGTHS = frozenset({1, 3, 6})
# Three USCC characters per table entry: unpacking is 6 divmods instead of 18.
_USCC_TRIPLES = tuple(
    a + b + c for a in USCC_ALPHABET for b in USCC_ALPHABET for c in USCC_ALPHABET
)
_USCC_TRIPLE_BASE = 31**3
_USCC_MAX = 31**18
# A code URL, a /C/ path or a bare payload. Groups: scheme+host, "/C/", payload.
_SHAPE_RE = re.compile(r"^([A-Z][A-Z0-9+.-]*://[^/]+)?(/C/)?([^/]+)/?$", re.IGNORECASE)
# An unpadded base32 payload as extract_token returns it (ASCII only: no re.IGNORECASE).
_B32_RE = re.compile(r"[A-Z2-7]+")


class CodeKind(enum.IntEnum):
    STATIC = 0
    DYNAMIC = 1

    @property
    def label(self) -> str:
        """Plain Chinese (the API and the offline checker); pages translate it."""
        return gettext_noop("静态码") if self is CodeKind.STATIC else gettext_noop("动态码")


_KINDS = tuple(CodeKind)  # by value; a tuple index is cheaper than CodeKind(value) per scan


@dataclass(frozen=True, slots=True)
class Claims:
    kind: CodeKind
    kid: bytes
    uscc: str
    status_index: int
    issued_at: int  # Unix seconds
    ttl: int | None = None
    nonce: bytes | None = None

    @property
    def expires_at(self) -> int | None:
        return None if self.ttl is None else self.issued_at + self.ttl


def pack_uscc(uscc: str) -> bytes:
    if len(uscc) != 18 or any(c not in _USCC_VALUE for c in uscc):
        raise ValueError(f"not a USCC: {uscc!r}")
    value = 0
    for c in uscc:
        value = value * 31 + _USCC_VALUE[c]
    return value.to_bytes(USCC_BYTES, "big")


def unpack_uscc(data: bytes) -> str:
    if len(data) != USCC_BYTES:
        raise ValueError("packed USCC must be 12 bytes")
    value = int.from_bytes(data, "big")
    if value >= _USCC_MAX:
        raise ValueError("packed USCC out of range")
    parts = []
    for _ in range(6):
        value, triple = divmod(value, _USCC_TRIPLE_BASE)
        parts.append(_USCC_TRIPLES[triple])
    return "".join(reversed(parts))


def encode_body(claims: Claims) -> bytes:
    items: list[object] = [
        VERSION * 4 + int(claims.kind),
        claims.kid,
        pack_uscc(claims.uscc),
        claims.status_index,
        claims.issued_at,
    ]
    if claims.kind is CodeKind.DYNAMIC:
        if claims.ttl is None or claims.nonce is None or len(claims.nonce) != NONCE_BYTES:
            raise ValueError("a dynamic code needs ttl and an 8-byte nonce")
        items += [claims.ttl, claims.nonce]
    return cbor2.dumps(items)


def sign(claims: Claims, signer: Signer) -> str:
    """The token text (base32, uppercase, no padding) of `claims` signed by `signer`."""
    body = encode_body(claims)
    raw = body + signer.sign(DOMAIN + body)
    return base64.b32encode(raw).decode("ascii").rstrip("=")


def to_url(token: str, *, base_url: str) -> str:
    return f"{base_url.rstrip('/').upper()}{SCAN_PATH}{token}"


def extract_token(text: str) -> str:
    """The base32 payload of a scanned text: a full code URL, a /C/ path or a bare token."""
    text = (text or "").strip()
    match = _SHAPE_RE.match(text) if text and len(text) <= 2048 else None
    if match is None:
        raise CodeError("malformed")
    host, scan_path, payload = match.groups()
    if host and not scan_path:
        # A link to some other page of a host: not a code.
        raise CodeError("bad_encoding")
    # Base32 letters and digits are checked when decoding (bad_encoding).
    return payload.upper().rstrip("=")


def _b32decode(token: str) -> bytes:
    """Unpadded RFC 4648 base32 (uppercase A-Z2-7, as `extract_token` returns) to bytes."""
    length = len(token)
    if length % 8 in _B32_BAD_LENGTHS or not _B32_RE.fullmatch(token):
        raise CodeError("bad_encoding")
    value = int(token.translate(_B32_TO_INT32), 32)
    size = length * 5 // 8
    unused = length * 5 - size * 8
    # Canonical encoding only: the unused low bits of the last character must be zero, so no
    # two texts carry the same code (a flipped padding bit is an error, not a silent no-op).
    if value & ((1 << unused) - 1):
        raise CodeError("bad_encoding")
    return (value >> unused).to_bytes(size, "big")


def parse(text: str) -> tuple[Claims, bytes, bytes]:
    """Claims, signed message (DOMAIN + body) and signature of a scanned text. Checks shape
    only — nothing here is trusted before `verify`."""
    raw = _b32decode(extract_token(text))
    if len(raw) <= SIGNATURE_BYTES + 8:
        raise CodeError("malformed")
    body, signature = raw[:-SIGNATURE_BYTES], raw[-SIGNATURE_BYTES:]
    try:
        items = cbor2.loads(body)
    except Exception:  # cbor2 raises several types on garbage; all mean the same here
        raise CodeError("malformed") from None
    if not isinstance(items, list) or len(items) < 5 or not isinstance(items[0], int):
        raise CodeError("malformed")
    version, kind_value = divmod(items[0], 4)
    if version != VERSION:
        raise CodeError("unsupported_version")
    try:
        if kind_value >= len(_KINDS):
            raise ValueError("kind")
        kind = _KINDS[kind_value]
        kid, packed, index, issued_at = items[1:5]
        expected_len = 7 if kind is CodeKind.DYNAMIC else 5
        if len(items) != expected_len:
            raise ValueError("wrong number of fields")
        if not (isinstance(kid, bytes) and len(kid) == KID_BYTES):
            raise ValueError("kid")
        if not (isinstance(index, int) and index >= 0 and isinstance(issued_at, int)):
            raise ValueError("index/issued_at")
        uscc = unpack_uscc(packed) if isinstance(packed, bytes) else ""
        if not uscc:
            raise ValueError("uscc")
        ttl = nonce = None
        if kind is CodeKind.DYNAMIC:
            ttl, nonce = items[5], items[6]
            if not (isinstance(ttl, int) and 0 < ttl <= 86_400):
                raise ValueError("ttl")
            if not (isinstance(nonce, bytes) and len(nonce) == NONCE_BYTES):
                raise ValueError("nonce")
    except ValueError:
        raise CodeError("malformed") from None
    claims = Claims(kind, kid, uscc, index, issued_at, ttl, nonce)
    return claims, DOMAIN + body, signature


@dataclass(frozen=True, slots=True)
class TrustedKey:
    """A key the verifier trusts, or knows to be compromised (verifier None)."""

    status: str  # "active" | "verify" | "compromised" | "retired"
    verifier: Verifier | None


def verify(
    text: str,
    *,
    keys: Mapping[bytes, TrustedKey],
    now: int,
    clock_skew: int = DEFAULT_CLOCK_SKEW_S,
) -> Claims:
    """The claims of an authentic, current code; CodeError with the reason otherwise.

    Checks, in order: shape and encoding, key id known, key not compromised/retired, signature,
    then time (issued not in the future beyond `clock_skew`; a dynamic code not past its ttl
    plus `clock_skew`). Replay and the enterprise's status are checked by the caller (they need
    the database or the status list).
    """
    claims, message, signature = parse(text)
    key = keys.get(claims.kid)
    if key is None:
        raise CodeError("unknown_key")
    if key.verifier is None:
        raise CodeError("key_revoked")
    try:
        good = key.verifier.verify(signature, message)
    except AlgorithmNotAllowed:
        raise CodeError("algorithm_not_allowed") from None
    if not good:
        raise CodeError("bad_signature")
    if claims.issued_at > now + clock_skew:
        raise CodeError("not_yet_valid")
    if claims.expires_at is not None and now > claims.expires_at + clock_skew:
        raise CodeError("expired")
    return claims
