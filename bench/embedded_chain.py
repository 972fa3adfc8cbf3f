"""Benchmark of the embedded chain's `logs()` (CHAIN_BACKEND=embedded): its in-process log
index against the ways it could otherwise answer, on the same chain in the same run.

eth-tester answers `eth_getLogs` by walking the chain's blocks and receipts, which grows
faster than the range asked for; the embedded chain therefore answers `logs()` from an
index of the logs of every block, filled once per block as it is mined. This measures
what that buys and what it costs:

- ours: `EmbeddedChain().reader.logs(from, to, contracts)`, the call the indexer makes,
  over the whole chain in one call, and in pages of `--page-blocks` blocks (the indexer's
  page by default) from the first block to the head. Each call also asks eth-tester for
  the head (`eth_blockNumber`), as it does in production.
- eth-tester: `EthereumTester.get_logs` (the filter web3's eth-tester provider would call)
  over the last `--baseline-blocks` blocks, against ours over the same blocks. Kept short:
  it takes seconds for a few hundred blocks.
- receipts: the logs of every block read back from py-evm's receipts (`block_logs`, what
  filling the index costs, once per block, as the chain grows), against ours over the
  whole chain.
- floor: the same logs filtered out of a flat Python list by block range and address,
  the least any in-memory answer does; ours / floor is the index's overhead.

Each is timed `--rounds` times, the best round counts; every answer is checked against
ours (the same logs in the same order), and the exit status is 1 when one differs.

How the chain is made (timed, not part of the measurement): an in-memory embedded chain
with the platform contracts deployed, one project registered and one batch minted, then
one transfer every `--every` blocks (the blocks in between mined empty) up to `--blocks`:
a chain shaped like a quiet production one, few logs over many blocks.

Run from the repository root:

    .venv/bin/python bench/embedded_chain.py                 # 10,000 blocks, ~30 s
    .venv/bin/python bench/embedded_chain.py --blocks 2000 --baseline-blocks 500
"""

from __future__ import annotations

import argparse
import platform as platform_info
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from _harness import core_count, install_signal_handlers, log
from web3 import Web3

from app.adapters.chain.embedded import EmbeddedChain
from app.adapters.chain.evm import block_logs
from app.adapters.chain.rpc import block_pages
from app.adapters.chain.transactions import send_and_wait
from app.domain.indexer.services import IndexerConfig
from app.ports.chain import RawLog

HOLDER = Web3.to_checksum_address("0x" + "b2" * 20)
PROJECT = "bench-embedded-project"
TOKEN = 1
T = TypeVar("T")
Key = tuple[int, str, int]  # block number, transaction hash, log index


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--blocks", type=int, default=10_000, help="blocks in the chain")
    parser.add_argument(
        "--every", type=int, default=20, help="one transfer every N blocks (the rest empty)"
    )
    parser.add_argument(
        "--page-blocks",
        type=int,
        default=IndexerConfig([]).page_blocks,
        help="blocks per logs() call when paging (default: the indexer's page)",
    )
    parser.add_argument(
        "--baseline-blocks",
        type=int,
        default=200,
        help="blocks at the head over which eth-tester's get_logs is timed",
    )
    parser.add_argument("--rounds", type=int, default=5, help="rounds of each side (best counts)")
    args = parser.parse_args(argv)
    for name in ("blocks", "every", "page_blocks", "baseline_blocks", "rounds"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    return args


# --- the chain -----------------------------------------------------------------------------


def build(blocks: int, every: int) -> EmbeddedChain:
    chain = EmbeddedChain()
    writer, calls = chain.writer, chain.calls
    send_and_wait(writer, calls.register_project(PROJECT, bytes(32), "ipfs://bench"))
    mint = calls.mint_batch(
        token_id=TOKEN, project_id=PROJECT, vintage=2024, amount_kg=10**12,
        serial_start=1, serial_end=10**9, to=writer.sender,
    )  # fmt: skip
    send_and_wait(writer, mint)
    while chain.reader.head() < blocks:
        send_and_wait(writer, calls.transfer(TOKEN, writer.sender, HOLDER, 1))
        chain.mine(every - 1)
    return chain


# --- timing --------------------------------------------------------------------------------


@dataclass
class Timing:
    name: str
    blocks: int
    logs: int
    best_s: float

    @property
    def logs_per_s(self) -> float:
        return self.logs / self.best_s if self.best_s else 0.0

    @property
    def blocks_per_s(self) -> float:
        return self.blocks / self.best_s if self.best_s else 0.0


def best_of(rounds: int, work: Callable[[], T]) -> tuple[float, T]:
    best, result = float("inf"), None
    for _ in range(rounds):
        started = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - started)
    assert result is not None
    return best, result


def keys(logs: Sequence[RawLog]) -> list[Key]:
    return [(log.block_number, log.transaction_hash, log.log_index) for log in logs]


