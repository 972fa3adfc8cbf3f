"""A decoded event of the platform contracts, as every module sees it, and the
confirmation-depth rule: how deep under the chain's head a block must be before what
happened in it counts as confirmed."""

from __future__ import annotations

from typing import Literal, NamedTuple

# Blocks a transaction must be buried under before it counts (CHAIN_CONFIRMATIONS); the
# embedded chain, which mines a block per transaction only, is configured with none.
DEFAULT_CONFIRMATIONS = 2
DepthStatus = Literal["confirmed", "pending"]


def safe_block(head: int, confirmations: int) -> int:
    """The highest block at least `confirmations` deep under `head`."""
    return max(0, head - confirmations)


def depth_status(block: int | None, safe: int | None) -> DepthStatus:
    """`confirmed` for a block at or below the safe block, else `pending` (also when the
    block is not known yet, or when nothing was indexed: `safe` is None)."""
    if block is None or safe is None or block > safe:
        return "pending"
    return "confirmed"


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
