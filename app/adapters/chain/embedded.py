"""An in-process EVM (eth-tester + py-evm, auto-mining) with the platform contracts deployed.

eth-tester answers `eth_getLogs` by scanning the whole chain (tens of seconds for a few
hundred logs), so the reader here answers `logs()` from its own index instead: after every
call into the chain, the logs of the blocks it mined are added to the index once.
Calls into eth-tester are serialized by a lock: py-evm is not thread-safe.

With a `path`, the chain lives in a file there (see `chain_store`): reopened from its head,
contracts not deployed again, one process at a time (see `chain_lock`); each call that
mined a block is committed to disk, with the block's logs, before it answers."""

from __future__ import annotations

import threading
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from eth.db.backends.memory import MemoryDB
from eth_tester import EthereumTester
from eth_tester.exceptions import TransactionFailed
from eth_utils.exceptions import ValidationError
from web3 import Web3
from web3.providers.eth_tester import EthereumTesterProvider
from web3.providers.eth_tester.defaults import API_ENDPOINTS
from web3.types import RPCEndpoint, RPCResponse, Wei

from app.adapters.chain.chain_lock import ChainDirLock
from app.adapters.chain.chain_store import CHAIN_FILE, SqliteChainStore
from app.adapters.chain.evm import OpenedBackend, block_logs, canonical_head, open_chain
from app.adapters.chain.governance import upgraded_governance
from app.adapters.chain.rpc import Deployment, Web3ChainReader, Web3RegistryCalls, deploy
from app.adapters.chain.transactions import NodeErrors, Web3ChainWriter
from app.ports.chain import RawLog, Receipt

# eth-tester raises these where a node answers with JSON-RPC errors (py-evm's
# ValidationError covers a wrong nonce); gas is not estimated (see NodeErrors.fixed_gas).
NODE_ERRORS = NodeErrors(
    reverted=(TransactionFailed,), refused=(ValidationError,), fixed_gas=8_000_000
)


DEFAULT_CHAIN_ID = 31337


class _LockedTesterProvider(EthereumTesterProvider):
    """One call at a time; `settle` runs after each one, still under the lock, so nobody
    sees a block before its logs are indexed and it is on disk. `eth_chainId` answers the
    chain's own id (web3's tester endpoints hard-code eth-tester's default)."""

    def __init__(
        self,
        tester: EthereumTester,
        chain_id: int,
        lock: threading.RLock,
        settle: Callable[[], None],
    ) -> None:
        answer: Callable[..., int] = lambda *_args: chain_id  # noqa: E731
        endpoints = {**API_ENDPOINTS, "eth": {**API_ENDPOINTS["eth"], "chainId": answer}}
        super().__init__(tester, api_endpoints=endpoints)
        self.lock = lock
        self._settle = settle

    def make_request(self, method: RPCEndpoint, params: Any) -> RPCResponse:
        with self.lock:
            try:
                return super().make_request(method, params)
            finally:
                self._settle()


