"""Signing, codec, key ring, status list and offline verification — no database."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zqt.core.identifiers import make_uscc
from zqt.ecode import codec, documents, status_list
from zqt.ecode.codec import Claims, CodeKind, TrustedKey
from zqt.ecode.errors import MESSAGES, CodeError
from zqt.ecode.keyring import ACTIVE, COMPROMISED, RETIRED, VERIFY, KeyRing, KeyRingError
from zqt.ecode.offline import OfflineVerifier
from zqt.ecode.signing import (
    AlgorithmNotAllowed,
    Ed25519Signer,
    Ed25519Verifier,
    key_id_for,
    verifier_for,
)

USCC = make_uscc(region_code="330802", serial=123_456)
NOW = 1_780_000_000
SIGNER = Ed25519Signer.from_seed(bytes(range(32)))
KID = key_id_for(SIGNER.public_key)
KEYS = {KID: TrustedKey(status=ACTIVE, verifier=Ed25519Verifier(SIGNER.public_key))}


def static_claims(**kw: object) -> Claims:
    data: dict[str, object] = {
        "kind": CodeKind.STATIC,
        "kid": KID,
        "uscc": USCC,
        "status_index": 7,
        "issued_at": NOW,
    }
    data.update(kw)
    return Claims(**data)  # type: ignore[arg-type]


def dynamic_claims(**kw: object) -> Claims:
    return static_claims(kind=CodeKind.DYNAMIC, ttl=60, nonce=b"\x01" * 8, **kw)


def error_code(fn, *args, **kw) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(CodeError) as info:
        fn(*args, **kw)
    return info.value.code


# --- signer -------------------------------------------------------------------------------


def test_algorithm_allowlist_refuses_others() -> None:
    with pytest.raises(AlgorithmNotAllowed):
        verifier_for("HS256", b"x" * 32)
    with pytest.raises(AlgorithmNotAllowed):
        verifier_for("none", b"")
    assert verifier_for("Ed25519", SIGNER.public_key).verify(SIGNER.sign(b"m"), b"m")


def test_pem_round_trip() -> None:
    again = Ed25519Signer.from_pem(SIGNER.to_pem())
    assert again.public_key == SIGNER.public_key


# --- codec --------------------------------------------------------------------------------


def test_uscc_packing_round_trips() -> None:
    assert codec.unpack_uscc(codec.pack_uscc(USCC)) == USCC
    assert codec.unpack_uscc(codec.pack_uscc("Y" * 18)) == "Y" * 18
    with pytest.raises(ValueError):
        codec.pack_uscc("I" * 18)


def test_static_token_is_uppercase_alphanumeric_url_and_verifies() -> None:
    token = codec.sign(static_claims(), SIGNER)
    url = codec.to_url(token, base_url="https://qz.zqt.gov.cn")
    assert url == url.upper()
    assert set(url) <= set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")
    claims = codec.verify(url, keys=KEYS, now=NOW + 10)
    assert claims.uscc == USCC and claims.status_index == 7 and claims.kind is CodeKind.STATIC
    # Scanners may lower-case; the path form and the bare token work too.
    assert codec.verify(url.lower(), keys=KEYS, now=NOW).uscc == USCC
    assert codec.verify(f"/C/{token}", keys=KEYS, now=NOW).uscc == USCC


def test_dynamic_token_expires_after_ttl_plus_skew() -> None:
    token = codec.sign(dynamic_claims(), SIGNER)
    assert codec.verify(token, keys=KEYS, now=NOW + 65).nonce == b"\x01" * 8
    assert error_code(codec.verify, token, keys=KEYS, now=NOW + 71) == "expired"
    assert error_code(codec.verify, token, keys=KEYS, now=NOW - 60) == "not_yet_valid"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "malformed"),
        ("https://example.com/some/other/path", "malformed"),
        ("HTTPS://QZ.ZQT.GOV.CN/C/NOT-BASE32!", "bad_encoding"),
        ("HTTPS://QZ.ZQT.GOV.CN/C/ABC1", "bad_encoding"),
        ("HTTPS://QZ.ZQT.GOV.CN/C/" + "A" * 120, "malformed"),
        ("x" * 5000, "malformed"),
    ],
)
def test_bad_inputs_get_their_own_error(text: str, code: str) -> None:
    assert error_code(codec.verify, text, keys=KEYS, now=NOW) == code


def test_unknown_key_forged_signature_and_revoked_key() -> None:
    other = Ed25519Signer.from_seed(b"\x07" * 32)
    token = codec.sign(static_claims(kid=key_id_for(other.public_key)), other)
    assert error_code(codec.verify, token, keys=KEYS, now=NOW) == "unknown_key"
    forged = codec.sign(static_claims(), other)  # claims our kid, signed with another key
    assert error_code(codec.verify, forged, keys=KEYS, now=NOW) == "bad_signature"
    revoked = {KID: TrustedKey(status=COMPROMISED, verifier=None)}
    token = codec.sign(static_claims(), SIGNER)
    assert error_code(codec.verify, token, keys=revoked, now=NOW) == "key_revoked"


def test_unsupported_version() -> None:
    body = bytearray(codec.encode_body(static_claims()))
    body[1] = 2 * 4  # version 2, static
    raw = bytes(body) + SIGNER.sign(codec.DOMAIN + bytes(body))
    token = base64.b32encode(raw).decode().rstrip("=")
    assert error_code(codec.verify, token, keys=KEYS, now=NOW) == "unsupported_version"


def test_every_error_code_has_a_chinese_message() -> None:
    assert all(MESSAGES.values())
    with pytest.raises(ValueError):
        CodeError("no_such_reason")


@settings(max_examples=300, deadline=None)
@given(data=st.data(), dynamic=st.booleans())
def test_any_bit_flip_fails_verification(data: st.DataObject, dynamic: bool) -> None:
    claims = dynamic_claims() if dynamic else static_claims()
    token = codec.sign(claims, SIGNER)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    # Flip one of the 5 bits carried by one character of the token text (padding bits too).
    bit = data.draw(st.integers(min_value=0, max_value=len(token) * 5 - 1))
    position, offset = divmod(bit, 5)
    value = alphabet.index(token[position]) ^ (1 << offset)
    flipped = token[:position] + alphabet[value] + token[position + 1 :]
    with pytest.raises(CodeError):
        codec.verify(flipped, keys=KEYS, now=NOW)


# --- status list --------------------------------------------------------------------------


def test_status_list_is_padded_and_round_trips() -> None:
    size = status_list.padded_size(10)
    assert size == 131_072
    bits = status_list.build([(0, 0), (1, 2), (5, 1), (131_071, 2)], size=size)
    assert len(bits) == 131_072 // 4
    again = status_list.decompress(status_list.compress(bits), size=size)
    assert status_list.status_at(again, 1) is status_list.CodeStatus.REVOKED
    assert status_list.status_at(again, 5) is status_list.CodeStatus.SUSPENDED
    assert status_list.status_at(again, 2) is status_list.CodeStatus.VALID
    assert status_list.status_at(again, 131_071) is status_list.CodeStatus.REVOKED
    assert status_list.padded_size(200_001) == 200_004
    with pytest.raises(ValueError):
        status_list.decompress(status_list.compress(bits), size=size * 2)


# --- key ring -----------------------------------------------------------------------------


def test_key_ring_created_on_first_use_with_private_files(tmp_path: Path) -> None:
    ring = KeyRing.load_dir(tmp_path / "keys")
    code = ring.active_code_key()
    pem = tmp_path / "keys" / f"{code.kid}.pem"
    assert pem.exists() and oct(pem.stat().st_mode & 0o777) == "0o600"
    again = KeyRing.load_dir(tmp_path / "keys")
    assert again.active_code_key().public_key == code.public_key
    assert again.anchor_key().kid == ring.anchor_key().kid
    with pytest.raises(KeyRingError):
        KeyRing.load_dir(tmp_path / "none", create=False)


def test_rotation_old_key_verifies_until_retired(tmp_path: Path) -> None:
    ring = KeyRing.load_dir(tmp_path)
    old = ring.active_code_key()
    new = ring.rotate()
    assert ring.active_code_key().kid == new.kid
    assert [k.kid for k in ring.verification_keys()] == [new.kid, old.kid]
    assert ring.get(old.kid).status == VERIFY  # type: ignore[union-attr]
    with pytest.raises(KeyRingError):
        ring.rotate()  # a third key would exceed the two-key rollover
    ring.retire(old.kid)
    assert not (tmp_path / f"{old.kid}.pem").exists()
    reloaded = KeyRing.load_dir(tmp_path)
    assert reloaded.get(old.kid).status == RETIRED  # type: ignore[union-attr]
    assert [k.kid for k in reloaded.verification_keys()] == [new.kid]
    with pytest.raises(KeyRingError):
        reloaded.retire(new.kid)


def test_compromised_active_key_is_replaced(tmp_path: Path) -> None:
    ring = KeyRing.load_dir(tmp_path)
    old = ring.active_code_key()
    ring.mark_compromised(old.kid)
    assert ring.get(old.kid).status == COMPROMISED  # type: ignore[union-attr]
    assert ring.active_code_key().kid != old.kid
    with pytest.raises(KeyRingError):
        ring.mark_compromised(ring.anchor_key().kid)


def test_key_ring_from_environment_is_read_only() -> None:
    value = json.dumps(
        {
            "keys": [
                {
                    "role": "code",
                    "status": "active",
                    "seed": base64.b64encode(b"\x01" * 32).decode(),
                },
                {
                    "role": "anchor",
                    "status": "active",
                    "seed": base64.b64encode(b"\x02" * 32).decode(),
                },
            ]
        }
    )
    ring = KeyRing.from_env(value)
    assert ring.active_code_key().signer is not None
    with pytest.raises(KeyRingError):
        ring.rotate()
    with pytest.raises(KeyRingError):
        KeyRing.from_env("{not json")


# --- offline verification -----------------------------------------------------------------


def _lists(anchor: Ed25519Signer, *, entries: list[tuple[int, int]], ttl: int = 3600):  # type: ignore[no-untyped-def]
    akid = key_id_for(anchor.public_key).hex()
    trust = documents.sign_document(
        documents.trust_list_payload(
            keys=[(KID.hex(), "Ed25519", SIGNER.public_key, "active")], issued_at=NOW, ttl=ttl
        ),
        signer=anchor,
        kid=akid,
    )
    status = documents.sign_document(
        documents.status_list_payload(entries=entries, issued_at=NOW, ttl=ttl),
        signer=anchor,
        kid=akid,
    )
    return trust, status, {akid: ("Ed25519", anchor.public_key)}


def test_offline_verifier_full_path() -> None:
    anchor = Ed25519Signer.from_seed(b"\x09" * 32)
    trust, status, anchors = _lists(anchor, entries=[(7, 0), (8, 2), (9, 1)])
    verifier = OfflineVerifier(trust_list=trust, status_list=status, anchors=anchors, now=NOW)
    verdict = verifier.verify(codec.sign(static_claims(), SIGNER), now=NOW)
    assert verdict.ok and verdict.claims.uscc == USCC
    suspended = verifier.verify(codec.sign(static_claims(status_index=9), SIGNER), now=NOW)
    assert suspended.status is status_list.CodeStatus.SUSPENDED
    revoked = codec.sign(static_claims(status_index=8), SIGNER)
    assert error_code(verifier.verify, revoked, now=NOW) == "revoked"
    beyond = codec.sign(static_claims(status_index=500_000), SIGNER)
    assert error_code(verifier.verify, beyond, now=NOW) == "status_unavailable"
    assert verifier.expiry_warnings(now=NOW + 3000)
    assert not verifier.expiry_warnings(now=NOW, warn_before=60)
    assert error_code(verifier.verify, revoked, now=NOW + 3600) == "list_expired"


def test_offline_lists_must_be_signed_by_the_pinned_anchor() -> None:
    anchor = Ed25519Signer.from_seed(b"\x09" * 32)
    trust, status, anchors = _lists(anchor, entries=[])
    other = Ed25519Signer.from_seed(b"\x0a" * 32)
    _t, _s, other_anchors = _lists(other, entries=[])
    assert (
        error_code(
            OfflineVerifier, trust_list=trust, status_list=status, anchors=other_anchors, now=NOW
        )
        == "list_bad_signature"
    )
    tampered = dict(trust, payload=trust["payload"][:-2] + "AA")
    assert (
        error_code(
            OfflineVerifier, trust_list=tampered, status_list=status, anchors=anchors, now=NOW
        )
        == "list_bad_signature"
    )
    assert (
        error_code(
            OfflineVerifier, trust_list=trust, status_list=status, anchors=anchors, now=NOW + 4000
        )
        == "list_expired"
    )
    # A status list presented as the trust list is refused (type is signed).
    assert (
        error_code(OfflineVerifier, trust_list=status, status_list=status, anchors=anchors, now=NOW)
        == "list_bad_signature"
    )
