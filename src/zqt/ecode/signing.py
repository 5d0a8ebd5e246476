"""Signing and verification behind one small interface. Pure (no ORM, no Django settings).

Everything that signs or verifies enterprise codes, trust lists and status lists goes through
`Signer` / `Verifier`, chosen by algorithm name from ALLOWED_ALGORITHMS. Ed25519 (cryptography)
is the shipped implementation; where a commercial-cryptography assessment (密评, GB/T 39786)
requires national algorithms, an SM2 implementation backed by a signing server or HSM is added
to the registry under "SM2" (see docs/decisions/ for the path) — callers do not change.

An algorithm outside the allowlist is refused before any key material is touched, so a token or
list cannot choose a weaker algorithm than the platform allows ("alg confusion").
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import nacl.bindings
import nacl.exceptions
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ED25519 = "Ed25519"
# Algorithms the platform accepts. Extend only together with VERIFIER_FACTORIES.
ALLOWED_ALGORITHMS: frozenset[str] = frozenset({ED25519})

KID_BYTES = 4


class AlgorithmNotAllowed(ValueError):
    """The algorithm is not in ALLOWED_ALGORITHMS."""


class Signer(Protocol):
    """Signs bytes with one private key. A KMS/HSM client implements the same three members."""

    @property
    def algorithm(self) -> str: ...

    @property
    def public_key(self) -> bytes: ...

    def sign(self, message: bytes) -> bytes: ...


class Verifier(Protocol):
    @property
    def algorithm(self) -> str: ...

    def verify(self, signature: bytes, message: bytes) -> bool: ...


def key_id_for(public_key: bytes) -> bytes:
    """The key id: the first 4 bytes of SHA-256 of the raw public key (stable, derivable)."""
    return hashlib.sha256(public_key).digest()[:KID_BYTES]


@dataclass(frozen=True)
class Ed25519Signer:
    private: Ed25519PrivateKey

    @property
    def algorithm(self) -> str:
        return ED25519

    @property
    def public_key(self) -> bytes:
        return self.private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )

    def sign(self, message: bytes) -> bytes:
        return self.private.sign(message)

    @classmethod
    def generate(cls) -> Ed25519Signer:
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def from_seed(cls, seed: bytes) -> Ed25519Signer:
        return cls(Ed25519PrivateKey.from_private_bytes(seed))

    @classmethod
    def from_pem(cls, pem: bytes) -> Ed25519Signer:
        key = serialization.load_pem_private_key(pem, password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise AlgorithmNotAllowed("the PEM file does not hold an Ed25519 private key")
        return cls(key)

    def to_pem(self) -> bytes:
        return self.private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )


class Ed25519Verifier:
    """Ed25519 verification with libsodium (PyNaCl): about twice as fast as OpenSSL's on the
    same core (decision 0006), which is what offline checkers and the verify API spend most of
    their time on. libsodium is the stricter of the two (it also refuses small-order and
    non-canonical public keys and R points), so nothing OpenSSL would refuse passes here.
    The key is parsed once (`cryptography`, which validates its length) when the verifier is
    built; verifiers are built when a key ring or trust list is loaded, never per scan."""

    __slots__ = ("_raw",)

    def __init__(self, public_key: bytes) -> None:
        Ed25519PublicKey.from_public_bytes(public_key)  # ValueError for a malformed key
        self._raw = bytes(public_key)

    @property
    def algorithm(self) -> str:
        return ED25519

    def verify(self, signature: bytes, message: bytes) -> bool:
        if len(signature) != 64:
            return False
        try:
            nacl.bindings.crypto_sign_open(signature + message, self._raw)
        except nacl.exceptions.BadSignatureError:
            return False
        return True


class OpenSSLEd25519Verifier:
    """The same check through OpenSSL (`cryptography`); kept as the reference implementation
    for tests (both must agree) and as the baseline of bench/ecode.py."""

    __slots__ = ("_key",)

    def __init__(self, public_key: bytes) -> None:
        self._key = Ed25519PublicKey.from_public_bytes(public_key)

    @property
    def algorithm(self) -> str:
        return ED25519

    def verify(self, signature: bytes, message: bytes) -> bool:
        try:
            self._key.verify(signature, message)
        except InvalidSignature:
            return False
        return True


VERIFIER_FACTORIES: dict[str, Callable[[bytes], Verifier]] = {ED25519: Ed25519Verifier}


def verifier_for(algorithm: str, public_key: bytes) -> Verifier:
    """A verifier for an allowed algorithm; AlgorithmNotAllowed otherwise (or ValueError for a
    malformed public key)."""
    if algorithm not in ALLOWED_ALGORITHMS or algorithm not in VERIFIER_FACTORIES:
        raise AlgorithmNotAllowed(f"algorithm {algorithm!r} is not allowed")
    return VERIFIER_FACTORIES[algorithm](public_key)
