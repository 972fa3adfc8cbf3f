"""Database errors a race can cause become 409 or 503 problems, never a 500 with SQL in it.
The errors are real ones, raised by SQLite and PostgreSQL, replayed through a small app
with the platform's error table installed."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask, Response

from app.http.common import errors
from tests.conftest import PG_URL, fresh_pg_database, require

PROBLEM = "application/problem+json"


def _caught(action: Callable[[], object]) -> sa.exc.DBAPIError:
    try:
        action()
    except sa.exc.DBAPIError as exc:
        return exc
    raise AssertionError("the database accepted it")


def _app(error: BaseException, *, debug: bool = False) -> Flask:
    app = Flask(__name__)
    app.config["PROBLEM_DEBUG"] = debug
    errors.install(app)

    @app.get("/fail")
    def fail() -> Response:
        raise error

    return app


def _answer(error: BaseException, *, debug: bool = False) -> tuple[int, dict, dict]:
    response = _app(error, debug=debug).test_client().get("/fail")
    assert response.mimetype == PROBLEM
    return response.status_code, response.get_json(), dict(response.headers)


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[sa.Engine]:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'e.db'}", connect_args={"timeout": 0.05})
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
        conn.exec_driver_sql("INSERT INTO t VALUES (1, 'secret-name')")
    yield engine
    engine.dispose()


def _insert(engine: sa.Engine, row_id: int, name: str | None) -> Callable[[], object]:
    def run() -> object:
        with engine.begin() as conn:
            return conn.execute(sa.text("INSERT INTO t VALUES (:i, :n)"), {"i": row_id, "n": name})

    return run


def test_a_unique_violation_is_a_retryable_409(sqlite_engine):
    status, body, _ = _answer(_caught(_insert(sqlite_engine, 1, "again")))
    assert (status, body["code"]) == (409, "conflict")
    assert "concurrent change" in body["detail"]
    assert "retried" in body["detail"]
    assert "INSERT" not in json.dumps(body)


def test_a_not_null_violation_is_a_defect_not_a_race(sqlite_engine):
    status, body, _ = _answer(_caught(_insert(sqlite_engine, 2, None)))
    assert (status, body["code"]) == (500, "internal_error")


def test_sqlite_still_locked_after_the_busy_timeout_is_503_with_retry_after(sqlite_engine):
    holder = sqlite3.connect(sqlite_engine.url.database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        error = _caught(_insert(sqlite_engine, 3, "late"))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert "locked" in str(error.orig)
    status, body, headers = _answer(error)
    assert (status, body["code"]) == (503, "unavailable")
    assert int(headers["Retry-After"]) >= 1


def test_a_development_500_shows_where_but_no_sql(sqlite_engine):
    def select_missing() -> object:
        with sqlite_engine.connect() as conn:
            return conn.execute(sa.text("SELECT name FROM no_such_table WHERE name = 'x'"))

    status, body, _ = _answer(_caught(select_missing), debug=True)
    assert status == 500
    text = json.dumps(body)
    assert "SELECT" not in text
    assert "no_such_table" not in text
    assert any(line.endswith("in select_missing") for line in body["traceback"])
    assert "sqlalchemy.exc.OperationalError" in body["traceback"]


def test_a_production_500_has_no_traceback(sqlite_engine):
    status, body, _ = _answer(_caught(_insert(sqlite_engine, 4, None)))
    assert status == 500
    assert "traceback" not in body


@pytest.fixture
def pg_engine() -> Iterator[sa.Engine]:
    with fresh_pg_database(require("database", PG_URL)) as url:
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)")
            conn.exec_driver_sql("INSERT INTO t VALUES (1, 0)")
        yield engine
        engine.dispose()


def test_postgresql_lock_not_available_is_503(pg_engine):
    with pg_engine.begin() as holder:
        holder.exec_driver_sql("SELECT * FROM t WHERE id = 1 FOR UPDATE")

        def nowait() -> object:
            with pg_engine.begin() as conn:
                return conn.exec_driver_sql("SELECT * FROM t WHERE id = 1 FOR UPDATE NOWAIT")

        status, body, headers = _answer(_caught(nowait))
    assert (status, body["code"]) == (503, "unavailable")
    assert "Retry-After" in headers


def test_postgresql_serialization_failure_is_a_409(pg_engine):
    reader = pg_engine.connect().execution_options(isolation_level="REPEATABLE READ")
    try:
        reader.exec_driver_sql("SELECT n FROM t WHERE id = 1").scalar()
        with pg_engine.begin() as other:
            other.exec_driver_sql("UPDATE t SET n = n + 1 WHERE id = 1")
        error = _caught(lambda: reader.exec_driver_sql("UPDATE t SET n = n + 1 WHERE id = 1"))
    finally:
        reader.rollback()
        reader.close()
    status, body, _ = _answer(error)
    assert (status, body["code"]) == (409, "conflict")
