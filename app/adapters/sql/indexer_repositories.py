"""SQL repository of the chain indexer: its checkpoint, the indexed events and the
recent block hashes it checks for reorganisations."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.adapters.sql.tables_chain import chain_blocks, chain_checkpoints, chain_events
from app.domain.indexer.model import ChainEvent, Checkpoint


class SqlIndexerRepository:
    def __init__(self, db: Session) -> None:
        self._db = db

    def checkpoint_for_update(self) -> Checkpoint | None:
        query = sa.select(chain_checkpoints).where(chain_checkpoints.c.id == 1).with_for_update()
        row = self._db.execute(query).first()
        if row is None:
            return None
        data = dict(row._mapping)
        data.pop("id")
        return Checkpoint(**data)

    def save_checkpoint(self, checkpoint: Checkpoint) -> None:
        values = asdict(checkpoint)
        # On the session's connection, whose result is typed as the CursorResult (with its
        # rowcount) a DML statement gets; Session.execute() is typed as a plain Result.
        updated = self._db.connection().execute(
            sa.update(chain_checkpoints).where(chain_checkpoints.c.id == 1).values(values)
        )
        if updated.rowcount == 0:
            self._db.execute(sa.insert(chain_checkpoints).values(id=1, **values))

    def insert_events(self, events: list[ChainEvent]) -> list[ChainEvent]:
        if not events:
            return []
        existing = {
            (r.block_number, r.log_index)
            for r in self._db.execute(
                sa.select(chain_events.c.block_number, chain_events.c.log_index).where(
                    chain_events.c.block_number.between(
                        events[0].block_number, events[-1].block_number
                    )
                )
            )
        }
        fresh = [e for e in events if e.position not in existing]
        if not fresh:
            return fresh
        connection = self._db.connection()
        if connection.dialect.name == "postgresql":
            _copy_events(connection.connection.driver_connection, fresh)
        else:
            self._db.execute(sa.insert(chain_events), [_event_row(e) for e in fresh])
        return fresh

    def events_after(self, block_number: int) -> list[ChainEvent]:
        rows = self._db.execute(
            sa.select(chain_events)
            .where(chain_events.c.block_number > block_number)
            .order_by(chain_events.c.block_number, chain_events.c.log_index)
        )
        return [
            ChainEvent(
                r.name,
                dict(r.args),
                r.address,
                int(r.block_number),
                r.block_hash,
                r.tx_hash,
                r.log_index,
            )
            for r in rows
        ]

    def delete_after(self, block_number: int) -> None:
        self._db.execute(sa.delete(chain_events).where(chain_events.c.block_number > block_number))
        self._db.execute(sa.delete(chain_blocks).where(chain_blocks.c.number > block_number))

    def record_blocks(self, hashes: dict[int, str]) -> None:
        if not hashes:
            return
        numbers = list(hashes)
        self._db.execute(sa.delete(chain_blocks).where(chain_blocks.c.number.in_(numbers)))
        self._db.execute(
            sa.insert(chain_blocks), [{"number": n, "hash": h} for n, h in hashes.items()]
        )

    def recent_blocks(self, limit: int) -> list[tuple[int, str]]:
        rows = self._db.execute(
            sa.select(chain_blocks.c.number, chain_blocks.c.hash)
            .order_by(chain_blocks.c.number.desc())
            .limit(limit)
        )
        return [(int(r.number), r.hash) for r in rows]


def _stored_args(event: ChainEvent) -> dict[str, Any]:
    """Integers as strings: uint256 values do not fit JSON numbers."""
    return {
        k: (str(v) if type(v) is int else v)  # bool is stored as a JSON boolean
        for k, v in event.args.items()
    }


def _event_row(event: ChainEvent) -> dict[str, Any]:
    return {
        "block_number": event.block_number,
        "log_index": event.log_index,
        "block_hash": event.block_hash,
        "tx_hash": event.transaction_hash,
        "address": event.address,
        "name": event.name,
        "args": _stored_args(event),
    }


_COPY_EVENTS = (
    "COPY chain_events (block_number, log_index, block_hash, tx_hash, address, name, args) "
    "FROM STDIN"
)


def _copy_events(driver_connection: Any, events: list[ChainEvent]) -> None:
    """COPY on the session's own connection, inside its transaction: several times faster
    than a multi-row INSERT for the thousands of events of a backfill step. The rows are
    written as COPY text built here (orjson for the arguments), which costs less than
    adapting each value on its own."""
    data = "".join(
        f"{e.block_number:d}\t{e.log_index:d}\t{_copy_text(e.block_hash)}\t"
        f"{_copy_text(e.transaction_hash)}\t{_copy_text(e.address)}\t{_copy_text(e.name)}\t"
        f"{_copy_text(orjson.dumps(_stored_args(e)).decode())}\n"
        for e in events
    )
    with driver_connection.cursor() as cursor, cursor.copy(_COPY_EVENTS) as copy:
        copy.write(data.encode())


def _copy_text(value: str) -> str:
    """A value in COPY's text format: backslash, tab, newline and carriage return escaped
    (orjson already escapes control characters inside JSON strings)."""
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return (
            value.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return value