class LogIndex:
    """Logs by block number, as the receipts of the adapter's own transactions brought
    them; `truncate` forgets blocks a snapshot revert took away. `covered` is the highest
    block whose logs are in the index: a block is mined before its receipt is added, and
    the reader must not report it as the head before then (an indexer would move past it
    and miss its logs)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.covered = 0
        self._numbers: list[int] = []  # ascending block numbers that have logs
        self._blocks: dict[int, list[tuple[str, RawLog]]] = {}  # (lowercase address, log)
        self._seen: set[tuple[str, str, int]] = set()

    def add(self, receipt: Receipt) -> None:
        self.add_logs(receipt.logs, receipt.block_number)

    def add_logs(self, logs: Iterable[RawLog], through: int) -> None:
        """These logs, and blocks up to `through` are covered."""
        with self._lock:
            self.covered = max(self.covered, through)
            for log in logs:
                key = (log.block_hash, log.transaction_hash, log.log_index)
                if key in self._seen:
                    continue
                self._seen.add(key)
                entries = self._blocks.get(log.block_number)
                if entries is None:
                    entries = self._blocks[log.block_number] = []
                    at = bisect_left(self._numbers, log.block_number)
                    self._numbers.insert(at, log.block_number)
                entries.append((log.address.lower(), log))
                entries.sort(key=lambda entry: entry[1].log_index)

    def cover(self, head: int) -> None:
        """Blocks up to `head` hold nothing more to add (mined empty, or reverted to)."""
        with self._lock:
            self.covered = max(self.covered, head)

    def truncate(self, head: int) -> None:
        with self._lock:
            self.covered = head
            cut = bisect_right(self._numbers, head)
            for number in self._numbers[cut:]:
                for _, log in self._blocks.pop(number):
                    self._seen.discard((log.block_hash, log.transaction_hash, log.log_index))
            del self._numbers[cut:]

    def logs(self, from_block: int, to_block: int, addresses: Sequence[str]) -> list[RawLog]:
        wanted = {a.lower() for a in addresses}
        with self._lock:
            numbers = self._numbers[
                bisect_left(self._numbers, from_block) : bisect_right(self._numbers, to_block)
            ]
            return [log for n in numbers for address, log in self._blocks[n] if address in wanted]


class EmbeddedChainReader(Web3ChainReader):
    """`ChainReader` of the embedded chain: blocks and receipts from eth-tester, logs from
    the index."""

    def __init__(self, w3: Web3, index: LogIndex) -> None:
        super().__init__(w3)
        self._index = index

    def head(self) -> int:
        return min(super().head(), self._index.covered)

    _prefetch = False  # logs come from memory: nothing to overlap

    def _get_logs(self, start: int, end: int, addresses: Sequence[str]) -> list[RawLog]:
        return self._index.logs(start, end, addresses)


class EmbeddedChain:
    """The platform's chain in this process: `reader` (a `ChainReader`), `calls` (the
    platform contracts' calls), `writer` (a `ChainWriter` with the deployer's key),
    `deployment`, and test helpers. `path=None` keeps it in memory; with a folder it is
    kept in a file there (`lock`: this process's hold on that folder, taken if not given).
    A chain file keeps the chain id it was created with (`chain_id` applies to new ones)."""

    def __init__(
        self,
        *,
        path: str | Path | None = None,
        chain_id: int = DEFAULT_CHAIN_ID,
        receipt_timeout: float = 30.0,
        lock: ChainDirLock | None = None,
    ) -> None:
        self.path = Path(path) if path is not None else None
        if lock is None and self.path is not None:
            lock = ChainDirLock.acquire(self.path)
        self._hold = lock
        self._closed = False
        self._lock = threading.RLock()
        self._store = SqliteChainStore(self.path / CHAIN_FILE) if self.path is not None else None
        try:
            self._start(chain_id, receipt_timeout)
        except BaseException:
            self.close()
            raise

    def _start(self, chain_id: int, receipt_timeout: float) -> None:
        self.chain_id = self._open(chain_id)
        self._provider = _LockedTesterProvider(
            self._tester, self.chain_id, self._lock, self._settle
        )
        self.w3 = Web3(self._provider)
        # The first pre-funded eth-tester account: private key 0x...01.
        self.operator_key = self._backend.account_keys[0].to_hex()
        self.writer = Web3ChainWriter(
            self.w3, self.operator_key, on_receipt=self.index.add, node_errors=NODE_ERRORS
        )
        self.deployment: Deployment = self._deployment(receipt_timeout)
        self.reader = EmbeddedChainReader(self.w3, self.index)
        self.calls = Web3RegistryCalls(
            self.deployment.registry_address, self.deployment.governance_address
        )

    def _open(self, chain_id: int) -> int:
        """Opens (or creates) the EVM and loads the log index; returns the chain id."""
        store = self._store
        if store is not None:
            chain_id = int(store.record("chain_id") or chain_id)
        evm = open_chain(store if store is not None else MemoryDB(), chain_id)
        self._backend = OpenedBackend(evm)
        self._tester = EthereumTester(self._backend, auto_mine_transactions=True)
        self.index = LogIndex()
        self._indexed = 0
        if store is not None:
            store.set_record("chain_id", chain_id)
            self._indexed = int(store.record("logs_through") or 0)
            self.index.add_logs(store.logs(), self._indexed)
        self._settle()  # catches the index up with blocks mined after it was saved
        return chain_id

    def _deployment(self, receipt_timeout: float) -> Deployment:
        """The recorded deployment of this chain file, or a new one (recorded)."""
        recorded = self._store.record("deployment") if self._store is not None else None
        if recorded:
            kept = Deployment(**recorded)  # a file older than governance v2 gets it beside
            upgrade = upgraded_governance(self.writer, kept, timeout=receipt_timeout)
            if upgrade is None:
                return kept
            deployment = upgrade[0]
        else:
            deployment = deploy(self.writer, timeout=receipt_timeout)
        if self._store is not None:
            with self._lock:
                self._store.set_record("deployment", asdict(deployment))
                self._store.commit()
        return deployment

    def _settle(self) -> None:
        """After each call into the chain: index the logs of the blocks it mined (or forget
        those a revert took away), then commit it all to the chain file at once."""
        store = self._store
        if self._closed or (store is not None and not store.dirty):
            return
        chain = self._backend.chain
        head = canonical_head(chain)
        if head < self._indexed:
            self.index.truncate(head)
            if store is not None:
                store.drop_logs_after(head)
        for number in range(self._indexed + 1, head + 1):
            logs = block_logs(chain, number)
            if store is not None and logs:
                store.add_logs(logs)
            self.index.add_logs(logs, number)
        self._indexed = head
        self.index.cover(head)
        if store is not None:
            store.set_record("logs_through", head)
            store.commit()

    def file_replaced(self) -> bool:
        """The chain file was deleted or replaced under this open chain."""
        with self._lock:
            return self._store is not None and not self._closed and self._store.replaced()

    def close(self) -> None:
        """Commit and let go of the chain file (another process may then open it)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            if self._store is not None:
                self._store.close()
            if self._hold is not None:
                self._hold.release()

    @property
    def accounts(self) -> list[str]:
        """Pre-funded accounts (the first is the operator's)."""
        return [str(a) for a in self._tester.get_accounts()]

    def send_coins(self, to: str, wei: int) -> str:
        """A plain transfer of `wei` from the second pre-funded account (the first is the
        operator's) to `to`, mined at once; its transaction hash."""
        sent = self.w3.eth.send_transaction(
            {"from": self.accounts[1], "to": Web3.to_checksum_address(to), "value": Wei(wei)}
        )
        return sent.to_0x_hex()

    def mine(self, blocks: int = 1) -> int:
        """Mines empty blocks; returns the new head."""
        with self._lock:
            self._tester.mine_blocks(blocks)
            self._settle()
            return self._indexed

    def time_travel(self, timestamp: int) -> None:  # mines an empty block at `timestamp`
        with self._lock:
            self._tester.time_travel(timestamp)
            self._settle()

    def snapshot(self) -> int:
        with self._lock:
            return int(self._tester.take_snapshot())

    def revert(self, snapshot_id: int) -> None:
        """Back to the snapshot: later blocks are gone (mine or write to grow a new branch).
        Call it with no write in flight: a receipt indexed after it would be orphaned."""
        with self._lock:
            self._tester.revert_to_snapshot(snapshot_id)
            self._settle()
