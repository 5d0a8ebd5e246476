"""The signing key ring: key ids, rotation, retirement, compromise. Pure (files and environment,
no ORM, no Django settings — `zqt.ecode.keys` wires it to settings).

Private keys never live in the database. They come from either

- a key directory (default `<ZQT_VAR_DIR>/ecode-keys/`, created with mode 0700 on first use in
  development and tests): `keyring.json` lists the keys and their status, `<kid>.pem` holds each
  private key that may still sign (PKCS#8, mode 0600); or
- the environment variable ZQT_ECODE_KEYRING (production behind a secrets manager): the same
  JSON with each key's 32-byte Ed25519 seed in base64 under "seed". Read-only: rotate by
  changing the variable.

A key-management service plugs in by providing another `Signer` for the active kid.

Roles: "code" keys sign enterprise codes; the "anchor" key signs the trust list and status list
and is what offline verifiers pin. Status of a code key:

    active       signs new codes, verifies (exactly one)
    verify       no longer signs, still verifies (after a rotation, until retired)
    retired      verifies nothing any more; private key deleted
    compromised  as retired, and codes signed with it are reported as revoked ("key_revoked")

At most two code keys verify at a time (active + one previous) so the trust list stays small
and a rollover is bounded.
"""

from __future__ import annotations

import base64
import datetime as dt
import fcntl
import json
import os
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from zqt.ecode.signing import ED25519, Ed25519Signer, Signer, key_id_for

ACTIVE = "active"
VERIFY = "verify"
RETIRED = "retired"
COMPROMISED = "compromised"
STATUSES = (ACTIVE, VERIFY, RETIRED, COMPROMISED)
CODE = "code"
ANCHOR = "anchor"
MAX_VERIFYING = 2
INDEX_FILE = "keyring.json"


class KeyRingError(Exception):
    pass


@dataclass(frozen=True)
class KeyInfo:
    kid: str  # hex of the 4-byte key id
    role: str
    status: str
    algorithm: str
    public_key: bytes
    created_at: str
    signer: Signer | None = field(default=None, compare=False, repr=False)

    @property
    def kid_bytes(self) -> bytes:
        return bytes.fromhex(self.kid)

    @property
    def verifies(self) -> bool:
        return self.status in (ACTIVE, VERIFY)


def _now_iso(now: dt.datetime | None) -> str:
    return (now or dt.datetime.now(dt.UTC)).replace(microsecond=0).isoformat()


def _new_key(role: str, status: str, now: dt.datetime | None) -> KeyInfo:
    signer = Ed25519Signer.generate()
    return KeyInfo(
        kid=key_id_for(signer.public_key).hex(),
        role=role,
        status=status,
        algorithm=ED25519,
        public_key=signer.public_key,
        created_at=_now_iso(now),
        signer=signer,
    )


