"""A stand-in for the Ed25519 bundle signer and its checker."""

from __future__ import annotations

import base64
import binascii
import hmac


class FakeHmacSigner:
    """HMAC-SHA256 where the "public key" is the secret itself (good enough to tell one
    key from another in unit tests)."""

    def __init__(self, secret: bytes, key_id: str = "fake-key") -> None:
        self._secret = secret
        self._key_id = key_id

    @property
    def key_id(self) -> str:
        return self._key_id

    def public_key(self) -> str:
        return base64.b64encode(self._secret).decode()

    def sign(self, message: bytes) -> str:
        return base64.b64encode(hmac.digest(self._secret, message, "sha256")).decode()


class FakeHmacChecker:
    def verify(self, public_key_b64: str, message: bytes, signature_b64: str) -> bool:
        try:
            secret = base64.b64decode(public_key_b64, validate=True)
            signature = base64.b64decode(signature_b64, validate=True)
        except (binascii.Error, TypeError, ValueError):
            return False
        return hmac.compare_digest(hmac.digest(secret, message, "sha256"), signature)
