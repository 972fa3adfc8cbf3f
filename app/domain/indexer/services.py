"""Following the platform contracts: fetch logs, decode them, store each event once and
project it, move the checkpoint in the same transaction; detect reorganizations by
comparing stored block hashes with the node's canonical ones and roll their effects back.

Idempotent by construction: an event is projected only when it is stored for the first
time, and the checkpoint moves with the events it covers."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import Protocol, TypeVar

from app.domain.indexer.errors import NodeInconsistent
from app.domain.indexer.model import ChainEvent, Checkpoint, FollowedContract, StepResult
from app.domain.shared.chain import DEFAULT_CONFIRMATIONS, safe_block
from app.ports.chain import ChainReader, RawLog
from app.ports.repositories.indexer import IndexerUoW

log = logging.getLogger(__name__)

U = TypeVar("U", bound=IndexerUoW)
U_contra = TypeVar("U_contra", bound=IndexerUoW, contravariant=True)


class Projector(Protocol[U_contra]):
    """What stored events change in the other modules, inside the indexer's unit of work:
    `sign` +1 applies a batch of new events, -1 undoes orphaned ones (newest first). The
    unit is the union of every projected module's (see `app.domain.indexer.projection`)."""

    def __call__(self, events: list[ChainEvent], uow: U_contra, sign: int, /) -> None: ...


Decoder = Callable[[RawLog], ChainEvent | None]


@dataclass(frozen=True)
class IndexerConfig:
    contracts: Sequence[FollowedContract]
    confirmations: int = DEFAULT_CONFIRMATIONS
    reorg_window: int = 64
    max_blocks: int = 2000  # blocks per step (one transaction)
    page_blocks: int = 250  # blocks per log request inside a step
    start_block: int = 0


def index_step(
    *,
    uow: U,
    chain: ChainReader,
    decode: Decoder,
    project: Projector[U],
    config: IndexerConfig,
) -> StepResult:
    with uow:
        checkpoint = _checkpoint(uow, chain, config)
        if checkpoint.halted:
            uow.indexer.save_checkpoint(checkpoint)
            uow.commit()
            return StepResult(
                checkpoint.block_number, checkpoint.block_number, 0, 0, halted=checkpoint.halted
            )
        depth = _handle_reorg(uow, chain, checkpoint, project, config)
        if checkpoint.halted:
            uow.indexer.save_checkpoint(checkpoint)
            uow.commit()
            return StepResult(
                checkpoint.block_number, checkpoint.block_number, 0, 0, depth, checkpoint.halted
            )
        head = chain.head()
        start, end = (
            checkpoint.block_number + 1,
            min(head, checkpoint.block_number + config.max_blocks),
        )
        fetched = new = 0
        if end >= start:
            hashes: dict[int, str] = {}
            for events in _event_pages(chain, decode, config, start, end):
                fresh = uow.indexer.insert_events(events)
                if fresh:
                    project(fresh, uow, 1)
                hashes.update((e.block_number, e.block_hash) for e in events)
                fetched, new = fetched + len(events), new + len(fresh)
            header = chain.block(end)
            if header is None:
                raise NodeInconsistent("the node lost a block it just reported")
            hashes[end] = header.hash
            uow.indexer.record_blocks(hashes)
            checkpoint.block_number, checkpoint.block_hash = end, header.hash
        checkpoint.head_block = head
        checkpoint.safe_block = safe_block(head, config.confirmations)
        uow.indexer.save_checkpoint(checkpoint)
        uow.commit()
        return StepResult(start, max(end, start - 1), fetched, new, depth)


def _checkpoint(uow: IndexerUoW, chain: ChainReader, config: IndexerConfig) -> Checkpoint:
    chain_id = chain.chain_id()
    genesis = chain.block(0)
    genesis_hash = genesis.hash if genesis else ""
    checkpoint = uow.indexer.checkpoint_for_update()
    if checkpoint is None:
        return Checkpoint(chain_id, genesis_hash, config.start_block - 1, None)
    if (checkpoint.chain_id, checkpoint.genesis_hash) != (chain_id, genesis_hash):
        checkpoint.halted = (
            f"the node serves another chain (chain id {chain_id}, genesis {genesis_hash[:12]}…) "
            f"than the one indexed (chain id {checkpoint.chain_id}, genesis "
            f"{checkpoint.genesis_hash[:12]}…)"
        )
    return checkpoint


