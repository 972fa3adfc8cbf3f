"""Documents stored before visibility existed get their kind's default, on both
databases, and the migration goes down and up again."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.adapters.sql.tables_auth import organizations
from app.adapters.sql.tables_documents import project_documents
from app.adapters.sql.tables_projects import projects
from app.main import migrations
from tests.conftest import PG_URL, fresh_pg_database, require

NOW = datetime(2026, 1, 1, tzinfo=UTC)
EXPECTED = {
    "project_design": "public",
    "monitoring_report": "public",
    "validation_report": "public",
    "verification_report": "public",
    "land_title": "private",
    "other": "private",
    "poai_bundle": "private",
}


@pytest.fixture(params=["sqlite", "postgresql"])
def db_before(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database migrated up to the revision before document visibility."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'before.db'}"
        migrations.upgrade(url, "0009")
        yield url
        return
    with fresh_pg_database(require("database", PG_URL)) as url:
        migrations.upgrade(url, "0009")
        yield url


def _insert_documents(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        conn.execute(
            sa.insert(organizations).values(id="org", name="Org", created_by="u", created_at=NOW)
        )
        conn.execute(
            sa.insert(projects).values(
                id="p1",
                organization_id="org",
                name="Forest",
                description="",
                type="forestry",
                methodology="VM0047",
                standard="VCS",
                country="BR",
                region="",
                expected_annual_reductions_kg=0,
                metadata={},
                status="registered",
                created_by="u",
                created_at=NOW,
                updated_at=NOW,
            )
        )
        for kind in EXPECTED:
            conn.execute(
                sa.insert(project_documents).values(
                    id=f"d-{kind}",
                    project_id="p1",
                    organization_id="org",
                    kind=kind,
                    current_version=1,
                    created_by="u",
                    created_at=NOW,
                    updated_at=NOW,
                )
            )


def _visibilities(engine: sa.Engine) -> dict[str, str]:
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT kind, visibility FROM project_documents"))
        return {str(kind): str(visibility) for kind, visibility in rows}


def test_existing_documents_get_their_kinds_default(db_before: str) -> None:
    engine = sa.create_engine(db_before)
    try:
        _insert_documents(engine)
        migrations.upgrade(db_before)
        assert _visibilities(engine) == EXPECTED
        assert migrations.drift(engine) == []
        with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
            conn.execute(sa.text("UPDATE project_documents SET visibility = 'everyone'"))

        migrations.downgrade(db_before, "0009")
        columns = {c["name"] for c in sa.inspect(engine).get_columns("project_documents")}
        assert "visibility" not in columns
        migrations.upgrade(db_before)
        assert _visibilities(engine) == EXPECTED
    finally:
        engine.dispose()
