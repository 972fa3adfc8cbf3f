"""The smallest Flask app that answers `GET /api/v1/public/audit-logs/head` like the platform:
one psycopg 3 query on an autocommit connection, the same JSON through `flask.jsonify`.

It is the floor `bench/read_endpoint.py` compares the platform against. It reads the
database from `BENCH_DB` (a psycopg URL, `postgresql://...`) and is served by gunicorn:
`BENCH_DB=postgresql://... gunicorn bench.baseline_app:app` from the repository root.

Connections come from a `psycopg_pool.ConnectionPool` when psycopg_pool is installed,
otherwise from one autocommit connection per worker process, opened on first use (after
gunicorn's fork) and reopened if it breaks.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import psycopg
from flask import Flask, Response, jsonify

HEAD_SQL = "SELECT length, hash FROM audit_chain_head WHERE id = 1"
GENESIS_HASH = "0" * 64

ConnectionSource = Callable[[], AbstractContextManager[psycopg.Connection[Any]]]


def _pooled(conninfo: str) -> ConnectionSource:
    from psycopg_pool import ConnectionPool

    pool = ConnectionPool(conninfo, min_size=1, max_size=4, kwargs={"autocommit": True}, open=False)
    opened = threading.Lock()

    def connection() -> AbstractContextManager[psycopg.Connection[Any]]:
        with opened:
            if pool.closed:
                pool.open(wait=True)
        return pool.connection()

    return connection


def _lazy_single(conninfo: str) -> ConnectionSource:
    state: dict[str, psycopg.Connection[Any]] = {}

    @contextmanager
    def connection() -> Iterator[psycopg.Connection[Any]]:
        conn = state.get("conn")
        if conn is None or conn.closed or conn.broken:
            conn = state["conn"] = psycopg.connect(conninfo, autocommit=True)
        yield conn

    return connection


def create_app(conninfo: str) -> Flask:
    has_pool = importlib.util.find_spec("psycopg_pool") is not None
    connection = _pooled(conninfo) if has_pool else _lazy_single(conninfo)
    app = Flask(__name__)

    @app.get("/api/v1/public/audit-logs/head")
    def public_head() -> Response:
        with connection() as conn:
            row = conn.execute(HEAD_SQL).fetchone()
        length, head_hash = row if row else (0, GENESIS_HASH)
        return jsonify(length=length, head_hash=head_hash)

    return app


app = create_app(os.environ.get("BENCH_DB", "postgresql://postgres@127.0.0.1:5432/postgres"))
