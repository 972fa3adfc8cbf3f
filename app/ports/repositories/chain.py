"""Repository of the signed chain transactions (the write-ahead log of chain writes)."""

from __future__ import annotations

from typing import Protocol

from app.domain.chain.model import ChainTransaction
from app.ports.repositories.platform import PlatformUoW


class ChainTransactionRepository(Protocol):
    def get(self, intent: str) -> ChainTransaction | None: ...

    def get_for_update(self, intent: str) -> ChainTransaction | None:
        """The transaction of this intent, locked until the end of the unit."""
        ...

    def add(self, tx: ChainTransaction) -> None:
        """Store a new transaction (one per intent, one per sender and nonce)."""
        ...

    def save(self, tx: ChainTransaction) -> None: ...

    def allocate_nonce(self, chain_id: int, sender: str, floor: int) -> int:
        """The sender's next nonce: the larger of the stored counter and `floor` (the node's
        count), counted on. The counter row stays locked until the end of the unit, so
        processes, threads and restarts never hand out a nonce twice or skip one."""
        ...

    def recent(self, offset: int, limit: int) -> tuple[list[ChainTransaction], int]:
        """Newest first, and how many there are."""
        ...


class ChainUoW(PlatformUoW, Protocol):
    @property
    def chain_txs(self) -> ChainTransactionRepository: ...
