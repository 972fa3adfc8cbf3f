"""Ed25519 signatures of PoAI proof bundles (`cryptography`'s Ed25519 primitives).

Keys are exchanged as base64 of their raw 32 bytes (RFC 8032 encoding), signatures as
base64 of their raw 64 bytes. Only the standard padded alphabet is accepted: a key or
signature with stray characters is malformed, not silently repaired."""

from __future__ import annotations

import base64
import binascii

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from app.domain.shared.hashing import sha256_hex

KEY_BYTES = 32
SIGNATURE_BYTES = 64


class Ed25519BundleSigner:
    """`BundleSigner` holding the platform's Ed25519 private key in memory."""

    def __init__(self, private_key_b64: str, key_id: str | None = None) -> None:
        raw = _decode(private_key_b64, KEY_BYTES, "private key")
        self._key = Ed25519PrivateKey.from_private_bytes(raw)
        public = self._key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self._public_b64 = base64.b64encode(public).decode("ascii")
        if key_id is not None and (not isinstance(key_id, str) or not key_id.strip()):
            raise ValueError("the key id must be a non-empty string")
        # Default: a fingerprint of the public key, so the same key always has the same id.
        self._key_id = key_id if key_id is not None else sha256_hex(public)[:16]

    @property
    def key_id(self) -> str:
        return self._key_id

    def public_key(self) -> str:
        return self._public_b64

    def sign(self, message: bytes) -> str:
        return base64.b64encode(self._key.sign(message)).decode("ascii")

    def __repr__(self) -> str:  # never show key material
        return f"Ed25519BundleSigner(key_id={self._key_id!r})"


class Ed25519SignatureChecker:
    """`SignatureChecker` for Ed25519: False for anything malformed, never an exception."""

    def verify(self, public_key_b64: str, message: bytes, signature_b64: str) -> bool:
        if not isinstance(message, bytes | bytearray | memoryview):
            return False
        try:
            public = _decode(public_key_b64, KEY_BYTES, "public key")
            signature = _decode(signature_b64, SIGNATURE_BYTES, "signature")
            Ed25519PublicKey.from_public_bytes(public).verify(signature, bytes(message))
        except (ValueError, InvalidSignature):
            return False
        return True


def generate_signing_key() -> str:
    """A fresh Ed25519 private key, base64 of its raw 32 bytes (keep it secret)."""
    raw = Ed25519PrivateKey.generate().private_bytes_raw()
    return base64.b64encode(raw).decode("ascii")


def parse_public_keys(text: str) -> dict[str, str]:
    """Parse `POAI_RETIRED_PUBLIC_KEYS`: comma-separated `id:<base64 public key>` entries
    (empty: none). Each key must decode to 32 bytes; an id may appear only once."""
    keys: dict[str, str] = {}
    for position, entry in enumerate(filter(None, (e.strip() for e in text.split(","))), 1):
        key_id, sep, encoded = (part.strip() for part in entry.partition(":"))
        if not sep or not key_id or not encoded:
            raise ValueError(f"retired key entry {position} must look like 'id:<base64 key>'")
        if key_id in keys:
            raise ValueError(f"the retired key id {key_id!r} appears more than once")
        _decode(encoded, KEY_BYTES, f"retired public key {key_id!r}")
        keys[key_id] = encoded
    return keys


def _decode(text: str, size: int, what: str) -> bytes:
    if not isinstance(text, str):
        raise ValueError(f"the {what} must be base64 text")
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as exc:
        raise ValueError(f"the {what} is not valid base64") from exc
    if len(raw) != size:
        raise ValueError(f"the {what} must be {size} bytes, not {len(raw)}")
    return raw
