"""A decoded event of the platform contracts, as every module sees it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ChainEvent:
    name: str
    args: dict[str, object]
    address: str
    block_number: int
    block_hash: str
    transaction_hash: str
    log_index: int

    @property
    def position(self) -> tuple[int, int]:
        return self.block_number, self.log_index