def _handle_reorg(
    uow: U,
    chain: ChainReader,
    checkpoint: Checkpoint,
    project: Projector[U],
    config: IndexerConfig,
) -> int:
    if checkpoint.block_hash is None:
        return 0
    current = chain.block(checkpoint.block_number)
    if current is not None and current.hash == checkpoint.block_hash:
        return 0
    fork = None
    for number, stored_hash in uow.indexer.recent_blocks(config.reorg_window):
        canonical = chain.block(number)
        if canonical is not None and canonical.hash == stored_hash:
            fork = (number, stored_hash)
            break
    if fork is None:
        checkpoint.halted = (
            f"chain reorganization deeper than the {config.reorg_window} blocks kept: "
            f"block {checkpoint.block_number} is no longer canonical; re-sync from an "
            "earlier block (POST /admin/indexer/resync)"
        )
        log.error(checkpoint.halted)
        return checkpoint.block_number
    fork_block, fork_hash = fork
    orphaned = uow.indexer.events_after(fork_block)
    if orphaned:
        project(list(reversed(orphaned)), uow, -1)
    uow.indexer.delete_after(fork_block)
    depth = checkpoint.block_number - fork_block
    log.warning("reorganization: rolled back %d events above block %d", len(orphaned), fork_block)
    checkpoint.block_number, checkpoint.block_hash = fork_block, fork_hash
    checkpoint.reorgs += 1
    return depth


def _event_pages(
    chain: ChainReader, decode: Decoder, config: IndexerConfig, start: int, end: int
) -> Iterator[list[ChainEvent]]:
    """The step's events page by page, each stored and projected before the next is read;
    the adapter may fetch and decode the next page meanwhile."""
    active = [c for c in config.contracts if c.from_block <= end and (c.to_block or end) >= start]
    if not active:
        return
    by_address: dict[str, list[FollowedContract]] = {}
    for contract in active:
        by_address.setdefault(contract.address.lower(), []).append(contract)

    def events_of(raw_logs: list[RawLog]) -> list[ChainEvent]:
        if not raw_logs:
            return []
        first = min(raw.block_number for raw in raw_logs)
        last = max(raw.block_number for raw in raw_logs)
        # Addresses one version covers over the whole page need no check per log.
        whole_page = {
            address
            for address, versions in by_address.items()
            if any(c.covers(first) and c.covers(last) for c in versions)
        }
        events = []
        for raw in raw_logs:
            address = raw.address.lower()
            if address not in whole_page and not any(
                c.covers(raw.block_number) for c in by_address.get(address, ())
            ):
                continue
            event = decode(raw)
            if event is not None:
                events.append(event)
        events.sort(key=_position)
        return events

    addresses = sorted({c.address for c in active})
    yield from chain.log_pages(start, end, addresses, config.page_blocks, events_of)


_position = attrgetter("block_number", "log_index")


def resync(from_block: int, *, uow: U, project: Projector[U]) -> int:
    """Forget everything indexed above `from_block - 1` (undoing its effects) so the next
    steps index it again; also clears a halt. Returns how many events were rolled back."""
    with uow:
        checkpoint = uow.indexer.checkpoint_for_update()
        if checkpoint is None:
            return 0
        keep = max(-1, from_block - 1)
        orphaned = uow.indexer.events_after(keep)
        if orphaned:
            project(list(reversed(orphaned)), uow, -1)
        uow.indexer.delete_after(keep)
        recent = [b for b in uow.indexer.recent_blocks(1) if b[0] <= keep]
        checkpoint.block_number = keep
        checkpoint.block_hash = recent[0][1] if recent else None
        checkpoint.halted = None
        uow.indexer.save_checkpoint(checkpoint)
        uow.commit()
        return len(orphaned)