def tester_keys(found: Sequence[dict[str, Any]]) -> list[Key]:
    return [
        (int(f["block_number"]), str(f["transaction_hash"]), int(f["log_index"])) for f in found
    ]


# --- the run -------------------------------------------------------------------------------


def measure(args: argparse.Namespace, chain: EmbeddedChain) -> tuple[list[Timing], list[str]]:
    reader, head = chain.reader, chain.reader.head()
    contracts = [chain.deployment.registry_address, chain.deployment.governance_address]
    tester = chain.w3.provider.ethereum_tester
    evm = tester.backend.chain
    wrong: list[str] = []

    def check(name: str, got: list[Key], want: list[Key]) -> None:
        if got != want:
            wrong.append(f"{name}: {len(got)} logs, ours {len(want)}")

    whole_s, whole = best_of(args.rounds, lambda: reader.logs(0, head, contracts))
    pages = list(block_pages(0, head, args.page_blocks))
    paged_s, paged = best_of(
        args.rounds, lambda: [log for s, e in pages for log in reader.logs(s, e, contracts)]
    )
    check("ours paged", keys(paged), keys(whole))

    start = max(0, head - args.baseline_blocks + 1)
    tail_s, tail = best_of(args.rounds, lambda: reader.logs(start, head, contracts))
    log(f"eth-tester get_logs over blocks {start}..{head}")
    tester_s, found = best_of(
        args.rounds,
        lambda: list(tester.get_logs(from_block=start, to_block=head, address=contracts)),
    )
    check("eth-tester", tester_keys(found), keys(tail))

    wanted = {c.lower() for c in contracts}
    log("py-evm receipts of every block")
    receipts_s, from_receipts = best_of(
        args.rounds,
        lambda: [
            log
            for n in range(head + 1)
            for log in block_logs(evm, n)
            if log.address.lower() in wanted
        ],
    )
    check("receipts", keys(from_receipts), keys(whole))

    flat = [(log.block_number, log.address.lower(), log) for log in from_receipts]
    floor_s, floor = best_of(
        args.rounds,
        lambda: [log for n, a, log in flat if 0 <= n <= head and a in wanted],
    )
    check("floor", keys(floor), keys(whole))

    blocks, tail_blocks = head + 1, head - start + 1
    timings = [
        Timing("ours, whole chain in one call", blocks, len(whole), whole_s),
        Timing(f"ours, pages of {args.page_blocks} blocks", blocks, len(paged), paged_s),
        Timing("ours, last blocks", tail_blocks, len(tail), tail_s),
        Timing("eth-tester get_logs, last blocks", tail_blocks, len(found), tester_s),
        Timing("py-evm receipts, every block", blocks, len(from_receipts), receipts_s),
        Timing("floor: flat list filter", blocks, len(floor), floor_s),
    ]
    return timings, wrong


def report(args: argparse.Namespace, chain_s: float, timings: list[Timing]) -> None:
    whole, paged, tail, tester, receipts, floor = timings
    print("## Embedded chain: logs() from its index vs eth-tester, py-evm receipts, a list")
    print()
    print(
        f"- machine: {core_count()} cores, {platform_info.machine()}, {platform_info.system()} "
        f"{platform_info.release()}, Python {platform_info.python_version()}"
    )
    print(
        f"- chain: {whole.blocks:,} blocks, {whole.logs:,} platform logs (one transfer every "
        f"{args.every} blocks), built in {chain_s:.1f} s; best of {args.rounds} rounds"
    )
    print()
    print("| side | blocks | logs | best ms | logs/s | blocks/s |")
    print("|---|---:|---:|---:|---:|---:|")
    for t in timings:
        print(
            f"| {t.name} | {t.blocks:,} | {t.logs:,} | {t.best_s * 1000:.3f} | "
            f"{t.logs_per_s:,.0f} | {t.blocks_per_s:,.0f} |"
        )
    print()
    print("| ratio | value |")
    print("|---|---:|")
    print(
        f"| eth-tester / ours, same {tail.blocks:,} blocks | {tester.best_s / tail.best_s:,.0f}x |"
    )
    print(f"| receipts / ours, whole chain | {receipts.best_s / whole.best_s:,.0f}x |")
    print(f"| ours / floor, whole chain | {whole.best_s / floor.best_s:.2f} |")
    print(f"| ours paged / ours in one call | {paged.best_s / whole.best_s:.2f} |")


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    install_signal_handlers()
    try:
        log(f"building a chain of {args.blocks:,} blocks")
        started = time.perf_counter()
        chain = build(args.blocks, args.every)
        chain_s = time.perf_counter() - started
        try:
            timings, wrong = measure(args, chain)
        finally:
            chain.close()
    except KeyboardInterrupt:
        log("interrupted")
        return 130
    report(args, chain_s, timings)
    if wrong:
        print(f"\nAnswers that differ from ours: {'; '.join(wrong)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
