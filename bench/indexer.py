"""Benchmark of the chain indexer: the platform's own `index_step` backfilling `--events`
platform events from a real node (anvil) into PostgreSQL, against the raw limit of each
stage it is made of, measured on the same data in the same run.

What it measures:

- ours: `Platform.index_step()` (CHAIN_BACKEND=rpc, CHAIN_CONFIRMATIONS=0, the deployed
  contracts given by address so nothing is redeployed) called until the checkpoint reaches
  the head, from an empty index: fetch logs, decode, store in `chain_events`, project onto
  `credit_balances`, record blocks, move the checkpoint, commit. events/s = events stored /
  wall time of those calls (bootstrapping the platform is not counted).
- raw 1: `eth_getLogs` paging over the same range and contracts (`--page-blocks` blocks per
  call, the indexer's step by default) with httpx and `json.loads`, no web3 formatting.
- raw 2: `eth_abi.decode` of the same logs' data, plus their indexed topics read as ints
  or hex strings, into (name, position, args).
- raw 3: binary COPY (psycopg 3) of the rows the platform stored into the same, emptied
  `chain_events` table (primary key and both indexes kept), commit included.

Ours and each raw stage run `--rounds` times (ours from an emptied index each time), the
best round counts. The table gives each rate, the ratio ours / slowest raw stage, and the
goals (>= 15,000 events/s end to end, >= 0.6x the slowest raw stage). Then the platform
indexes the range again, from scratch, with timers around its stages (node calls, decode,
insert, projection, bookkeeping, commit) and a counter of SQL statements; when a goal is
missed (or with `--profile always`) once more under cProfile, whose top functions are
printed.

How the data is made (timed, not part of the measurement): anvil on a free loopback port
(gas limit 1e9, auto-mining); the app's `deploy`, one project registered, one batch minted
per token and spread over a few holders with the app's `Web3RegistryCalls`, each sent by
its `Web3ChainWriter` with its receipt awaited; then, auto-mining off, `transfer` calls
from the operator between those holders, each signed locally (EIP-1559, libsecp256k1
through coincurve, checked byte for byte against eth_account on the first one) with
locally counted nonces, sent `--txs-per-block` at a time in one JSON-RPC batch and mined
with `evm_mine`; a receipt is checked every `--receipt-every` transactions.
The range then holds exactly setup events + transfers, which is checked, as are the
platform's stored positions against the raw logs and its projected balances against the
contract's `balanceOf`.

The database is a throwaway `bench_indexer_<random>` migrated with `flask db upgrade`; anvil
and the database are stopped and dropped whatever happens, Ctrl-C included.

Run from the repository root, PostgreSQL reachable (trust or password in the URL), anvil
installed in tools/anvil (`npm ci` there is run if it is missing):

    .venv/bin/python bench/indexer.py --events 10000
    .venv/bin/python bench/indexer.py                      # 100,000 events
    .venv/bin/python bench/indexer.py --max-blocks 10000 --profile never

Duration: ours runs `--rounds` times over the range, then once with stage timers and
perhaps once under cProfile (a few seconds each at 100,000 events); generating 100,000
events takes about 70 s. The bench prints the 1-min load average: on a shared machine
the absolute rates are pessimistic, the ratios less so.

Exit status: 0, or 1 when the data or the platform's result is not what it should be; the
goal check is printed, it does not change the status.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import itertools
import json
import os
import platform as platform_info
import pstats
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from unittest import mock

import eth_abi
import httpx
import psycopg
import rlp
import sqlalchemy as sa
from _harness import (
    DEFAULT_URL,
    ROOT,
    BenchError,
    core_count,
    free_port,
    install_signal_handlers,
    log,
    migrate,
    psycopg_url,
    server_version,
    sqlalchemy_url,
    throwaway_database,
)
from eth_account import Account
from eth_utils.crypto import keccak
from psycopg.types.json import Jsonb
from web3 import Web3

from app.adapters.chain.abi import ARTIFACTS_DIR, CONTRACT_NAMES, checksum, encode_call
from app.adapters.chain.rpc import REGISTRY, Deployment, Web3RegistryCalls, balance_of, deploy
from app.adapters.chain.transactions import Web3ChainWriter, send_and_wait
from app.adapters.sql.indexer_repositories import SqlIndexerRepository
from app.adapters.sql.uow import SqlUnitOfWork
from app.domain.indexer.services import IndexerConfig
from app.main import platform as platform_module
from app.main.bootstrap import bootstrap
from app.main.config import Settings
from app.main.platform import Platform

ANVIL_DIR = ROOT / "tools" / "anvil"
ANVIL_GLOB = "node_modules/@foundry-rs/anvil-*/bin/anvil"
ANVIL_START_TIMEOUT_S = 15.0
CHAIN_ID = 31337
GAS_LIMIT = 1_000_000_000
# Anvil's first dev account from its default mnemonic (a public test key): deployer,
# operator and sender of every transaction.
DEV_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
HOLDERS = (
    "0x00000000000000000000000000000000000a11ce",
    "0x0000000000000000000000000000000000000b0b",
    "0x00000000000000000000000000000000000ca401",
    "0x00000000000000000000000000000000000da4e0",
)
TOKENS = (1, 2, 3)
PROJECT = "bench-indexer-project"
MINT_KG = 10**15
SEED_KG = 10**14
PRIORITY_FEE = 10**9
GOAL_RATE = 15_000.0
GOAL_RATIO = 0.6
JSON_HEADERS = {"Content-Type": "application/json"}
INDEX_TABLES = ("chain_events", "chain_blocks", "chain_checkpoints", "credit_balances")
EVENT_COLUMNS = "block_number, log_index, block_hash, tx_hash, address, name, args"
EVENT_TYPES = ("int8", "int4", "varchar", "varchar", "varchar", "varchar", "jsonb")


# --- arguments -----------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL),
        help="SQLAlchemy URL of the PostgreSQL server; only its server is used",
    )
    parser.add_argument(
        "--events", type=int, default=100_000, help="platform events in the indexed range"
    )
    parser.add_argument(
        "--txs-per-block", type=int, default=25, help="transfers mined per block (evm_mine)"
    )
    parser.add_argument(
        "--receipt-every", type=int, default=500, help="check a receipt every N transactions"
    )
    parser.add_argument(
        "--max-blocks",
        type=int,
        default=None,
        help="override IndexerConfig.max_blocks for ours (bench only; default: the app's)",
    )
    parser.add_argument(
        "--page-blocks",
        type=int,
        default=None,
        help="blocks per eth_getLogs call, ours (IndexerConfig.page_blocks) and raw "
        "(default: the app's page_blocks)",
    )
    parser.add_argument(
        "--anvil-arg",
        action="append",
        default=[],
        metavar="ARG",
        help="extra anvil argument (repeat; e.g. --anvil-arg=--prune-history)",
    )
    parser.add_argument(
        "--rounds", type=int, default=3, help="rounds of ours and of each raw stage (best counts)"
    )
    parser.add_argument(
        "--profile",
        choices=("auto", "always", "never"),
        default="auto",
        help="cProfile pass of ours: when a goal is missed (auto), always or never",
    )
    parser.add_argument("--profile-lines", type=int, default=30, help="profile rows printed")
    parser.add_argument("--profile-out", type=Path, default=None, help="write the pstats file")
    args = parser.parse_args(argv)
    for name in ("events", "txs_per_block", "receipt_every", "rounds", "profile_lines"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    for name in ("max_blocks", "page_blocks"):
        value = getattr(args, name)
        if value is not None and value < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    return args


# --- anvil ---------------------------------------------------------------------------------


@dataclass
class Anvil:
    url: str
    process: subprocess.Popen[bytes]
    log_path: Path
    version: str

    def log_tail(self, lines: int = 20) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


def anvil_binary() -> Path:
    """The native binary under tools/anvil/node_modules (`npm ci` there if it is missing);
    run directly, not through the npm wrapper, so it is stopped by its process id."""
    found = sorted(ANVIL_DIR.glob(ANVIL_GLOB))
    if not found:
        npm = shutil.which("npm")
        if npm is None:
            raise BenchError(f"no anvil under {ANVIL_DIR} and no npm to install it")
        log("anvil missing: npm ci in tools/anvil")
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"],
            cwd=ANVIL_DIR,
            check=True,
            capture_output=True,
            timeout=600,
        )
        found = sorted(ANVIL_DIR.glob(ANVIL_GLOB))
    if not found:
        raise BenchError(f"no anvil binary matches {ANVIL_DIR / ANVIL_GLOB}")
    return found[0]


def stop_process(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def _anvil_ready(anvil: Anvil) -> bool:
    deadline = time.monotonic() + ANVIL_START_TIMEOUT_S
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []})
    while time.monotonic() < deadline:
        if anvil.process.poll() is not None:
            return False
        try:
            response = httpx.post(anvil.url, content=body, headers=JSON_HEADERS, timeout=2.0)
        except httpx.TransportError:
            time.sleep(0.05)
            continue
        return response.status_code == 200
    return False


@contextlib.contextmanager
def running_anvil(log_dir: Path, extra_args: Sequence[str] = ()) -> Iterator[Anvil]:
    """Anvil on a free loopback port (auto-mining, gas limit 1e9), stopped on exit."""
    binary = anvil_binary()
    version = subprocess.run(
        [str(binary), "--version"], capture_output=True, text=True, check=False, timeout=30
    ).stdout.splitlines()
    process: subprocess.Popen[bytes] | None = None
    try:
        for _ in range(3):  # a port taken between probing and binding: try another
            port = free_port()
            log_path = log_dir / f"anvil-{port}.log"
            with log_path.open("wb") as out:
                process = subprocess.Popen(
                    [
                        str(binary),
                        "--host",
                        "127.0.0.1",
                        "--port",
                        str(port),
                        "--chain-id",
                        str(CHAIN_ID),
                        "--gas-limit",
                        str(GAS_LIMIT),
                        "--quiet",
                        *extra_args,
                    ],
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,  # Ctrl-C reaches us only; we stop it
                )
            anvil = Anvil(
                f"http://127.0.0.1:{port}", process, log_path, version[0] if version else "?"
            )
            if _anvil_ready(anvil):
                break
            stop_process(process)
        else:
            raise BenchError(f"anvil did not start:\n{anvil.log_tail()}")
        yield anvil
    finally:
        if process is not None:
            stop_process(process)


class Rpc:
    """Plain JSON-RPC over one keep-alive httpx client (no web3 formatting)."""

    def __init__(self, url: str, timeout: float = 120.0) -> None:
        self.url = url
        self._client = httpx.Client(timeout=timeout, headers=JSON_HEADERS)
        self._ids = itertools.count(1)

    def close(self) -> None:
        self._client.close()

    def call(self, method: str, *params: Any) -> Any:
        body = {"jsonrpc": "2.0", "id": next(self._ids), "method": method, "params": params}
        answer = self._post(body)
        if "error" in answer:
            raise BenchError(f"{method}: {answer['error']}")
        return answer["result"]

    def batch(self, method: str, params: Sequence[Sequence[Any]]) -> list[Any]:
        """One HTTP request carrying a JSON-RPC batch; results in the calls' order."""
        body = [
            {"jsonrpc": "2.0", "id": i, "method": method, "params": list(p)}
            for i, p in enumerate(params)
        ]
        answers = self._post(body)
        if not isinstance(answers, list) or len(answers) != len(body):
            raise BenchError(f"{method} batch: unexpected answer {str(answers)[:300]}")
        answers.sort(key=lambda a: a["id"])
        errors = [a["error"] for a in answers if "error" in a]
        if errors:
            raise BenchError(f"{method}: {len(errors)} of {len(body)} failed: {errors[0]}")
        return [a["result"] for a in answers]

    def _post(self, body: object) -> Any:
        response = self._client.post(self.url, content=json.dumps(body))
        if response.status_code != 200:
            raise BenchError(f"node answered HTTP {response.status_code}: {response.text[:300]}")
        return json.loads(response.content)


