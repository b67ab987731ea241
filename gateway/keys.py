"""The gateway's signing keys: Ed25519, the current one signs, the previous one still verifies.

The keyring is a JSON file outside the repository (`<KVF_HOME>/signing-keys.json` unless
KVF_GATEWAY_SIGNING_KEYS_FILE says otherwise), written with mode 0600. `kvf keys rotate` puts
a new key first and keeps the one before it, so tokens signed before a rotation stay valid
until they expire. The gateway rereads the file when it changes.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

KEPT = 2  # the current key and the one before it


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_key: Ed25519PrivateKey
    created_at: str

    @classmethod
    def generate(cls) -> SigningKey:
        private_key = Ed25519PrivateKey.generate()
        return cls(thumbprint(private_key.public_key()), private_key, datetime.now(UTC).isoformat())

    @classmethod
    def from_pem(cls, pem: str, created_at: str = "") -> SigningKey:
        private_key = serialization.load_pem_private_key(pem.encode(), password=None)
        if not isinstance(private_key, Ed25519PrivateKey):
            raise ValueError("The signing key must be an Ed25519 private key (PEM, PKCS#8).")
        return cls(thumbprint(private_key.public_key()), private_key, created_at)

    def pem(self) -> str:
        return self.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()

    def public_jwk(self) -> dict[str, str]:
        raw = self.private_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        return {
            "kty": "OKP",
            "crv": "Ed25519",
            "x": _b64url(raw),
            "kid": self.kid,
            "alg": "EdDSA",
            "use": "sig",
        }


def thumbprint(public_key: Ed25519PublicKey) -> str:
    """RFC 7638 JWK thumbprint: the key id every verifier can recompute."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    canonical = json.dumps(
        {"crv": "Ed25519", "kty": "OKP", "x": _b64url(raw)}, separators=(",", ":"), sort_keys=True
    )
    return _b64url(hashlib.sha256(canonical.encode()).digest())


def read_keyring(path: Path) -> list[SigningKey]:
    document = json.loads(path.read_text())
    return [
        SigningKey.from_pem(item["private_key"], item.get("created_at", ""))
        for item in document["keys"]
    ]


def write_keyring(path: Path, keys: list[SigningKey]) -> None:
    """Write the keyring atomically, readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "keys": [{"kid": k.kid, "created_at": k.created_at, "private_key": k.pem()} for k in keys]
    }
    temporary = path.with_suffix(".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(document, handle, indent=2)
    temporary.replace(path)
    path.chmod(0o600)


def ensure_keyring(path: Path) -> bool:
    """Make a keyring with one key if there is none; True when one was made."""
    if path.exists():
        return False
    write_keyring(path, [SigningKey.generate()])
    return True


def rotate_keyring(path: Path) -> SigningKey:
    """Put a new key first and keep the previous one; returns the new key."""
    keys = read_keyring(path) if path.exists() else []
    new = SigningKey.generate()
    write_keyring(path, [new, *keys][:KEPT])
    return new


class Keyring:
    """The keys the gateway signs with (first) and publishes (all), reread when the file changes."""

    def __init__(
        self,
        *,
        path: Path | None = None,
        keys: list[SigningKey] | None = None,
        reload_seconds: float = 1.0,
    ) -> None:
        if path is None and not keys:
            raise ValueError("A keyring needs a file or keys.")
        self.path = path
        self.reload_seconds = reload_seconds
        self._keys = keys or []
        self.generation = 0  # counts the times the keys were read again
        self._mtime = 0.0
        self._checked = 0.0
        self._reload(force=True)

    def _reload(self, *, force: bool = False) -> None:
        if self.path is None or (
            not force and time.monotonic() - self._checked < self.reload_seconds
        ):
            return
        self._checked = time.monotonic()
        try:
            mtime = self.path.stat().st_mtime
        except FileNotFoundError as exc:
            raise RuntimeError(
                f"No signing keys at {self.path}: run `kvf keys rotate` or `kvf up`, "
                "or set KVF_GATEWAY_SIGNING_KEYS_FILE."
            ) from exc
        if force or mtime != self._mtime:
            self._keys, self._mtime = read_keyring(self.path), mtime
            self.generation += 1

    def current_generation(self) -> int:
        """The generation of the keys now (the file is looked at once a second)."""
        self._reload()
        return self.generation

    @property
    def current(self) -> SigningKey:
        self._reload()
        return self._keys[0]

    def jwks(self) -> dict[str, Any]:
        self._reload()
        return {"keys": [key.public_jwk() for key in self._keys]}
