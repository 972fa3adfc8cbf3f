"""Engines and sessions. Writes go through a session the unit of work owns; reads that
feed screens use an autocommit connection, so they pay for no BEGIN/ROLLBACK.

On SQLite the write engine takes transaction control away from the `sqlite3` module and
starts every transaction with `BEGIN IMMEDIATE`. SQLite has one writer at a time and
ignores `SELECT ... FOR UPDATE`; with the module's own deferred BEGIN two units read the
same state, and the one that writes second fails at once with "database is locked" (a
read snapshot cannot be upgraded, so the busy timeout does not help). Taking the write
lock up front makes a unit wait its turn (up to the busy timeout) and then read the state
the previous unit committed, which is what `get_for_update` promises on PostgreSQL."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

BUSY_TIMEOUT_MS = 10_000


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.close()


def _sqlite_own_transactions(dbapi_conn: Any, _record: Any) -> None:
    """No implicit BEGIN from `sqlite3` (its legacy mode, still the default on Python 3.12+
    where `autocommit` is LEGACY_TRANSACTION_CONTROL): `_sqlite_begin` emits it. COMMIT and
    ROLLBACK still go through the module, which sends them whenever a transaction is open."""
    dbapi_conn.isolation_level = None


_LOCK_OWNER = "write_lock_owner"


class _WriteLocks(threading.local):
    """The SQLite connections this thread began an IMMEDIATE transaction on and may still
    hold the write lock with. A pooled connection can since have been committed and taken
    by another thread: every BEGIN stamps the pooled connection with a fresh owner token,
    and an entry counts only while the stamp is still its own and a transaction is open."""

    def __init__(self) -> None:
        self.held: list[tuple[Any, dict[str, Any], object]] = []

    def holds_one(self) -> bool:
        self.held = [entry for entry in self.held if _still_held(*entry)]
        return bool(self.held)

    def stamp(self, conn: Connection, *, immediate: bool) -> None:
        token = object()
        pooled = conn.connection
        pooled.info[_LOCK_OWNER] = token
        if immediate:
            self.held.append((pooled.dbapi_connection, pooled.info, token))


def _still_held(dbapi_conn: Any, info: dict[str, Any], token: object) -> bool:
    if info.get(_LOCK_OWNER) is not token:
        return False
    try:
        return bool(dbapi_conn.in_transaction)
    except sqlite3.ProgrammingError:  # closed since
        return False


_write_locks = _WriteLocks()


def _sqlite_begin(conn: Connection) -> None:
    """`BEGIN IMMEDIATE`, except for a second transaction this thread opens while it holds
    the write lock on another connection: that one would wait on itself for the whole busy
    timeout, so it starts deferred (it reads the last committed state, as it did before)."""
    immediate = not _write_locks.holds_one()
    # Stamped before BEGIN: a thread that released this pooled connection and checks its
    # own entry must never see our open transaction under its old stamp (it would think it
    # still holds the lock and start its next unit deferred).
    _write_locks.stamp(conn, immediate=immediate)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(url: str, *, autocommit: bool = False, pool_size: int = 10) -> Engine:
    # Writes ping a pooled connection before use; reads do not pay that extra round
    # trip: a dropped connection fails one read and the pool replaces it.
    kwargs: dict[str, Any] = {"pool_pre_ping": not autocommit, "pool_recycle": 1800}
    if url.startswith("sqlite"):
        kwargs = {"connect_args": {"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000}}
    else:
        kwargs.update(pool_size=pool_size, max_overflow=pool_size)
        if url.startswith("postgresql+psycopg"):
            # No server-side prepared statements: after five runs psycopg would prepare a
            # query and PostgreSQL could switch it to a generic plan blind to the search
            # word (measured: a common-word search went from ~38 ms to ~750 ms).
            kwargs["connect_args"] = {"prepare_threshold": None}
    if autocommit:
        kwargs["isolation_level"] = "AUTOCOMMIT"
    engine = sa.create_engine(url, **kwargs)
    if url.startswith("sqlite"):
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        if not autocommit:
            sa.event.listen(engine, "connect", _sqlite_own_transactions)
            sa.event.listen(engine, "begin", _sqlite_begin)
    return engine


class Database:
    """The write engine with its session factory, and the autocommit read engine."""

    def __init__(self, url: str, *, pool_size: int = 10) -> None:
        if url in {"sqlite://", "sqlite:///:memory:"}:
            raise ValueError("use a SQLite file: an in-memory database is one per connection")
        self.url = url
        self.engine = make_engine(url, pool_size=pool_size)
        self.read_engine = make_engine(url, autocommit=True, pool_size=pool_size)
        self.sessions: sessionmaker[Session] = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.read_engine.connect() as conn:
            yield conn

    def ping(self) -> None:
        with self.read() as conn:
            conn.execute(sa.text("SELECT 1"))

    def dispose(self) -> None:
        self.engine.dispose()
        self.read_engine.dispose()


class DatabaseProbe:
    name = "database"

    def __init__(self, db: Database) -> None:
        self._db = db

    def check(self) -> None:
        self._db.ping()


def upsert_insert(db: Session, table: sa.Table) -> Any:
    """An INSERT of the session's dialect that takes ON CONFLICT clauses (PostgreSQL and
    SQLite both have them, through their own constructs)."""
    if db.get_bind().dialect.name == "postgresql":
        return pg_insert(table)
    return sqlite_insert(table)
