"""How fast the embedded chain answers `logs()` over 10,000 blocks (printed, not asserted:
eth-tester's own eth_getLogs scans the chain, ~40 s for 500 logs over 500 blocks)."""

from __future__ import annotations

import time

import pytest
from web3 import Web3

from app.adapters.chain.abi import decode_log
from app.adapters.chain.embedded import EmbeddedChain
from tests.integration.chain_support import DirectOperator

ALICE = Web3.to_checksum_address("0x" + "a1" * 20)
BOB = Web3.to_checksum_address("0x" + "b2" * 20)
BLOCKS = 10_000
EVERY = 20  # one transfer, then empty blocks: 500 logs spread over the 10,000 blocks


def test_embedded_logs_over_ten_thousand_blocks_report_their_rate(
    capsys: pytest.CaptureFixture[str],
) -> None:
    chain = EmbeddedChain()
    op, reader = DirectOperator(chain.w3, chain.calls, chain.writer), chain.reader
    op.register_project("proj-1", bytes(32), "ipfs://meta")
    op.mint_batch(
        token_id=1, project_id="proj-1", vintage=2022, amount_kg=10**9,
        serial_start=1, serial_end=10**6, to=ALICE,
    )  # fmt: skip
    started = time.perf_counter()
    while reader.head() < BLOCKS:
        op.transfer(1, ALICE, BOB, 1)
        chain.mine(EVERY - 1)
    built = time.perf_counter() - started
    head = reader.head()
    contracts = [chain.deployment.registry_address, chain.deployment.governance_address]

    started = time.perf_counter()
    logs = reader.logs(0, head, contracts)
    whole = time.perf_counter() - started
    started = time.perf_counter()
    windowed = [log for n in range(0, head + 1, 100) for log in reader.logs(n, n + 99, contracts)]
    windows = time.perf_counter() - started
    started = time.perf_counter()
    decoded = [decode_log(log) for log in logs]
    decoding = time.perf_counter() - started

    transfers = sum(1 for event in decoded if event.name == "CreditsTransferred")
    assert transfers == op.balance_of(BOB, 1)
    assert windowed == logs
    with capsys.disabled():
        print(  # noqa: T201
            f"\nembedded chain: {len(logs)} logs over {head} blocks (built in {built:.1f} s); "
            f"logs() whole range {whole * 1000:.2f} ms = {len(logs) / whole:,.0f} logs/s; "
            f"100-block windows {windows * 1000:.1f} ms = {len(logs) / windows:,.0f} logs/s; "
            f"decode_log {len(logs) / decoding:,.0f} logs/s"
        )
