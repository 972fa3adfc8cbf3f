"""In-memory storage of the indexer: events (their integer arguments kept as decimal
strings, as the SQL repository stores uint256 values), block hashes and the checkpoint."""

from __future__ import annotations

import copy

from app.domain.indexer.model import ChainEvent, Checkpoint


def _stored(event: ChainEvent) -> ChainEvent:
    args = {k: (str(v) if type(v) is int else v) for k, v in event.args.items()}
    return event._replace(args=args)


class FakeIndexerRepository:
    def __init__(self) -> None:
        self.checkpoint: Checkpoint | None = None
        self.events: dict[tuple[int, int], ChainEvent] = {}  # (block, log index) -> event
        self.blocks: dict[int, str] = {}

    def checkpoint_for_update(self) -> Checkpoint | None:
        return copy.deepcopy(self.checkpoint)

    def save_checkpoint(self, checkpoint: Checkpoint) -> None:
        self.checkpoint = copy.deepcopy(checkpoint)

    def insert_events(self, events: list[ChainEvent]) -> list[ChainEvent]:
        fresh = [e for e in events if e.position not in self.events]
        for event in fresh:
            self.events[event.position] = _stored(event)
        return fresh

    def events_after(self, block_number: int) -> list[ChainEvent]:
        return [self.events[p] for p in sorted(self.events) if p[0] > block_number]

    def delete_after(self, block_number: int) -> None:
        self.events = {p: e for p, e in self.events.items() if p[0] <= block_number}
        self.blocks = {n: h for n, h in self.blocks.items() if n <= block_number}

    def record_blocks(self, hashes: dict[int, str]) -> None:
        self.blocks.update(hashes)

    def recent_blocks(self, limit: int) -> list[tuple[int, str]]:
        return sorted(self.blocks.items(), reverse=True)[:limit]

    def has_transaction(self, tx_hash: str) -> bool:
        return any(e.transaction_hash == tx_hash for e in self.events.values())
