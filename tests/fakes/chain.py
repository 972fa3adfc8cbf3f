"""In-memory chain writes: the write-ahead log's repository and a node that mines on
demand (`mine_pending`), refusing a reused nonce as real nodes do. Given a `FakeChain`,
the node mines each transaction into a block of it, with the registry's events."""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Sequence

from app.domain.chain.errors import CallReverted, NonceTaken
from app.domain.chain.model import ChainTransaction, ContractCall, Fees, SignedTransaction
from app.ports.chain import Receipt
from tests.fakes.platform import FakeUnitOfWork
from tests.fakes.registry import FakeChain, registry_events


class FakeChainTransactionRepository:
    def __init__(self) -> None:
        self.rows: dict[str, ChainTransaction] = {}
        self.counters: dict[tuple[int, str], int] = {}

    def get(self, intent: str) -> ChainTransaction | None:
        return copy.deepcopy(self.rows.get(intent))

    def get_for_update(self, intent: str) -> ChainTransaction | None:
        return self.get(intent)

    def add(self, tx: ChainTransaction) -> None:
        taken = {(t.chain_id, t.sender, t.nonce) for t in self.rows.values()}
        if tx.intent in self.rows or (tx.chain_id, tx.sender, tx.nonce) in taken:
            raise ValueError("unique constraint")
        self.rows[tx.intent] = copy.deepcopy(tx)

    def save(self, tx: ChainTransaction) -> None:
        self.rows[tx.intent] = copy.deepcopy(tx)

    def allocate_nonce(self, chain_id: int, sender: str, floor: int) -> int:
        nonce = max(self.counters.get((chain_id, sender), 0), floor)
        self.counters[(chain_id, sender)] = nonce + 1
        return nonce

    def recent(self, offset: int, limit: int) -> tuple[list[ChainTransaction], int]:
        rows = sorted(self.rows.values(), key=lambda t: t.created_at, reverse=True)
        return rows[offset : offset + limit], len(rows)


class FakeChainUoW(FakeUnitOfWork):
    REPOSITORIES = (*FakeUnitOfWork.REPOSITORIES, "chain_txs")

    def __init__(self) -> None:
        self.chain_txs = FakeChainTransactionRepository()
        super().__init__()


class FakeNode:
    """A `ChainWriter` over an in-memory node: what is broadcast waits in the pool until
    `mine_pending()`; one transaction per nonce is ever mined."""

    chain_id = 31337
    sender = "0x00000000000000000000000000000000000000A1"

    def __init__(
        self, *, revert: str | None = None, automine: bool = True, chain: FakeChain | None = None
    ) -> None:
        self.revert, self.automine, self.chain = revert, automine, chain
        self.signed: dict[str, tuple[int, bytes]] = {}  # hash -> (nonce, raw)
        self.calls: dict[str, ContractCall] = {}  # hash -> what it calls
        self.pool: dict[int, str] = {}  # nonce -> hash
        self.mined: dict[str, Receipt] = {}
        self.broadcasts: list[str] = []
        self.next_nonce = 0
        self.block = 0
        self.receipts_lag = 0  # reads that find no receipt of a mined transaction yet

    def preflight(self, call: ContractCall) -> int:
        if self.revert:
            raise CallReverted(call.action, self.revert)
        return 100_000

    def fees(self) -> Fees:
        return Fees(2_000_000_000, 1_000_000_000)

    def account_nonce(self) -> int:
        return self.next_nonce + len(self.pool)

    def sign(self, call: ContractCall, *, nonce: int, gas: int, fees: Fees) -> SignedTransaction:
        raw = repr((call, nonce, gas, fees)).encode()
        tx_hash = "0x" + hashlib.sha256(raw).hexdigest()
        self.signed[tx_hash] = (nonce, raw)
        self.calls[tx_hash] = call
        return SignedTransaction(raw, tx_hash)

    def broadcast(self, raw: bytes) -> None:
        tx_hash = next(h for h, (_, r) in self.signed.items() if r == raw)
        nonce = self.signed[tx_hash][0]
        self.broadcasts.append(tx_hash)
        if nonce < self.next_nonce:
            raise NonceTaken(f"nonce too low: {nonce}")
        self.pool[nonce] = tx_hash  # a replacement takes the nonce's place in the pool
        if self.automine:
            self.mine_pending()

    def mine_pending(self) -> None:
        while self.next_nonce in self.pool:
            tx_hash = self.pool.pop(self.next_nonce)
            self.mined[tx_hash] = self._mine(tx_hash)
            self.next_nonce += 1

    def _mine(self, tx_hash: str) -> Receipt:
        if self.chain is not None:
            return self.chain.mine(*registry_events(self.calls[tx_hash]), tx_hash=tx_hash)
        self.block += 1
        return Receipt(tx_hash, 1, self.block, f"0x{self.block:064x}", ())

    def find_receipt(self, hashes: Sequence[str]) -> Receipt | None:
        if self.receipts_lag > 0:  # mined, not readable yet (a busy node)
            self.receipts_lag -= 1
            return None
        return next((self.mined[h] for h in hashes if h in self.mined), None)

    def wait_for_receipt(self, hashes: Sequence[str], timeout: float) -> Receipt | None:
        return self.find_receipt(hashes)
