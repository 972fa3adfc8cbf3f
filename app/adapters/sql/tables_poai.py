"""Tables of the PoAI module."""

from __future__ import annotations

import sqlalchemy as sa

from app.adapters.sql.tables import metadata
from app.adapters.sql.types import Json, UtcDateTime

ACTIVE = "status IN ('open', 'in_review', 'changes_requested')"

poai_cases = sa.Table(
    "poai_cases",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column(
        "project_id", sa.String(32), sa.ForeignKey("projects.id"), nullable=False, index=True
    ),
    sa.Column("organization_id", sa.String(32), nullable=False, index=True),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("round", sa.Integer, nullable=False),
    sa.Column("decision", sa.String(32), nullable=True),
    sa.Column("decision_reason", sa.Text, nullable=True),
    sa.Column("decided_by", sa.String(64), nullable=True),
    sa.Column("decided_at", UtcDateTime, nullable=True),
    sa.Column("bundle_hash", sa.String(64), nullable=True),
    sa.Column("opened_at", UtcDateTime, nullable=False),
    # One active case per project, enforced by the database.
    sa.Index(
        "uq_poai_cases_active_project",
        "project_id",
        unique=True,
        postgresql_where=sa.text(ACTIVE),
        sqlite_where=sa.text(ACTIVE),
    ),
)

poai_assignments = sa.Table(
    "poai_assignments",
    metadata,
    sa.Column(
        "case_id",
        sa.String(32),
        sa.ForeignKey("poai_cases.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("reviewer_id", sa.String(32), primary_key=True, index=True),
    sa.Column("position", sa.Integer, nullable=False),
)

poai_checks = sa.Table(
    "poai_checks",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column(
        "case_id",
        sa.String(32),
        sa.ForeignKey("poai_cases.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("round", sa.Integer, nullable=False),
    sa.Column("category", sa.String(16), nullable=False),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("mode", sa.String(16), nullable=False),
    sa.Column("required", sa.Boolean, nullable=False),
    sa.Column("result", sa.String(16), nullable=False),
    sa.Column("notes", sa.Text, nullable=False),
    sa.Column("evidence_document_ids", Json, nullable=False),
    sa.Column("evidence", Json, nullable=False),
    sa.Column("updated_by", sa.String(64), nullable=True),
    sa.Column("updated_at", UtcDateTime, nullable=True),
)

poai_case_history = sa.Table(
    "poai_case_history",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "case_id",
        sa.String(32),
        sa.ForeignKey("poai_cases.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("round", sa.Integer, nullable=False),
    sa.Column("from_status", sa.String(32), nullable=True),
    sa.Column("to_status", sa.String(32), nullable=False),
    sa.Column("actor_id", sa.String(64), nullable=True),
    sa.Column("reason", sa.Text, nullable=True),
    sa.Column("at", UtcDateTime, nullable=False),
)

poai_proofs = sa.Table(
    "poai_proofs",
    metadata,
    sa.Column("case_id", sa.String(32), sa.ForeignKey("poai_cases.id"), primary_key=True),
    sa.Column("bundle_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("document_id", sa.String(32), nullable=False),
    sa.Column("signature", sa.Text, nullable=False),
    sa.Column("public_key", sa.Text, nullable=False),
    sa.Column("key_id", sa.String(64), nullable=False),
)