# --- generating the events -----------------------------------------------------------------


class RawSigner:
    """EIP-1559 transactions of one key: RLP + libsecp256k1 (coincurve) directly, about 4x
    faster than eth_account's `sign_transaction`. The first signature is compared byte for
    byte with eth_account's; on a mismatch (or without coincurve) eth_account signs all."""

    def __init__(self, private_key: str, chain_id: int) -> None:
        self._account = Account.from_key(private_key)
        self._chain_id = chain_id
        self._checked = False
        try:
            import coincurve

            self._key: Any = coincurve.PrivateKey(bytes.fromhex(private_key.removeprefix("0x")))
        except ImportError:
            self._key = None

    @property
    def address(self) -> str:
        return str(self._account.address)

    def sign(self, *, nonce: int, to: str, data: bytes, gas: int, max_fee: int, tip: int) -> bytes:
        if self._key is None:
            return self._reference(nonce=nonce, to=to, data=data, gas=gas, max_fee=max_fee, tip=tip)
        fields = [self._chain_id, nonce, tip, max_fee, gas, bytes.fromhex(to[2:]), 0, data, []]
        signature = self._key.sign_recoverable(keccak(b"\x02" + rlp.encode(fields)), hasher=None)
        r = int.from_bytes(signature[:32], "big")
        s = int.from_bytes(signature[32:64], "big")
        raw = b"\x02" + rlp.encode([*fields, signature[64], r, s])
        if not self._checked:
            reference = self._reference(
                nonce=nonce, to=to, data=data, gas=gas, max_fee=max_fee, tip=tip
            )
            if raw != reference:
                log("the fast signer disagrees with eth_account: signing with eth_account")
                self._key = None
                return reference
            self._checked = True
        return raw

    def _reference(
        self, *, nonce: int, to: str, data: bytes, gas: int, max_fee: int, tip: int
    ) -> bytes:
        tx = {
            "type": 2,
            "chainId": self._chain_id,
            "nonce": nonce,
            "maxPriorityFeePerGas": tip,
            "maxFeePerGas": max_fee,
            "gas": gas,
            "to": checksum(to),
            "value": 0,
            "data": data,
        }
        return bytes(self._account.sign_transaction(tx).raw_transaction)


