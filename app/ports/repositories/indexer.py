"""Storage of the indexer: events, block hashes of what was indexed, the checkpoint."""

from __future__ import annotations

from typing import Protocol

from app.domain.indexer.model import ChainEvent, Checkpoint
from app.ports.repositories.platform import PlatformUoW


class IndexerRepository(Protocol):
    def checkpoint_for_update(self) -> Checkpoint | None: ...

    def save_checkpoint(self, checkpoint: Checkpoint) -> None: ...

    def insert_events(self, events: list[ChainEvent]) -> list[ChainEvent]:
        """Store events not stored yet; returns those that were new (exactly once)."""
        ...

    def events_after(self, block_number: int) -> list[ChainEvent]:
        """Stored events above this block, in (block, log index) order."""
        ...

    def delete_after(self, block_number: int) -> None:
        """Forget events and block hashes above this block (they were orphaned)."""
        ...

    def record_blocks(self, hashes: dict[int, str]) -> None: ...

    def recent_blocks(self, limit: int) -> list[tuple[int, str]]:
        """(number, hash) of recorded blocks, newest first."""
        ...


class IndexerUoW(PlatformUoW, Protocol):
    @property
    def indexer(self) -> IndexerRepository: ...