@dataclass
class KeyRing:
    keys: list[KeyInfo]
    directory: Path | None = None  # None: read-only ring from the environment

    # --- loading -----------------------------------------------------------------------------

    @classmethod
    def load_dir(cls, directory: Path, *, create: bool = True) -> KeyRing:
        """The ring stored in `directory`; with `create`, a new ring (one code key, one anchor)
        is generated and saved when the directory holds none yet."""
        index = directory / INDEX_FILE
        if not index.exists():
            if not create:
                raise KeyRingError(f"no key ring in {directory}")
            directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            # Several processes may start at once on a fresh directory: one creates the ring.
            with open(directory / ".lock", "w") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                if not index.exists():
                    ring = cls(
                        keys=[_new_key(CODE, ACTIVE, None), _new_key(ANCHOR, ACTIVE, None)],
                        directory=directory,
                    )
                    ring.save()
                    return ring
        data = json.loads(index.read_text())
        keys = []
        for entry in data["keys"]:
            signer: Signer | None = None
            pem = directory / f"{entry['kid']}.pem"
            if entry["status"] in (ACTIVE, VERIFY) and pem.exists():
                signer = Ed25519Signer.from_pem(pem.read_bytes())
            keys.append(
                KeyInfo(
                    kid=entry["kid"],
                    role=entry["role"],
                    status=entry["status"],
                    algorithm=entry.get("alg", ED25519),
                    public_key=base64.b64decode(entry["public_key"]),
                    created_at=entry["created_at"],
                    signer=signer,
                )
            )
        ring = cls(keys=keys, directory=directory)
        ring.check()
        return ring

    @classmethod
    def from_env(cls, value: str) -> KeyRing:
        """The ring from ZQT_ECODE_KEYRING: {"keys": [{"role", "status", "seed", ...}]}."""
        try:
            data = json.loads(value)
            keys = []
            for entry in data["keys"]:
                signer = None
                public_key = b""
                if entry.get("seed"):
                    signer = Ed25519Signer.from_seed(base64.b64decode(entry["seed"]))
                    public_key = signer.public_key
                else:
                    public_key = base64.b64decode(entry["public_key"])
                keys.append(
                    KeyInfo(
                        kid=key_id_for(public_key).hex(),
                        role=entry.get("role", CODE),
                        status=entry.get("status", ACTIVE),
                        algorithm=entry.get("alg", ED25519),
                        public_key=public_key,
                        created_at=entry.get("created_at", ""),
                        signer=signer if entry.get("status", ACTIVE) in (ACTIVE, VERIFY) else None,
                    )
                )
        except (KeyError, TypeError, ValueError) as exc:
            raise KeyRingError(f"ZQT_ECODE_KEYRING is not a valid key ring: {exc}") from exc
        ring = cls(keys=keys, directory=None)
        ring.check()
        return ring

    def check(self) -> None:
        for role in (CODE, ANCHOR):
            active = [k for k in self.keys if k.role == role and k.status == ACTIVE]
            if len(active) != 1:
                raise KeyRingError(f"the key ring needs exactly one active {role} key")
            if active[0].signer is None:
                raise KeyRingError(
                    f"the private key of active {role} key {active[0].kid} is missing"
                )
        if len(self.verification_keys()) > MAX_VERIFYING:
            raise KeyRingError(f"at most {MAX_VERIFYING} code keys may verify at a time")
        kids = [k.kid for k in self.keys]
        if len(kids) != len(set(kids)):
            raise KeyRingError("duplicate key ids in the key ring")

    # --- reading -----------------------------------------------------------------------------

    def _active(self, role: str) -> KeyInfo:
        return next(k for k in self.keys if k.role == role and k.status == ACTIVE)

    def active_code_key(self) -> KeyInfo:
        return self._active(CODE)

    def anchor_key(self) -> KeyInfo:
        return self._active(ANCHOR)

    def verification_keys(self) -> list[KeyInfo]:
        """Code keys that verify (active first): what the trust list publishes."""
        keys = [k for k in self.keys if k.role == CODE and k.verifies]
        return sorted(keys, key=lambda k: k.status != ACTIVE)

    def get(self, kid: str) -> KeyInfo | None:
        return next((k for k in self.keys if k.kid == kid), None)

    # --- changing (directory rings only) -------------------------------------------------------

    def _writable(self) -> Path:
        if self.directory is None:
            raise KeyRingError(
                "this key ring comes from ZQT_ECODE_KEYRING and is read-only: "
                "rotate keys in the secrets manager"
            )
        return self.directory

    def rotate(self, *, now: dt.datetime | None = None, retire_previous: bool = False) -> KeyInfo:
        """A new active code key; the old active one keeps verifying ("verify").

        Refused while two keys verify already (the rollover is not finished) unless
        `retire_previous`, which retires the older verifying key first.
        """
        self._writable()
        previous = [k for k in self.keys if k.role == CODE and k.status == VERIFY]
        if previous and not retire_previous:
            raise KeyRingError(
                f"key {previous[0].kid} still verifies: retire it first (--retire-previous)"
            )
        for key in previous:
            self._set_status(key.kid, RETIRED)
        old = self.active_code_key()
        self._set_status(old.kid, VERIFY)
        new = _new_key(CODE, ACTIVE, now)
        self.keys.append(new)
        self.save()
        return new

    def retire(self, kid: str) -> KeyInfo:
        key = self._require(kid)
        if key.status == ACTIVE:
            raise KeyRingError("the active key cannot be retired: rotate first")
        self._set_status(kid, RETIRED)
        self.save()
        return self._require(kid)

    def mark_compromised(self, kid: str, *, now: dt.datetime | None = None) -> KeyInfo:
        """The key leaked: it stops verifying at once. If it was the active code key, a new one
        is generated so signing goes on."""
        key = self._require(kid)
        if key.role == ANCHOR:
            raise KeyRingError("a compromised anchor key needs a new trust anchor: re-provision")
        was_active = key.status == ACTIVE
        self._set_status(kid, COMPROMISED)
        if was_active:
            self.keys.append(_new_key(CODE, ACTIVE, now))
        self.save()
        return self._require(kid)

    def _require(self, kid: str) -> KeyInfo:
        key = self.get(kid)
        if key is None:
            raise KeyRingError(f"no key {kid!r} in the key ring")
        return key

    def _set_status(self, kid: str, status: str) -> None:
        keep_signer = status in (ACTIVE, VERIFY)
        self.keys = [
            replace(k, status=status, signer=k.signer if keep_signer else None)
            if k.kid == kid
            else k
            for k in self.keys
        ]

    def save(self) -> None:
        directory = self._writable()
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        for key in self.keys:
            pem = directory / f"{key.kid}.pem"
            if (
                key.signer is not None
                and not pem.exists()
                and isinstance(key.signer, Ed25519Signer)
            ):
                fd = os.open(pem, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "wb") as fh:
                    fh.write(key.signer.to_pem())
            elif key.status in (RETIRED, COMPROMISED) and pem.exists():
                # A key that may not sign any more is deleted, so it cannot be misused.
                pem.unlink()
        data: dict[str, Any] = {
            "keys": [
                {
                    "kid": k.kid,
                    "role": k.role,
                    "status": k.status,
                    "alg": k.algorithm,
                    "public_key": base64.b64encode(k.public_key).decode(),
                    "created_at": k.created_at,
                }
                for k in self.keys
            ]
        }
        tmp = directory / f".{INDEX_FILE}.{os.getpid()}.{threading.get_ident()}"
        tmp.write_text(json.dumps(data, indent=2))
        tmp.replace(directory / INDEX_FILE)
