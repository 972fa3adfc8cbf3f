"""Engines and sessions. Writes go through a session the unit of work owns; reads that
feed screens use an autocommit connection, so they pay for no BEGIN/ROLLBACK."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def make_engine(url: str, *, autocommit: bool = False, pool_size: int = 10) -> Engine:
    # Writes ping a pooled connection before use; reads do not pay that extra round
    # trip: a dropped connection fails one read and the pool replaces it.
    kwargs: dict[str, Any] = {"pool_pre_ping": not autocommit, "pool_recycle": 1800}
    if url.startswith("sqlite"):
        kwargs = {"connect_args": {"check_same_thread": False, "timeout": 10}}
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