@dataclass
class Chain:
    deployment: Deployment
    addresses: list[str]
    holders: list[str]
    start_block: int = 0
    head: int = 0
    setup_events: int = 0
    transfers: int = 0
    events: int = 0
    setup_s: float = 0.0
    send_s: float = 0.0

    @property
    def blocks(self) -> int:
        return self.head - self.start_block + 1


def count_logs(rpc: Rpc, chain: Chain, page: int) -> int:
    total = 0
    for first in range(chain.start_block, chain.head + 1, page):
        query = {
            "fromBlock": hex(first),
            "toBlock": hex(min(chain.head, first + page - 1)),
            "address": chain.addresses,
        }
        total += len(rpc.call("eth_getLogs", query))
    return total


def set_up_chain(url: str) -> Chain:
    """Deploy, register the project, mint one batch per token and spread it over the
    holders, with the platform's own adapters (auto-mined, receipts awaited)."""
    w3 = Web3(Web3.HTTPProvider(url, request_kwargs={"timeout": 60}))
    writer = Web3ChainWriter(w3, DEV_KEY)
    deployment = deploy(writer)
    calls = Web3RegistryCalls(deployment.registry_address, deployment.governance_address)
    holders = [checksum(h) for h in HOLDERS]
    bundle_hash = keccak(b"bench bundle")
    send_and_wait(
        writer, calls.register_project(PROJECT, bundle_hash, "https://example.invalid/bench")
    )
    for token in TOKENS:
        first_serial = token * 10**12
        mint = calls.mint_batch(
            token_id=token,
            project_id=PROJECT,
            vintage=2024,
            amount_kg=MINT_KG,
            serial_start=first_serial,
            serial_end=first_serial + MINT_KG // 1000 - 1,
            to=holders[0],
        )
        send_and_wait(writer, mint)
        for holder in holders[1:]:
            send_and_wait(writer, calls.transfer(token, holders[0], holder, SEED_KG))
    addresses = sorted([deployment.registry_address, deployment.governance_address])
    return Chain(deployment, addresses, holders, start_block=deployment.block_number)


