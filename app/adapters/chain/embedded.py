"""An in-process EVM (eth-tester + py-evm, auto-mining) with the platform contracts deployed.

eth-tester answers `eth_getLogs` by scanning the whole chain (tens of seconds for a few
hundred logs), so the reader here answers `logs()` from its own index instead: every write
goes through this adapter, and each mined receipt's logs are appended to the index once.
Calls into eth-tester are serialized by a lock: py-evm is not thread-safe."""

from __future__ import annotations

import threading
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from typing import Any

from eth_tester import EthereumTester, PyEVMBackend
from eth_tester.exceptions import TransactionFailed
from eth_utils.exceptions import ValidationError
from web3 import Web3
from web3.providers.eth_tester import EthereumTesterProvider
from web3.types import RPCEndpoint, RPCResponse

from app.adapters.chain.rpc import Deployment, Web3ChainReader, Web3RegistryOperator, deploy
from app.adapters.chain.transactions import NodeErrors
from app.ports.chain import RawLog, Receipt

# eth-tester raises these where a node answers with JSON-RPC errors (py-evm's
# ValidationError covers a wrong nonce); gas is not estimated (see NodeErrors.fixed_gas).
NODE_ERRORS = NodeErrors(
    reverted=(TransactionFailed,), refused=(ValidationError,), fixed_gas=8_000_000
)


class _LockedTesterProvider(EthereumTesterProvider):
    def __init__(self, tester: EthereumTester) -> None:
        super().__init__(tester)
        self.lock = threading.RLock()

    def make_request(self, method: RPCEndpoint, params: Any) -> RPCResponse:
        with self.lock:
            return super().make_request(method, params)


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
        self._seen: set[tuple[str, int]] = set()

    def add(self, receipt: Receipt) -> None:
        with self._lock:
            self.covered = max(self.covered, receipt.block_number)
            for log in receipt.logs:
                key = (log.block_hash, log.log_index)
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
                    self._seen.discard((log.block_hash, log.log_index))
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
    """The platform's chain in this process: `reader` (a `ChainReader`), `operator` (a
    `RegistryOperator`, the deployer's key), `deployment`, and test helpers."""

    def __init__(self, *, receipt_timeout: float = 30.0) -> None:
        backend = PyEVMBackend()
        self._tester = EthereumTester(backend, auto_mine_transactions=True)
        self._provider = _LockedTesterProvider(self._tester)
        self.w3 = Web3(self._provider)
        self.index = LogIndex()
        # The first pre-funded eth-tester account: private key 0x...01.
        self.operator_key = backend.account_keys[0].to_hex()
        self.deployment: Deployment = deploy(
            self.w3,
            self.operator_key,
            receipt_timeout=receipt_timeout,
            on_receipt=self.index.add,
            node_errors=NODE_ERRORS,
        )
        self.reader = EmbeddedChainReader(self.w3, self.index)
        self.operator = Web3RegistryOperator(
            self.w3,
            self.deployment.registry_address,
            self.deployment.governance_address,
            self.operator_key,
            receipt_timeout=receipt_timeout,
            on_receipt=self.index.add,
            node_errors=NODE_ERRORS,
        )

    @property
    def accounts(self) -> list[str]:
        """Pre-funded accounts (the first is the operator's)."""
        return [str(a) for a in self._tester.get_accounts()]

    def mine(self, blocks: int = 1) -> int:
        """Mines empty blocks; returns the new head."""
        with self._provider.lock:
            self._tester.mine_blocks(blocks)
            head = int(self._tester.get_block_by_number("latest")["number"])
            self.index.cover(head)
            return head

    def snapshot(self) -> int:
        with self._provider.lock:
            return int(self._tester.take_snapshot())

    def revert(self, snapshot_id: int) -> None:
        """Back to the snapshot: later blocks are gone (mine or write to grow a new branch).
        Call it with no write in flight: a receipt indexed after it would be orphaned."""
        with self._provider.lock:
            self._tester.revert_to_snapshot(snapshot_id)
            head = int(self._tester.get_block_by_number("latest")["number"])
            self.index.truncate(head)
        self.operator.forget_nonce()
