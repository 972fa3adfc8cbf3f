"""Revert data read back as reasons, and legacy registry events decoded to the current shape:
`app.adapters.chain.events` and `.reverts` on hand-built data, no chain."""

from __future__ import annotations

from typing import Any

import eth_abi
import pytest
from eth_utils.crypto import keccak

from app.adapters.chain.abi import LEGACY_DIR, LEGACY_REGISTRY, load_artifact, signature
from app.adapters.chain.events import decode_log, event_topics
from app.adapters.chain.reverts import revert_error, revert_name, revert_reason
from app.ports.chain import RawLog

HOLDER = "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf"
REGISTRY_ADDRESS = "0x" + "11" * 20


def _error(text_signature: str, types: list[str], args: list[Any]) -> bytes:
    return keccak(text=text_signature)[:4] + eth_abi.encode(types, args)


def test_a_custom_error_reads_as_its_name_and_named_arguments() -> None:
    data = _error(
        "KilogramsAlreadyRetired(uint256,uint256,uint256)", ["uint256"] * 3, [3, 1000, 1999]
    )

    assert revert_reason(data) == "KilogramsAlreadyRetired(tokenId=3, kgStart=1000, kgEnd=1999)"
    assert revert_reason("0x" + data.hex()) == revert_reason(data.hex())
    assert revert_name(data) == "KilogramsAlreadyRetired"
    assert revert_error(data) == (
        "KilogramsAlreadyRetired",
        {"tokenId": 3, "kgStart": 1000, "kgEnd": 1999},
    )


def test_addresses_in_a_custom_error_are_checksummed() -> None:
    data = _error(
        "NotHolderOrOperator(address,address)", ["address"] * 2, [HOLDER.lower(), "0x" + "00" * 20]
    )

    assert revert_reason(data) == (
        f"NotHolderOrOperator(caller={HOLDER}, holder=0x0000000000000000000000000000000000000000)"
    )


def test_a_require_string_reads_as_the_string() -> None:
    data = _error("Error(string)", ["string"], ["CarbonGovernance: caller is not a member"])

    assert revert_reason(data) == "CarbonGovernance: caller is not a member"
    assert revert_error(data) == ("Error", {"message": "CarbonGovernance: caller is not a member"})


@pytest.mark.parametrize(
    ("code", "reason"), [(0x11, "panic 0x11"), (0x01, "panic 0x01"), (0x32, "panic 0x32")]
)
def test_a_panic_reads_as_its_code(code: int, reason: str) -> None:
    data = _error("Panic(uint256)", ["uint256"], [code])

    assert revert_reason(data) == reason
    assert revert_name(data) == "Panic"


@pytest.mark.parametrize(
    "data",
    [
        bytes.fromhex("deadbeef") + bytes(32),  # no platform error has this selector
        _error("KilogramsAlreadyRetired(uint256,uint256,uint256)", ["uint256"], [3]),  # cut
        _error("Error(string)", ["bytes"], [b"\xff\xfe"]),  # not UTF-8
        b"\x01\x02",
        b"",
    ],
)
def test_data_of_no_known_error_reads_as_hex(data: bytes) -> None:
    assert revert_reason(data) == "0x" + data.hex()
    assert revert_name(data) is None
    assert revert_error("0x" + data.hex()) is None


def test_text_that_is_not_hex_is_returned_as_it_is() -> None:
    assert revert_reason("execution reverted") == "execution reverted"
    assert revert_name("execution reverted") is None


def _log(topics: list[str], data: bytes) -> RawLog:
    return RawLog(REGISTRY_ADDRESS, tuple(topics), data, 5, "0x" + "ab" * 32, "0x" + "cd" * 32, 0)


def _word(value: int) -> str:
    return "0x" + value.to_bytes(32, "big").hex()


def _legacy_event(name: str) -> dict[str, Any]:
    (entry,) = [
        e
        for e in load_artifact(LEGACY_REGISTRY, LEGACY_DIR).abi
        if e.get("type") == "event" and e["name"] == name
    ]
    return dict(entry)


def test_a_legacy_retirement_decodes_with_the_kilograms_of_its_serials() -> None:
    legacy = _legacy_event("CreditsRetired")
    assert (
        signature(legacy) == "CreditsRetired(uint256,address,uint256,string,string,uint256,uint256)"
    )
    topic = "0x" + keccak(text=signature(legacy)).hex()
    data = eth_abi.encode(
        ["uint256", "string", "string", "uint256", "uint256"], [2_500, "Old Co", "legacy", 41, 43]
    )

    event = decode_log(_log([topic, _word(9), _word(int(HOLDER, 16))], data))

    assert event.name == "CreditsRetired"
    assert event.args == {
        "tokenId": 9,
        "holder": HOLDER,
        "amountKg": 2_500,
        "beneficiary": "Old Co",
        "purpose": "legacy",
        "serialStart": 41,
        "serialEnd": 43,
        "kgStart": 41_000,
        "kgEnd": 43_499,
    }
    assert event_topics()["CreditsRetired"] != topic  # the current topic, not the legacy one


def test_a_current_retirement_decodes_as_emitted() -> None:
    topic = event_topics()["CreditsRetired"]
    data = eth_abi.encode(
        ["uint256", "string", "string", "uint256", "uint256", "uint256", "uint256"],
        [500, "Acme", "offset", 4, 4, 4_500, 4_999],
    )

    event = decode_log(_log([topic, _word(1), _word(int(HOLDER, 16))], data))

    assert event.args == {
        "tokenId": 1,
        "holder": HOLDER,
        "amountKg": 500,
        "beneficiary": "Acme",
        "purpose": "offset",
        "serialStart": 4,
        "serialEnd": 4,
        "kgStart": 4_500,
        "kgEnd": 4_999,
    }


def test_legacy_events_that_kept_their_signature_decode_as_the_current_ones() -> None:
    legacy = _legacy_event("CreditsTransferred")
    topic = "0x" + keccak(text=signature(legacy)).hex()
    assert topic == event_topics()["CreditsTransferred"]
    to = "0x" + "22" * 20
    topics = [topic, _word(1), _word(int(HOLDER, 16)), _word(int(to, 16))]

    event = decode_log(_log(topics, (7).to_bytes(32, "big")))

    assert event.args["amountKg"] == 7
    assert "kgStart" not in event.args
