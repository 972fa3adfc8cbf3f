"""Tables of the projects and documents modules. The full-text helpers (PostgreSQL's
generated `fts_vector` column, SQLite's `fts_projects` FTS5 table) live in the
migrations only."""

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

project_documents = sa.Table(
    "project_documents",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column(
        "project_id",
        sa.String(32),
        sa.ForeignKey("projects.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("organization_id", sa.String(32), nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("current_version", sa.Integer, nullable=False),
    sa.Column("created_by", sa.String(64), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    # A row written without one is private (the migration gave older rows their kind's).
    sa.Column("visibility", sa.String(16), nullable=False, server_default="private"),
    sa.CheckConstraint("visibility IN ('public', 'private')", name="visibility"),
    sa.Index("ix_project_documents_project_kind", "project_id", "kind"),
)

document_versions = sa.Table(
    "document_versions",
    metadata,
    sa.Column(
        "document_id",
        sa.String(32),
        sa.ForeignKey("project_documents.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("filename", sa.String(255), nullable=False),
    sa.Column("content_type", sa.String(100), nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("storage_backend", sa.String(16), nullable=False),
    sa.Column("locator", sa.String(300), nullable=False),
    sa.Column("wrapped_key", sa.LargeBinary, nullable=False),
    sa.Column("key_id", sa.String(64), nullable=False, index=True),
    sa.Column("created_by", sa.String(64), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
)

document_access_log = sa.Table(
    "document_access_log",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("document_id", sa.String(32), nullable=False, index=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("actor_id", sa.String(64), nullable=True),
    sa.Column("ip", sa.String(64), nullable=True),
    sa.Column("request_id", sa.String(64), nullable=True),
    sa.Column("at", UtcDateTime, nullable=False),
)
