"""A decoded event of the platform contracts, as every module sees it."""

from __future__ import annotations

from typing import NamedTuple


class ChainEvent(NamedTuple):
    """Immutable; a named tuple rather than a frozen dataclass because a backfill builds
    tens of thousands per second and a frozen dataclass costs three times as much to
    build."""

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
