"""Shared fixtures. Real services come from the environment:

- `TEST_DATABASE_URL` (SQLAlchemy URL of a PostgreSQL server we may create databases on)
- `TEST_REDIS_URL`

Without them integration tests run on SQLite files and the in-process broker, and the
tests that need the real service are skipped; with `CI=true` a missing service fails."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

CI = os.environ.get("CI", "").lower() == "true"
PG_URL = os.environ.get("TEST_DATABASE_URL") or None
REDIS_URL = os.environ.get("TEST_REDIS_URL") or None


def pytest_sessionstart(session: pytest.Session) -> None:
    if CI:
        missing = [
            n for n, v in [("TEST_DATABASE_URL", PG_URL), ("TEST_REDIS_URL", REDIS_URL)] if not v
        ]
        if missing:
            pytest.exit(f"CI=true but {', '.join(missing)} is not set", returncode=3)


def unavailable(message: str) -> NoReturn:
    """What a test needs is missing: skip it locally, fail it in CI."""
    if CI:
        pytest.fail(message)
    pytest.skip(message)


def require(service: str, url: str | None) -> str:
    """The service URL, or skip (locally) / fail (CI) when it is not configured."""
    if url:
        return url
    unavailable(f"{service} not configured (set TEST_{service.upper()}_URL)")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/integration/" in str(item.fspath):
            item.add_marker(pytest.mark.integration)


# --- PostgreSQL ---------------------------------------------------------------------------


@contextmanager
def fresh_pg_database(server_url: str) -> Iterator[str]:
    """Create an empty database on the server, yield its URL, drop it afterwards."""
    name = f"test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as exc:
        if CI:
            pytest.fail(f"PostgreSQL at {server_url} does not answer: {exc}")
        pytest.skip(f"PostgreSQL does not answer: {exc}")
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def pg_migrated_url() -> Iterator[str]:
    from app.main import migrations

    with fresh_pg_database(require("database", PG_URL)) as url:
        migrations.upgrade(url)
        yield url


def _reset_pg(url: str) -> None:
    from app.adapters.sql import metadata

    engine = sa.create_engine(url)
    names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        conn.execute(
            sa.text("INSERT INTO audit_chain_head (id, length, hash) VALUES (1, 0, :h)"),
            {"h": "0" * 64},
        )
    engine.dispose()


# --- SQLite -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from app.main import migrations

    path = tmp_path_factory.mktemp("sqlite") / "template.db"
    migrations.upgrade(f"sqlite:///{path}")
    return path


def _sqlite_copy(template: Path, directory: Path) -> str:
    target = directory / "platform.db"
    shutil.copyfile(template, target)
    return f"sqlite:///{target}"


# --- database per test --------------------------------------------------------------------


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    return _sqlite_copy(sqlite_template, tmp_path)


@pytest.fixture
def pg_url(pg_migrated_url: str) -> str:
    _reset_pg(pg_migrated_url)
    return pg_migrated_url


@pytest.fixture
def db_url(request: pytest.FixtureRequest) -> str:
    """PostgreSQL when configured, else SQLite: the database integration tests run on."""
    name = "pg_url" if PG_URL else "sqlite_url"
    return str(request.getfixturevalue(name))


@pytest.fixture(params=["sqlite", "postgresql"])
def any_db_url(request: pytest.FixtureRequest) -> str:
    """Runs the test on both databases."""
    name = "pg_url" if request.param == "postgresql" else "sqlite_url"
    return str(request.getfixturevalue(name))
