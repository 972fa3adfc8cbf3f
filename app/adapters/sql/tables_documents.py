"""Tables of the documents module: a project's documents, their versions and the log
of who read them."""

from __future__ import annotations

import sqlalchemy as sa

from app.adapters.sql.tables import metadata
from app.adapters.sql.types import UtcDateTime

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