def send_transfers(rpc: Rpc, chain: Chain, count: int, per_block: int, receipt_every: int) -> None:
    """`count` transfers from the operator between the holders, round robin over holder
    pairs, tokens and amounts of 1-5 kg: signed here, `per_block` per JSON-RPC batch, each
    batch mined into one block with `evm_mine`."""
    registry = chain.deployment.registry_address
    holders = chain.holders
    signer = RawSigner(DEV_KEY, CHAIN_ID)
    calldata: dict[tuple[int, int, int], bytes] = {}

    def data_for(i: int) -> bytes:
        pair, token = i % len(holders), TOKENS[(i // len(holders)) % len(TOKENS)]
        key = (pair, token, 1 + i % 5)
        if key not in calldata:
            to = holders[(pair + 1) % len(holders)]
            calldata[key] = encode_call(REGISTRY, "transfer", (token, holders[pair], to, key[2]))
        return calldata[key]

    estimate = rpc.call(
        "eth_estimateGas",
        {"from": signer.address, "to": registry, "data": "0x" + data_for(0).hex()},
    )
    gas = 2 * int(estimate, 16)
    base_fee = int(rpc.call("eth_getBlockByNumber", "latest", False)["baseFeePerGas"], 16)
    max_fee = 2 * base_fee + PRIORITY_FEE  # blocks stay far below target: the base fee falls
    nonce = int(rpc.call("eth_getTransactionCount", signer.address, "pending"), 16)
    rpc.call("evm_setAutomine", False)
    try:
        sent = since_receipt = 0
        next_report = count // 10
        started = time.perf_counter()
        while sent < count:
            n = min(per_block, count - sent)
            raws = [
                signer.sign(
                    nonce=nonce + k,
                    to=registry,
                    data=data_for(sent + k),
                    gas=gas,
                    max_fee=max_fee,
                    tip=PRIORITY_FEE,
                )
                for k in range(n)
            ]
            hashes = rpc.batch("eth_sendRawTransaction", [["0x" + raw.hex()] for raw in raws])
            rpc.call("evm_mine")
            nonce, sent, since_receipt = nonce + n, sent + n, since_receipt + n
            if since_receipt >= receipt_every or sent == count:
                receipt = rpc.call("eth_getTransactionReceipt", hashes[-1])
                if receipt is None or int(receipt["status"], 16) != 1:
                    raise BenchError(f"transfer {sent} not mined or reverted: {receipt}")
                since_receipt = 0
            if sent >= next_report and count >= 10_000:
                rate = sent / (time.perf_counter() - started)
                log(f"  {sent}/{count} transfers sent ({rate:,.0f} tx/s)")
                next_report += count // 10
    finally:
        with contextlib.suppress(BenchError, httpx.HTTPError):
            rpc.call("evm_setAutomine", True)
    pending = rpc.call("txpool_status").get("pending", "0x0")
    if int(pending, 16) != 0:
        raise BenchError(f"{int(pending, 16)} transaction(s) left pending in anvil's pool")


def generate(rpc: Rpc, args: argparse.Namespace, page: int) -> Chain:
    started = time.perf_counter()
    chain = set_up_chain(rpc.url)
    chain.head = int(rpc.call("eth_blockNumber"), 16)
    chain.setup_events = count_logs(rpc, chain, page)
    chain.setup_s = time.perf_counter() - started
    chain.transfers = max(0, args.events - chain.setup_events)
    log(
        f"contracts deployed at block {chain.start_block}, {chain.setup_events} setup events; "
        f"sending {chain.transfers} transfers, {args.txs_per_block} per block"
    )
    started = time.perf_counter()
    send_transfers(rpc, chain, chain.transfers, args.txs_per_block, args.receipt_every)
    chain.send_s = time.perf_counter() - started
    chain.head = int(rpc.call("eth_blockNumber"), 16)
    chain.events = count_logs(rpc, chain, page)  # also warms the node up for both sides
    if chain.events != chain.setup_events + chain.transfers:
        raise BenchError(
            f"the range holds {chain.events} events, expected "
            f"{chain.setup_events} + {chain.transfers}"
        )
    return chain


# --- ours: the platform's indexer ----------------------------------------------------------


def platform_env(db_url: str, storage_dir: str) -> dict[str, str]:
    """What the platform needs besides the chain (the migration gets only this)."""
    return {
        "APP_ENV": "test",
        "DATABASE_URL": db_url,
        "SECRET_KEY": secrets.token_urlsafe(36),  # 48 characters
        "LOG_LEVEL": "WARNING",
        "RATELIMIT_ENABLED": "false",
        "STORAGE_DIR": storage_dir,
    }


def chain_env(anvil_url: str, deployment: Deployment) -> dict[str, str]:
    return {
        "CHAIN_BACKEND": "rpc",
        "CHAIN_RPC_URL": anvil_url,
        "OPERATOR_PRIVATE_KEY": DEV_KEY,
        "CHAIN_REGISTRY_ADDRESS": deployment.registry_address,
        "CHAIN_GOVERNANCE_ADDRESS": deployment.governance_address,
        "CHAIN_START_BLOCK": str(deployment.block_number),
        "CHAIN_CONFIRMATIONS": "0",
    }


def make_platform(env: dict[str, str], max_blocks: int, page_blocks: int) -> Platform:
    platform = bootstrap(Settings.from_env(env))
    platform.chain  # noqa: B018 (built now, not inside the measurement)
    app_config = platform.indexer_config

    def indexer_config() -> IndexerConfig:
        return replace(app_config(), max_blocks=max_blocks, page_blocks=page_blocks)

    platform.indexer_config = indexer_config  # type: ignore[method-assign]
    return platform


@dataclass
class OursRun:
    events: int
    steps: int
    seconds: float
    rounds: list[float] = field(default_factory=list)
    cpu_s: float = 0.0  # CPU time of this process (every thread) during the run
    machine_busy: float | None = None  # cores busy on the whole machine during the run

    @property
    def rate(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0


def index_all(platform: Platform, head: int) -> OursRun:
    """`index_step()` until the checkpoint reaches `head`."""
    steps = events = 0
    started, cpu, machine = time.perf_counter(), time.process_time(), machine_cpu()
    while True:
        result = platform.index_step()
        steps += 1
        if result.halted:
            raise BenchError(f"the indexer halted: {result.halted}")
        events += result.new_events
        if result.to_block >= head or result.to_block < result.from_block:
            break
        if steps > 1_000_000:
            raise BenchError("the indexer does not progress")
    return OursRun(
        events,
        steps,
        time.perf_counter() - started,
        cpu_s=time.process_time() - cpu,
        machine_busy=busy_cores(machine, machine_cpu()),
    )


def machine_cpu() -> tuple[int, int] | None:
    """(busy, total) jiffies of every CPU of the machine, from /proc/stat (Linux)."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            values = [int(v) for v in stat.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
    return sum(values[:8]) - idle, sum(values[:8])


def busy_cores(before: tuple[int, int] | None, after: tuple[int, int] | None) -> float | None:
    """Cores kept busy in between, by every process (the node and PostgreSQL included)."""
    if before is None or after is None or after[1] == before[1]:
        return None
    return (after[0] - before[0]) / (after[1] - before[1]) * (os.cpu_count() or 1)


def reset_index(conninfo: str) -> None:
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f"TRUNCATE {', '.join(INDEX_TABLES)}")


def stored_rows(conninfo: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(conninfo, autocommit=True) as conn:
        return conn.execute(f"SELECT {EVENT_COLUMNS} FROM chain_events ORDER BY 1, 2").fetchall()


def check_ours(
    conninfo: str,
    platform: Platform,
    chain: Chain,
    run: OursRun,
    decoded: Sequence[tuple[int, int, str, dict[str, Any]]],
) -> list[tuple[Any, ...]]:
    """The stored events are the node's, one each, and the projected balances are the
    contract's. Returns the stored rows (for the COPY stage)."""
    rows = stored_rows(conninfo)
    if run.events != chain.events or len(rows) != chain.events:
        raise BenchError(
            f"ours stored {len(rows)} events ({run.events} reported new), "
            f"the node has {chain.events}"
        )
    ours = [(r[0], r[1], r[5]) for r in rows]
    raw = sorted((d[0], d[1], d[2]) for d in decoded)
    if ours != raw:
        first = next(i for i, (a, b) in enumerate(zip(ours, raw, strict=True)) if a != b)
        raise BenchError(
            f"stored events differ from the node's logs: {ours[first]} vs {raw[first]}"
        )
    with psycopg.connect(conninfo, autocommit=True) as conn:
        stored = {
            (address, int(token)): int(kg)
            for address, token, kg in conn.execute(
                "SELECT address, token_id, onchain_kg FROM credit_balances"
            )
        }
    w3 = Web3(Web3.HTTPProvider(platform.settings.chain_rpc_url, request_kwargs={"timeout": 60}))
    registry = chain.deployment.registry_address
    for holder in chain.holders:
        for token in TOKENS:
            on_chain = balance_of(w3, registry, holder, token)
            if stored.get((holder, token)) != on_chain:
                raise BenchError(
                    f"projected balance of {holder} token {token}: "
                    f"{stored.get((holder, token))}, on chain {on_chain}"
                )
    return rows


class StageTimer:
    """Wall time and calls per stage, from wrappers around the platform's functions."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: Counter[str] = Counter()

    def wrap_pages(self, stage: str, function: Callable[..., Any]) -> Callable[..., Any]:
        """Times the waits for each item of the generator `function` returns."""
        seconds, calls = self.seconds, self.calls

        def timed(*args: Any, **kwargs: Any) -> Iterator[Any]:
            pages = function(*args, **kwargs)
            while True:
                started = time.perf_counter()
                try:
                    page = next(pages)
                except StopIteration:
                    return
                finally:
                    seconds[stage] += time.perf_counter() - started
                calls[stage] += 1
                yield page

        return timed

    def wrap(self, stage: str, function: Callable[..., Any]) -> Callable[..., Any]:
        seconds, calls = self.seconds, self.calls

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                seconds[stage] += time.perf_counter() - started
                calls[stage] += 1

        return timed


@dataclass
class Breakdown:
    run: OursRun
    stages: dict[str, tuple[float, int]]
    statements: int
    executemany: int
    driver_s: float


STAGE_NODE_LOGS = "waiting for the next page (fetched and decoded on the fetching thread)"
STAGE_NODE_OTHER = "node: head, block, chain id (web3)"
STAGE_DECODE = "decode RawLog -> ChainEvent (setup.decode, on the fetching thread)"
OFF_MAIN = {STAGE_DECODE}  # stages timed on the fetching thread: not part of the main wall
STAGE_INSERT = "insert_events (SELECT existing + binary COPY)"
STAGE_PROJECT = "project: credit_balances (one upsert per holding and page)"
STAGE_BOOKKEEPING = "checkpoint, record_blocks, save_checkpoint"
STAGE_COMMIT = "commit"


@contextlib.contextmanager
def stage_timers(platform: Platform, timer: StageTimer) -> Iterator[dict[str, float]]:
    """Wraps the stages `index_step` goes through (bench-side patches, undone on exit) and
    counts the SQL statements sent (and the time spent inside the driver's execute)."""
    reader = platform.chain.reader
    projector = platform_module.platform_projector
    sql = {"statements": 0.0, "executemany": 0.0, "driver_s": 0.0}
    started: list[float] = []

    def before(_conn: Any, _cursor: Any, _stmt: Any, _params: Any, _ctx: Any, many: bool) -> None:
        sql["statements"] += 1
        sql["executemany"] += 1 if many else 0
        started.append(time.perf_counter())

    def after(*_args: Any) -> None:
        sql["driver_s"] += time.perf_counter() - started.pop()

    patches = [
        mock.patch.object(reader, "log_pages", timer.wrap_pages(STAGE_NODE_LOGS, reader.log_pages)),
        mock.patch.object(reader, "head", timer.wrap(STAGE_NODE_OTHER, reader.head)),
        mock.patch.object(reader, "block", timer.wrap(STAGE_NODE_OTHER, reader.block)),
        mock.patch.object(reader, "chain_id", timer.wrap(STAGE_NODE_OTHER, reader.chain_id)),
        mock.patch.object(
            platform_module, "decode", timer.wrap(STAGE_DECODE, platform_module.decode)
        ),
        mock.patch.object(
            platform_module,
            "platform_projector",
            lambda clock: timer.wrap(STAGE_PROJECT, projector(clock)),
        ),
        mock.patch.object(
            SqlIndexerRepository,
            "insert_events",
            timer.wrap(STAGE_INSERT, SqlIndexerRepository.insert_events),
        ),
        *(
            mock.patch.object(
                SqlIndexerRepository,
                name,
                timer.wrap(STAGE_BOOKKEEPING, getattr(SqlIndexerRepository, name)),
            )
            for name in ("checkpoint_for_update", "record_blocks", "save_checkpoint")
        ),
        mock.patch.object(SqlUnitOfWork, "commit", timer.wrap(STAGE_COMMIT, SqlUnitOfWork.commit)),
    ]
    engine = platform.db.engine
    with contextlib.ExitStack() as stack:
        for patch in patches:
            stack.enter_context(patch)
        sa.event.listen(engine, "before_cursor_execute", before)
        sa.event.listen(engine, "after_cursor_execute", after)
        try:
            yield sql
        finally:
            sa.event.remove(engine, "before_cursor_execute", before)
            sa.event.remove(engine, "after_cursor_execute", after)


def breakdown(platform: Platform, conninfo: str, head: int) -> Breakdown:
    reset_index(conninfo)
    timer = StageTimer()
    with stage_timers(platform, timer) as sql:
        run = index_all(platform, head)
    stages = {name: (timer.seconds[name], timer.calls[name]) for name in timer.seconds}
    return Breakdown(run, stages, int(sql["statements"]), int(sql["executemany"]), sql["driver_s"])


def profile(platform: Platform, conninfo: str, head: int) -> tuple[cProfile.Profile, OursRun]:
    reset_index(conninfo)
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        run = index_all(platform, head)
    finally:
        profiler.disable()
    return profiler, run


# --- the raw stages ------------------------------------------------------------------------


@dataclass
class Stage:
    key: str
    label: str
    unit: str
    items: int
    rounds: list[float] = field(default_factory=list)
    cpu_s: float = 0.0  # CPU time of this process (every thread) during the run
    machine_busy: float | None = None  # cores busy on the whole machine during the run

    @property
    def seconds(self) -> float:
        return min(self.rounds)

    @property
    def rate(self) -> float:
        return self.items / self.seconds if self.seconds else 0.0


def raw_get_logs(url: str, chain: Chain, page: int) -> tuple[list[dict[str, Any]], float]:
    with httpx.Client(timeout=300.0, headers=JSON_HEADERS) as client:
        logs: list[dict[str, Any]] = []
        started = time.perf_counter()
        for first in range(chain.start_block, chain.head + 1, page):
            query = {
                "fromBlock": hex(first),
                "toBlock": hex(min(chain.head, first + page - 1)),
                "address": chain.addresses,
            }
            body = {"jsonrpc": "2.0", "id": 1, "method": "eth_getLogs", "params": [query]}
            answer = json.loads(client.post(url, content=json.dumps(body)).content)
            if "error" in answer:
                raise BenchError(f"eth_getLogs: {answer['error']}")
            logs.extend(answer["result"])
        return logs, time.perf_counter() - started


@dataclass(frozen=True)
class RawSpec:
    name: str
    indexed: tuple[tuple[str, str], ...]
    data_names: tuple[str, ...]
    data_types: tuple[str, ...]


def raw_specs() -> dict[str, RawSpec]:
    """topic 0 -> the event's layout, read from the contracts' ABI files."""
    specs = {}
    for contract in CONTRACT_NAMES:
        abi = json.loads((ARTIFACTS_DIR / f"{contract}.json").read_text(encoding="utf-8"))["abi"]
        for entry in abi:
            if entry.get("type") != "event" or entry.get("anonymous"):
                continue
            types = ",".join(p["type"] for p in entry["inputs"])
            topic = "0x" + keccak(text=f"{entry['name']}({types})").hex()
            specs[topic] = RawSpec(
                entry["name"],
                tuple((p["name"], p["type"]) for p in entry["inputs"] if p["indexed"]),
                tuple(p["name"] for p in entry["inputs"] if not p["indexed"]),
                tuple(p["type"] for p in entry["inputs"] if not p["indexed"]),
            )
    return specs


def _topic_value(kind: str, topic: str) -> Any:
    if kind.startswith(("uint", "int")):
        return int(topic, 16)
    if kind == "address":
        return "0x" + topic[-40:]
    return topic


def raw_decode(
    logs: Sequence[dict[str, Any]], specs: dict[str, RawSpec]
) -> tuple[list[tuple[int, int, str, dict[str, Any]]], float]:
    decoded = []
    started = time.perf_counter()
    for entry in logs:
        topics = entry["topics"]
        spec = specs[topics[0]]
        args = {
            name: _topic_value(kind, topic)
            for (name, kind), topic in zip(spec.indexed, topics[1:], strict=True)
        }
        if spec.data_types:
            values = eth_abi.decode(spec.data_types, bytes.fromhex(entry["data"][2:]))
            args.update(zip(spec.data_names, values, strict=True))
        decoded.append((int(entry["blockNumber"], 16), int(entry["logIndex"], 16), spec.name, args))
    return decoded, time.perf_counter() - started


def raw_copy(conninfo: str, rows: Sequence[tuple[Any, ...]]) -> float:
    """TRUNCATE chain_events (not timed), then binary COPY the rows and commit."""
    prepared = [(*row[:6], Jsonb(row[6])) for row in rows]
    with psycopg.connect(conninfo) as conn:
        conn.execute("TRUNCATE chain_events")
        conn.commit()
        started = time.perf_counter()
        statement = f"COPY chain_events ({EVENT_COLUMNS}) FROM STDIN (FORMAT BINARY)"
        with conn.cursor() as cur, cur.copy(statement) as copy:
            copy.set_types(list(EVENT_TYPES))
            for row in prepared:
                copy.write_row(row)
        conn.commit()
        return time.perf_counter() - started


# --- the report ----------------------------------------------------------------------------


def print_header(
    args: argparse.Namespace,
    pg: str,
    anvil: Anvil,
    chain: Chain,
    *,
    max_blocks: int,
    page: int,
    loads: Sequence[tuple[str, float]],
) -> None:
    print("## Indexer backfill: `Platform.index_step()` vs raw stage limits")
    print()
    print(
        f"- machine: {core_count()} cores, {platform_info.machine()}, {platform_info.system()} "
        f"{platform_info.release()}, Python {platform_info.python_version()}"
    )
    print(f"- PostgreSQL {pg}; {anvil.version} (gas limit {GAS_LIMIT:.0e}, same machine)")
    marks = ", ".join(f"{label} {value:.2f}" for label, value in loads)
    print(
        f"- 1-min load average: {marks} (near or above the core count: other processes "
        "shared the CPU, absolute rates are pessimistic)"
    )
    print(
        f"- data: {chain.events:,} events ({chain.transfers:,} CreditsTransferred sent + "
        f"{chain.setup_events} from deployment and setup) in blocks "
        f"{chain.start_block}..{chain.head} ({chain.blocks:,} blocks, "
        f"{args.txs_per_block} transfers per block)"
    )
    rate = chain.transfers / chain.send_s if chain.send_s else 0.0
    print(
        f"- generation (not measured): {chain.setup_s + chain.send_s:.1f} s = setup "
        f"{chain.setup_s:.1f} s + transfers {chain.send_s:.1f} s ({rate:,.0f} tx/s: signed "
        f"locally, {args.txs_per_block} per JSON-RPC batch, evm_mine per batch)"
    )
    source = "set with --max-blocks" if args.max_blocks is not None else "the app's default"
    print(
        f"- ours: CHAIN_CONFIRMATIONS=0, max_blocks {max_blocks} per step ({source}), "
        f"eth_getLogs pages of {page} blocks, the next page fetched while one is written; raw "
        f"eth_getLogs pages of {page} blocks; best of {args.rounds} rounds, ours and raw"
    )
    print()


def print_results(ours: OursRun, stages: Sequence[Stage]) -> None:
    print("| stage | what | items | seconds | items/s |")
    print("|-------|------|------:|--------:|--------:|")
    rounds = ", ".join(f"{s:.2f}" for s in ours.rounds)
    print(
        f"| ours | `index_step()` until caught up (steps: {ours.steps}): fetch, decode, "
        f"insert, project, commit (rounds: {rounds} s; in the best, this process's CPU "
        f"{ours.cpu_s:.2f} s, machine {_cores(ours.machine_busy)}) | {ours.events:,} events "
        f"| {ours.seconds:.2f} | {ours.rate:,.0f} |"
    )
    for stage in stages:
        rounds = ", ".join(f"{s:.2f}" for s in stage.rounds)
        print(
            f"| {stage.key} | {stage.label} (rounds: {rounds} s) | {stage.items:,} {stage.unit} "
            f"| {stage.seconds:.2f} | {stage.rate:,.0f} |"
        )
    total = sum(s.seconds for s in stages)
    print(
        f"| raw 1+2+3 | the three in sequence (sum of best times) | {stages[0].items:,} events "
        f"| {total:.2f} | {stages[0].items / total:,.0f} |"
    )
    print()
    slowest = min(stages, key=lambda s: s.rate)
    ratio = ours.rate / slowest.rate
    print("| goal | value | target | |")
    print("|------|------:|-------:|---|")
    print(
        f"| ours end to end | {ours.rate:,.0f} events/s | >= {GOAL_RATE:,.0f} | "
        f"{'met' if ours.rate >= GOAL_RATE else 'MISSED'} |"
    )
    print(
        f"| ours / slowest raw stage ({slowest.key}, {slowest.rate:,.0f}/s) | {ratio:.3f}x | "
        f">= {GOAL_RATIO} | {'met' if ratio >= GOAL_RATIO else 'MISSED'} |"
    )
    print()


def _cores(busy: float | None) -> str:
    return "n/a" if busy is None else f"{busy:.2f} of {os.cpu_count()} cores busy"


def print_breakdown(result: Breakdown) -> None:
    run = result.run
    print(
        f"### Where ours spends its time (second pass with stage timers: {run.events:,} events "
        f"in {run.seconds:.2f} s, {run.rate:,.0f} events/s)"
    )
    print()
    print("| stage | seconds | share | µs/event | calls |")
    print("|-------|--------:|------:|---------:|------:|")
    accounted = 0.0
    for name, (seconds, calls) in sorted(result.stages.items(), key=lambda kv: -kv[1][0]):
        accounted += 0.0 if name in OFF_MAIN else seconds
        print(
            f"| {name} | {seconds:.2f} | {seconds / run.seconds:.0%} | "
            f"{seconds / run.events * 1e6:.1f} | {calls:,} |"
        )
    rest = run.seconds - accounted
    print(
        f"| other on the main thread (sessions, hashes dict, step loop) | {rest:.2f} | "
        f"{rest / run.seconds:.0%} | {rest / run.events * 1e6:.1f} | |"
    )
    print()
    per_event = result.statements / run.events if run.events else 0.0
    print(
        f"SQL: {result.statements:,} statements ({per_event:.2f} per event, "
        f"{result.executemany} executemany); {result.driver_s:.2f} s inside the driver's "
        f"execute ({result.driver_s / run.seconds:.0%} of the wall time), the rest is Python "
        "around it."
    )
    print()


def print_profile(profiler: cProfile.Profile, run: OursRun, lines: int) -> None:
    print(
        f"### cProfile of ours ({run.events:,} events in {run.seconds:.2f} s under the "
        "profiler; cumulative, then own time)"
    )
    print()
    for order in ("cumulative", "tottime"):
        stream = io.StringIO()
        stats = pstats.Stats(profiler, stream=stream)
        stats.strip_dirs().sort_stats(order).print_stats(lines)
        text = stream.getvalue()
        body = text[text.index("   ncalls") :] if "   ncalls" in text else text
        print("```")
        print(body.rstrip())
        print("```")
        print()


# --- orchestration -------------------------------------------------------------------------


def measure_raw(
    args: argparse.Namespace, anvil: Anvil, chain: Chain, conninfo: str, page: int
) -> tuple[list[Stage], list[tuple[int, int, str, dict[str, Any]]]]:
    specs = raw_specs()
    fetch = Stage("raw 1", f"`eth_getLogs` pages of {page} blocks, httpx + json", "logs", 0)
    decode = Stage("raw 2", "`eth_abi.decode` of data + topics", "events", 0)
    logs: list[dict[str, Any]] = []
    decoded: list[tuple[int, int, str, dict[str, Any]]] = []
    for _ in range(args.rounds):
        logs, seconds = raw_get_logs(anvil.url, chain, page)
        fetch.rounds.append(seconds)
    fetch.items = len(logs)
    if fetch.items != chain.events:
        raise BenchError(f"raw eth_getLogs found {fetch.items} logs, expected {chain.events}")
    for _ in range(args.rounds):
        decoded, seconds = raw_decode(logs, specs)
        decode.rounds.append(seconds)
    decode.items = len(decoded)
    return [fetch, decode], decoded


def measure_copy(args: argparse.Namespace, conninfo: str, rows: Sequence[tuple[Any, ...]]) -> Stage:
    copy = Stage(
        "raw 3", "binary COPY into emptied `chain_events` (PK + 2 indexes), commit", "rows", 0
    )
    for _ in range(args.rounds):
        copy.rounds.append(raw_copy(conninfo, rows))
    copy.items = len(rows)
    if len(stored_rows(conninfo)) != len(rows):
        raise BenchError("the COPY did not store every row")
    return copy


def measure(
    args: argparse.Namespace,
    platform: Platform,
    anvil: Anvil,
    chain: Chain,
    conninfo: str,
    *,
    max_blocks: int,
    page: int,
) -> None:
    """Ours, the raw stages, the checks, the main tables (printed at once); then the
    second pass with stage timers and, if asked or a goal is missed, the profiled one."""
    loads = [("before ours", os.getloadavg()[0])]
    rounds = []
    for round_number in range(args.rounds):
        if round_number:
            reset_index(conninfo)
        rounds.append(index_all(platform, chain.head))
    ours = replace(min(rounds, key=lambda r: r.seconds), rounds=[r.seconds for r in rounds])
    loads.append(("after ours", os.getloadavg()[0]))
    log(f"ours: {ours.events} events in {ours.seconds:.2f} s (best round); raw stages")
    stages, decoded = measure_raw(args, anvil, chain, conninfo, page)
    rows = check_ours(conninfo, platform, chain, ours, decoded)
    stages.append(measure_copy(args, conninfo, rows))
    loads.append(("after raw stages", os.getloadavg()[0]))
    pg = server_version(psycopg_url(args.database_url, "postgres"))
    print_header(args, pg, anvil, chain, max_blocks=max_blocks, page=page, loads=loads)
    print_results(ours, stages)
    sys.stdout.flush()
    log("ours again, with stage timers")
    detail = breakdown(platform, conninfo, chain.head)
    if detail.run.events != chain.events:
        raise BenchError(f"the second pass stored {detail.run.events} events")
    print_breakdown(detail)
    sys.stdout.flush()
    slowest = min(s.rate for s in stages)
    missed = ours.rate < GOAL_RATE or ours.rate < GOAL_RATIO * slowest
    if args.profile == "always" or (args.profile == "auto" and missed):
        log("ours again, under cProfile")
        profiler, run = profile(platform, conninfo, chain.head)
        if args.profile_out:
            profiler.dump_stats(str(args.profile_out))
        print_profile(profiler, run, args.profile_lines)


def run(args: argparse.Namespace) -> int:
    defaults = IndexerConfig(contracts=())
    max_blocks = args.max_blocks or defaults.max_blocks
    page = args.page_blocks or defaults.page_blocks
    with (
        tempfile.TemporaryDirectory(prefix="bench_indexer_") as scratch,
        throwaway_database(args.database_url, prefix="bench_indexer") as dbname,
    ):
        db_url = sqlalchemy_url(args.database_url, dbname)
        conninfo = psycopg_url(args.database_url, dbname)
        env = platform_env(db_url, str(Path(scratch) / "storage"))
        log(f"database {dbname}: migrating")
        migrate({**os.environ, **env})
        with running_anvil(Path(scratch), args.anvil_arg) as anvil:
            log(f"{anvil.version} at {anvil.url}; generating events")
            rpc = Rpc(anvil.url)
            try:
                chain = generate(rpc, args, page)
            finally:
                rpc.close()
            log(
                f"{chain.events} events in {chain.blocks} blocks generated in "
                f"{chain.setup_s + chain.send_s:.1f} s; measuring ours"
            )
            platform = make_platform(
                {**env, **chain_env(anvil.url, chain.deployment)}, max_blocks, page
            )
            try:
                measure(args, platform, anvil, chain, conninfo, max_blocks=max_blocks, page=page)
            finally:
                platform.close()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    install_signal_handlers()
    try:
        return run(args)
    except BenchError as exc:
        log(f"error: {exc}")
        return 1
    except (psycopg.Error, sa.exc.SQLAlchemyError) as exc:
        log(f"database error: {exc}")
        return 1
    except httpx.HTTPError as exc:
        log(f"node error: {exc!r}")
        return 1
    except KeyboardInterrupt:
        log("interrupted; anvil stopped and database dropped")
        return 130


if __name__ == "__main__":
    sys.exit(main())
