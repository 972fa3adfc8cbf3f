"""The embedded chain's file: py-evm's key-value database, the log index and a few
records (the deployment, the chain id) in one SQLite file, so that all three move
together in one transaction.

py-evm writes trie nodes, headers, receipts and the canonical head as separate keys; here
they collect in an open SQLite transaction that `commit()` ends. The embedded chain
commits once per request that changed something, before it answers, so a block whose
receipt was handed out is on disk (`synchronous=FULL`: it survives a power cut too), and
a crash half-way through mining leaves the previous head intact.

Not thread-safe on its own: the embedded chain calls it under its provider lock."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from eth.db.backends.base import BaseDB

from app.ports.chain import RawLog

CHAIN_FILE = "chain.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS kv (key BLOB PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS logs (
    block_number INTEGER NOT NULL,
    transaction_hash TEXT NOT NULL,
    log_index INTEGER NOT NULL,
    block_hash TEXT NOT NULL,
    address TEXT NOT NULL,
    topics TEXT NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (block_number, transaction_hash, log_index)
);
"""


def chain_files(directory: Path) -> list[Path]:
    """The chain file and SQLite's companions (write-ahead log, shared memory)."""
    base = directory / CHAIN_FILE
    return [base, base.with_name(CHAIN_FILE + "-wal"), base.with_name(CHAIN_FILE + "-shm")]


def discard_chain_files(directory: Path) -> list[Path]:
    """Delete the chain file (with the chain closed); returns what was there."""
    removed = [path for path in chain_files(directory) if path.exists()]
    for path in removed:
        path.unlink()
    return removed


def _identity(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_dev, stat.st_ino


class SqliteChainStore(BaseDB):
    """py-evm's `DatabaseAPI` over a SQLite file, plus the chain's own records."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)
        self._identity = _identity(path)

    def replaced(self) -> bool:
        """The file at `path` is no longer the one open here (deleted, or another put in
        its place): what this process writes now goes to a file nobody will reopen."""
        try:
            return _identity(self.path) != self._identity
        except FileNotFoundError:
            return True

    # --- py-evm's key-value interface ---------------------------------------------------

    def __getitem__(self, key: bytes) -> bytes:
        row = self._db.execute("SELECT value FROM kv WHERE key = ?", (key,)).fetchone()
        if row is None:
            raise KeyError(key)
        return bytes(row[0])

    def __setitem__(self, key: bytes, value: bytes) -> None:
        self._begin()
        self._db.execute("INSERT OR REPLACE INTO kv (key, value) VALUES (?, ?)", (key, value))

    def __delitem__(self, key: bytes) -> None:
        self._begin()
        if self._db.execute("DELETE FROM kv WHERE key = ?", (key,)).rowcount == 0:
            raise KeyError(key)

    def _exists(self, key: bytes) -> bool:
        return self._db.execute("SELECT 1 FROM kv WHERE key = ?", (key,)).fetchone() is not None

    # --- transactions ---------------------------------------------------------------------

    @property
    def dirty(self) -> bool:
        """Writes since the last commit."""
        return self._db.in_transaction

    def commit(self) -> None:
        if self._db.in_transaction:
            self._db.execute("COMMIT")

    def rollback(self) -> None:
        if self._db.in_transaction:
            self._db.execute("ROLLBACK")

    def close(self) -> None:
        self.commit()
        self._db.close()

    def _begin(self) -> None:
        if not self._db.in_transaction:
            self._db.execute("BEGIN IMMEDIATE")

    # --- records --------------------------------------------------------------------------

    def record(self, name: str) -> Any:
        row = self._db.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return None if row is None else json.loads(row[0])

    def set_record(self, name: str, value: Any) -> None:
        self._begin()
        self._db.execute(
            "INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)", (name, json.dumps(value))
        )

    # --- the log index ----------------------------------------------------------------------

    def add_logs(self, logs: list[RawLog]) -> None:
        self._begin()
        self._db.executemany(
            "INSERT OR IGNORE INTO logs VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    log.block_number,
                    log.transaction_hash,
                    log.log_index,
                    log.block_hash,
                    log.address,
                    json.dumps(log.topics),
                    log.data,
                )
                for log in logs
            ],
        )

    def drop_logs_after(self, block_number: int) -> None:
        self._begin()
        self._db.execute("DELETE FROM logs WHERE block_number > ?", (block_number,))

    def logs(self) -> Iterator[RawLog]:
        rows = self._db.execute(
            "SELECT address, topics, data, block_number, block_hash, transaction_hash, "
            "log_index FROM logs ORDER BY block_number, log_index"
        )
        for address, topics, data, number, block_hash, tx_hash, index in rows:
            yield RawLog(address, tuple(json.loads(topics)), bytes(data), number, block_hash,
                         tx_hash, index)  # fmt: skip
