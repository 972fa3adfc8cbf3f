"""Wallet signatures: recover the address that signed a message (EIP-191 personal_sign)."""

from __future__ import annotations

from typing import Protocol


class SignatureVerifier(Protocol):
    def recover_address(self, message: str, signature: str) -> str:
        """The EIP-55 checksummed address that signed `message`; raises ValueError when the
        signature is malformed or cannot be recovered."""
        ...
