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
        engine = _RESET_ENGINES.pop(url, None)
        if engine is not None:
            engine.dispose()


_RESET_ENGINES: dict[str, sa.Engine] = {}


def _reset_pg(url: str) -> None:
    """Empty the tables a test wrote to and restart every sequence, as a fresh migration
    leaves them. Only the tables with rows are truncated: a TRUNCATE of all of them costs
    far more than finding the few a test used."""
    from app.adapters.sql import metadata

    engine = _RESET_ENGINES.get(url) or _RESET_ENGINES.setdefault(url, sa.create_engine(url))
    probes = " UNION ALL ".join(
        f"SELECT '{t.name}' WHERE EXISTS (SELECT 1 FROM \"{t.name}\")"
        for t in metadata.sorted_tables
    )
    with engine.begin() as conn:
        used = [name for (name,) in conn.execute(sa.text(probes))]
        if used:
            names = ", ".join(f'"{name}"' for name in used)
            conn.execute(sa.text(f"TRUNCATE {names} CASCADE"))
        conn.execute(
            sa.text(
                "SELECT setval(s.seqrelid, s.seqstart, false) FROM pg_sequence s"
                " JOIN pg_class c ON c.oid = s.seqrelid"
                " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'"
            )
        )
        conn.execute(
            sa.text("INSERT INTO audit_chain_head (id, length, hash) VALUES (1, 0, :h)"),
            {"h": "0" * 64},
        )


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
