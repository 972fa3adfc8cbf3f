"""Tables of the projects module. The full-text helpers (PostgreSQL's generated
`fts_vector` column, SQLite's `fts_projects` FTS5 table) live in the migrations only."""

from __future__ import annotations

import sqlalchemy as sa

from app.adapters.sql.tables import metadata
from app.adapters.sql.types import Json, UtcDateTime

projects = sa.Table(
    "projects",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column(
        "organization_id",
        sa.String(32),
        sa.ForeignKey("organizations.id"),
        nullable=False,
        index=True,
    ),
    sa.Column("name", sa.String(200), nullable=False, index=True),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("type", sa.String(32), nullable=False, index=True),
    sa.Column("methodology", sa.String(200), nullable=False),
    sa.Column("standard", sa.String(100), nullable=False, index=True),
    sa.Column("country", sa.String(2), nullable=False, index=True),
    sa.Column("region", sa.String(200), nullable=False),
    sa.Column("latitude", sa.Numeric(9, 6), nullable=True),
    sa.Column("longitude", sa.Numeric(9, 6), nullable=True),
    sa.Column("expected_annual_reductions_kg", sa.BigInteger, nullable=False),
    sa.Column("metadata", Json, nullable=False),
    sa.Column("mitigation", sa.String(16), nullable=False, server_default="reduction"),
    sa.Column("ccp_approved", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("corsia_eligible", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("corresponding_adjustment", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("removal_kind", sa.String(16), nullable=True),
    sa.Column("status", sa.String(32), nullable=False, index=True),
    sa.Column("first_vintage", sa.Integer, nullable=True, index=True),
    sa.Column("created_by", sa.String(32), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False, index=True),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.CheckConstraint("expected_annual_reductions_kg >= 0", name="reductions_not_negative"),
)

project_vintages = sa.Table(
    "project_vintages",
    metadata,
    sa.Column(
        "project_id",
        sa.String(32),
        sa.ForeignKey("projects.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("year", sa.Integer, primary_key=True, index=True),
)

project_status_history = sa.Table(
    "project_status_history",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "project_id",
        sa.String(32),
        sa.ForeignKey("projects.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("from_status", sa.String(32), nullable=True),
    sa.Column("to_status", sa.String(32), nullable=False),
    sa.Column("actor_id", sa.String(64), nullable=True),
    sa.Column("reason", sa.Text, nullable=True),
    sa.Column("at", UtcDateTime, nullable=False),
)
