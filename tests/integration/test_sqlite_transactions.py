"""The SQLite write engine serializes units of work with BEGIN IMMEDIATE; the read engine
stays autocommit; a thread never waits on its own write lock."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.adapters.sql.database import Database


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'tx.db'}")
    with database.engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER)")
        conn.exec_driver_sql("INSERT INTO counter VALUES (1, 0)")
    yield database
    database.dispose()


def _begins(engine: sa.Engine) -> list[tuple[int, str]]:
    seen: list[tuple[int, str]] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        if statement.startswith("BEGIN"):
            seen.append((threading.get_ident(), statement))

    sa.event.listen(engine, "before_cursor_execute", record)
    return seen


def test_write_units_begin_immediate_and_reads_stay_autocommit(db):
    writes, reads = _begins(db.engine), _begins(db.read_engine)
    with db.sessions() as session:
        session.execute(sa.text("SELECT n FROM counter"))
        session.commit()
    with db.read() as conn:
        conn.execute(sa.text("SELECT n FROM counter"))
    assert [s for _, s in writes] == ["BEGIN IMMEDIATE"]
    assert reads == []


def test_concurrent_read_modify_write_units_never_lose_an_update(db):
    failures: list[BaseException] = []
    barrier = threading.Barrier(12)

    def increment() -> None:
        barrier.wait()
        try:
            with db.sessions() as session:
                n = session.execute(sa.text("SELECT n FROM counter WHERE id = 1")).scalar_one()
                time.sleep(0.005)  # let the others pile up on the lock
                session.execute(sa.text("UPDATE counter SET n = :n WHERE id = 1"), {"n": n + 1})
                session.commit()
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=increment) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    with db.read() as conn:
        assert conn.execute(sa.text("SELECT n FROM counter")).scalar_one() == 12


def test_a_second_transaction_on_the_lock_holding_thread_reads_at_once(db):
    with db.sessions() as outer:
        outer.execute(sa.text("UPDATE counter SET n = 5 WHERE id = 1"))
        started = time.monotonic()
        with db.engine.connect() as inner:
            seen = inner.execute(sa.text("SELECT n FROM counter")).scalar_one()
        assert time.monotonic() - started < 1
        assert seen == 0  # the last committed state, as a deferred reader sees it
        outer.commit()


def test_a_pooled_connection_another_thread_now_holds_does_not_count_as_ours(db):
    begins = _begins(db.engine)
    with db.engine.begin() as conn:  # this thread, then the connection goes back to the pool
        conn.execute(sa.text("SELECT 1"))
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with db.engine.begin() as conn:
            conn.execute(sa.text("UPDATE counter SET n = n + 1"))
            holding.set()
            release.wait(5)

    other = threading.Thread(target=hold)
    other.start()
    holding.wait(5)
    threading.Timer(0.2, release.set).start()
    with db.engine.begin() as conn:  # waits for the other thread instead of going deferred
        conn.execute(sa.text("UPDATE counter SET n = n + 1"))
    other.join()
    mine = [s for ident, s in begins if ident == threading.get_ident()]
    assert mine == ["BEGIN IMMEDIATE", "BEGIN IMMEDIATE"]
    with db.read() as conn:
        assert conn.execute(sa.text("SELECT n FROM counter")).scalar_one() == 2
