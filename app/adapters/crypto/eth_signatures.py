"""EIP-191 `personal_sign` recovery and EIP-55 checksums with eth-account / eth-utils."""

from __future__ import annotations

import re

from eth_account import Account
from eth_account.messages import encode_defunct
from eth_keys.exceptions import BadSignature
from eth_utils.address import is_checksum_address as _eth_is_checksum_address
from eth_utils.address import to_checksum_address as _eth_to_checksum_address
from eth_utils.exceptions import ValidationError

_SIGNATURE_RE = re.compile(r"0x[0-9A-Fa-f]{130}")
_ADDRESS_RE = re.compile(r"0x[0-9A-Fa-f]{40}")
# Recovery id as wallets send it for personal_sign: 27/28, or 0/1 (some hardware wallets).
_VALID_V = frozenset({0, 1, 27, 28})


class EthSignatureVerifier:
    """`SignatureVerifier` for externally owned accounts (no EIP-1271 contract wallets)."""

    def recover_address(self, message: str, signature: str) -> str:
        if not isinstance(message, str):
            raise ValueError("the message must be text")
        if not isinstance(signature, str) or not _SIGNATURE_RE.fullmatch(signature):
            raise ValueError("the signature must be 0x followed by 130 hex digits (65 bytes)")
        raw = bytes.fromhex(signature[2:])
        if raw[64] not in _VALID_V:
            raise ValueError("the signature has an invalid recovery id (v)")
        try:
            signable = encode_defunct(text=message)
            address = Account.recover_message(signable, signature=raw)
        except (BadSignature, ValidationError, ValueError, TypeError) as exc:
            raise ValueError("the signature cannot be recovered") from exc
        return str(address)


def is_checksum_address(address: str) -> bool:
    """True for `0x` + 40 hex digits in EIP-55 mixed case (for `siwe.parse_message`)."""
    return (
        isinstance(address, str)
        and _ADDRESS_RE.fullmatch(address) is not None
        and bool(_eth_is_checksum_address(address))
    )


def checksum_address(address: str) -> str:
    """The EIP-55 form of `0x` + 40 hex digits in any case; ValueError otherwise."""
    if not isinstance(address, str) or not _ADDRESS_RE.fullmatch(address):
        raise ValueError("not an Ethereum address")
    return str(_eth_to_checksum_address(address))
