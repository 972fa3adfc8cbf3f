"""Repositories of the credit ledger."""

from __future__ import annotations

from typing import Protocol

from app.domain.credits.model import CreditBatch, Holding, Retirement
from app.ports.repositories.platform import PlatformUoW


class CreditRepository(Protocol):
    def add_batch(self, batch: CreditBatch) -> None: ...

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

    def add_retirement(self, retirement: Retirement) -> None: ...

    def get_retirement(self, retirement_id: str) -> Retirement | None: ...

    def retirement_for_update(self, retirement_id: str) -> Retirement | None: ...

    def pending_retirement_for(
        self, token_id: int, holder: str, serial_start: int, serial_end: int
    ) -> Retirement | None: ...

    def save_retirement(self, retirement: Retirement) -> None: ...


class CreditsUoW(PlatformUoW, Protocol):
    @property
    def credits(self) -> CreditRepository: ...
