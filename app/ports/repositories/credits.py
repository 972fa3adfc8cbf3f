"""Repositories of the credit ledger."""

from __future__ import annotations

from typing import Protocol

from app.domain.credits.model import CreditBatch, Holding, Retirement
from app.ports.repositories.platform import PlatformUoW


class CreditRepository(Protocol):
    def add_batch(self, batch: CreditBatch) -> None: ...

    def get_batch(self, batch_id: str) -> CreditBatch | None: ...

    def batch_by_token_for_update(self, token_id: int) -> CreditBatch | None: ...

    def batches_for(self, project_id: str, vintage: int | None) -> list[CreditBatch]: ...

    def save_batch(self, batch: CreditBatch) -> None: ...

    def next_serial(self) -> int:
        """The first serial after every batch's range (callers hold the allocation lock)."""
        ...

    def next_token_id(self) -> int: ...

    def lock_allocation(self) -> None:
        """Serialize serial and token id allocation until the end of the transaction."""
        ...

    def holding_for_update(self, address: str, token_id: int) -> Holding:
        """The holding, created empty if absent, locked."""
        ...

    def save_holding(self, holding: Holding) -> None: ...

    def add_to_holdings(
        self, onchain: dict[tuple[str, int], int], pending: dict[tuple[str, int], int]
    ) -> None:
        """Add kilograms to the on-chain amount (`onchain`) and to what pending operations
        reserve (`pending`, never below zero) of each (address, token id), creating
        holdings as needed: each holding written once, in as few statements as possible."""
        ...

    def add_retirement(self, retirement: Retirement) -> None: ...

    def get_retirement(self, retirement_id: str) -> Retirement | None: ...

    def retirement_for_update(self, retirement_id: str) -> Retirement | None: ...

    def pending_retirement_for(
        self, token_id: int, holder: str, kg_start: int, kg_end: int
    ) -> Retirement | None:
        """The retirement (not failed) of exactly this holder's kilogram range, locked."""
        ...

    def save_retirement(self, retirement: Retirement) -> None: ...

    def list_retirements(
        self, owner_kind: str | None, owner_ids: list[str] | None, offset: int, limit: int
    ) -> tuple[list[Retirement], int]:
        """Newest first, the page from `offset` and how many there are in all; `owner_ids`
        None means every owner (admins)."""
        ...

    def custodial_address(self, owner_kind: str, owner_id: str) -> str | None: ...

    def indexed_transaction(self, tx_hash: str) -> bool:
        """Whether the indexer stored an event of this transaction."""
        ...

    def add_custodial(
        self, owner_kind: str, owner_id: str, address: str, encrypted_key: bytes, key_id: str
    ) -> None: ...

    def project_for_key(self, project_key: str) -> str | None: ...

    def chain_key_of(self, project_id: str) -> str | None: ...

    def record_project_key(
        self, project_key: str, project_id: str, register_tx: str | None
    ) -> None: ...

    def project_registered(self, project_id: str) -> bool:
        """Whether the project's record was sent to the chain (its register_tx is known)."""
        ...

    def mark_project_registered(self, project_id: str, register_tx: str) -> None: ...


class CreditsUoW(PlatformUoW, Protocol):
    @property
    def credits(self) -> CreditRepository: ...
