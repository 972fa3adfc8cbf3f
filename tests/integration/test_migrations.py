"""Migrations run up, down and up again on both databases, and match the models."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.adapters.sql import metadata
from app.adapters.sql.schema_filter import UNMANAGED_PREFIXES
from app.main import migrations
from tests.conftest import PG_URL, fresh_pg_database, require


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    with fresh_pg_database(require("database", PG_URL)) as url:
        yield url


def _tables(engine: sa.Engine) -> set[str]:
    names = set(sa.inspect(engine).get_table_names()) - {"alembic_version"}
    return {n for n in names if not n.startswith(UNMANAGED_PREFIXES)}


def test_upgrade_downgrade_upgrade_matches_the_models(empty_db: str) -> None:
    engine = sa.create_engine(empty_db)
    try:
        migrations.upgrade(empty_db)
        assert _tables(engine) == set(metadata.tables)
        assert migrations.drift(engine) == []

        migrations.downgrade(empty_db, "base")
        assert _tables(engine) == set()

        migrations.upgrade(empty_db)
        assert migrations.drift(engine) == []
    finally:
        engine.dispose()
