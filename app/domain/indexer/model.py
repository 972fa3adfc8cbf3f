"""What the indexer keeps: decoded chain events, the checkpoint, followed contracts."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.domain.shared.chain import ChainEvent

__all__ = ["ChainEvent", "Checkpoint", "FollowedContract", "StepResult"]


@dataclass(frozen=True)
class FollowedContract:
    """One deployed version of a platform contract, followed from `from_block` (and up to
    `to_block` once it was replaced by an upgrade)."""

    address: str
    name: str
    from_block: int
    to_block: int | None = None

    def covers(self, block: int) -> bool:
        return block >= self.from_block and (self.to_block is None or block <= self.to_block)


@dataclass
class Checkpoint:
    chain_id: int
    genesis_hash: str
    block_number: int  # last block fully indexed
    block_hash: str | None
    head_block: int = 0
    safe_block: int = 0
    reorgs: int = 0
    halted: str | None = None


@dataclass(frozen=True)
class StepResult:
    from_block: int
    to_block: int
    events: int
    new_events: int
    reorg_depth: int = 0
    halted: str | None = None
    extra: dict[str, int] = field(default_factory=dict)
