"""Signing PoAI proof bundles with the platform key, and checking such signatures.

Keys and signatures travel as base64 text (standard alphabet, padded) so that a bundle,
its signature and the public key can be published as plain JSON and checked by anyone."""

from __future__ import annotations

from typing import Protocol


class BundleSigner(Protocol):
    @property
    def key_id(self) -> str:
        """A short stable name of the signing key (published next to the signature)."""
        ...

    def public_key(self) -> str:
        """The public key that checks this signer's signatures, base64 of its raw bytes."""
        ...

    def sign(self, message: bytes) -> str:
        """The signature of `message`, base64 of its raw bytes."""
        ...


class SignatureChecker(Protocol):
    def verify(self, public_key_b64: str, message: bytes, signature_b64: str) -> bool:
        """True when the signature is the key's signature of `message`; False otherwise,
        malformed keys and signatures included (never raises for bad input)."""
        ...
