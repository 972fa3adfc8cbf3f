"""The eth-account adapter: recovering the signer of an EIP-191 personal_sign message."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from eth_account import Account
from eth_account.messages import encode_defunct
from eth_account.signers.local import LocalAccount

from app.adapters.crypto.eth_signatures import (
    EthSignatureVerifier,
    checksum_address,
    is_checksum_address,
)
from app.domain.auth.siwe import SiweMessage, build_message, parse_message
from app.ports.signatures import SignatureVerifier

SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


def siwe_text(address: str, nonce: str = "abcDEF123456") -> str:
    now = datetime(2026, 1, 31, 12, 0, tzinfo=UTC)
    return build_message(
        SiweMessage(
            domain="127.0.0.1:5000",
            address=address,
            statement="Sign in to the carbon credit platform.",
            uri="http://127.0.0.1:5000",
            version="1",
            chain_id=31337,
            nonce=nonce,
            issued_at=now,
            expiration_time=now + timedelta(minutes=10),
            not_before=None,
            request_id=None,
            resources=(),
        )
    )


def wallet_sign(account: LocalAccount, text: str) -> str:
    """What a wallet returns for personal_sign: 0x + r, s, v (v = 27 or 28)."""
    signed = account.sign_message(encode_defunct(text=text))
    return "0x" + bytes(signed.signature).hex()


@pytest.fixture
def verifier() -> SignatureVerifier:
    return EthSignatureVerifier()


def test_recovering_a_wallet_signature_gives_the_wallet_address(verifier):
    account = Account.create()
    text = siwe_text(account.address)
    assert verifier.recover_address(text, wallet_sign(account, text)) == account.address


def test_recovered_address_is_checksummed_and_parses_in_a_siwe_message(verifier):
    account = Account.create()
    text = siwe_text(account.address)
    signer = verifier.recover_address(text, wallet_sign(account, text))
    assert is_checksum_address(signer)
    assert parse_message(text, is_checksum_address=is_checksum_address).address == signer


def test_uppercase_hex_and_zero_based_recovery_id_are_accepted(verifier):
    account = Account.create()
    text = siwe_text(account.address)
    signature = wallet_sign(account, text)
    v = int(signature[-2:], 16)
    assert verifier.recover_address(text, "0x" + signature[2:].upper()) == account.address
    assert verifier.recover_address(text, f"{signature[:-2]}{v - 27:02x}") == account.address


def test_signature_of_another_message_recovers_another_address(verifier):
    account = Account.create()
    text = siwe_text(account.address)
    other = wallet_sign(account, siwe_text(account.address, nonce="zyxWVU987654"))
    assert verifier.recover_address(text, other) != account.address


def test_signature_by_another_key_recovers_that_key(verifier):
    account, intruder = Account.create(), Account.create()
    text = siwe_text(account.address)
    signer = verifier.recover_address(text, wallet_sign(intruder, text))
    assert signer == intruder.address
    assert signer != account.address


@pytest.mark.parametrize(
    "signature",
    [
        "",
        "0x",
        "0x" + "ab" * 64,  # 64 bytes
        "0x" + "ab" * 66,  # 66 bytes
        "0x" + "ab" * 64 + "1",  # odd length
        "ab" * 65,  # no 0x
        "0X" + "ab" * 65,
        "0x" + "zz" * 65,  # not hex
        " 0x" + "ab" * 65,
        "0x" + "ab" * 65 + "\n",
        "0x" + "\u0661" * 130,  # non-ASCII digits
    ],
)
def test_malformed_signatures_raise_value_error(verifier, signature):
    with pytest.raises(ValueError, match="signature"):
        verifier.recover_address("hello", signature)


@pytest.mark.parametrize(
    "signature",
    [
        "0x" + "00" * 65,  # r = s = 0
        "0x" + "ff" * 64 + "1b",  # r, s beyond the curve order
        "0x" + "11" * 64 + "05",  # recovery id neither 0/1 nor 27/28
        "0x" + "11" * 64 + "25",  # EIP-155 style v is not a personal_sign signature
    ],
)
def test_unrecoverable_signatures_raise_value_error(verifier, signature):
    with pytest.raises(ValueError, match="signature"):
        verifier.recover_address("hello", signature)


def test_non_string_signatures_raise_value_error(verifier):
    for signature in (None, 5, b"\x00" * 65):
        with pytest.raises(ValueError, match="signature"):
            verifier.recover_address("hello", signature)


def test_high_s_twin_of_a_signature_recovers_the_same_address(verifier):
    """eth-account accepts the malleable (high-s) form; single-use nonces make that harmless."""
    account = Account.create()
    text = siwe_text(account.address)
    signed = account.sign_message(encode_defunct(text=text))
    twin = (
        signed.r.to_bytes(32, "big")
        + (SECP256K1_N - signed.s).to_bytes(32, "big")
        + bytes([55 - signed.v])
    )
    assert verifier.recover_address(text, "0x" + twin.hex()) == account.address


def test_is_checksum_address_follows_eip_55():
    spec_address = "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2"  # from the EIP-4361 example
    assert is_checksum_address(spec_address)
    assert not is_checksum_address(spec_address.lower())
    assert not is_checksum_address(spec_address.upper().replace("0X", "0x"))
    assert not is_checksum_address(spec_address[2:])
    assert not is_checksum_address(spec_address + "0")
    assert not is_checksum_address("")


def test_checksum_address_normalises_any_case_and_refuses_non_addresses():
    spec_address = "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2"
    assert checksum_address(spec_address.lower()) == spec_address
    for bad in ("", "0x1234", spec_address[2:], spec_address + "0", "0x" + "g" * 40):
        with pytest.raises(ValueError, match="address"):
            checksum_address(bad)
