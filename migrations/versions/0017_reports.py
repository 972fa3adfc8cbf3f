"""Reports: the queue of asked-for reports with their encrypted files, and what kind of
removal a project is (biogenic or technological), for the ESRS E1-7 breakdowns.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01 20:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from app.adapters.sql.types import Json, UtcDateTime

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN, no batch copy on SQLite: a copy would drop the search triggers.
    op.add_column("projects", sa.Column("removal_kind", sa.String(16), nullable=True))
    op.create_table(
        "reports",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("format", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("scope_kind", sa.String(length=16), nullable=False),
        sa.Column("scope_id", sa.String(length=64), nullable=True),
        sa.Column("project_id", sa.String(length=32), nullable=True),
        sa.Column("custom", Json, nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("requested_by", sa.String(length=64), nullable=False),
        sa.Column("failure", sa.Text(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("started_at", UtcDateTime(), nullable=True),
        sa.Column("finished_at", UtcDateTime(), nullable=True),
        sa.Column("file_locator", sa.String(length=300), nullable=True),
        sa.Column("file_wrapped_key", sa.LargeBinary(), nullable=True),
        sa.Column("file_key_id", sa.String(length=64), nullable=True),
        sa.Column("file_size", sa.BigInteger(), nullable=True),
        sa.Column("file_sha256", sa.String(length=64), nullable=True),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'ready', 'failed')",
            name=op.f("ck_reports_status_known"),
        ),
        sa.CheckConstraint("period_end >= period_start", name=op.f("ck_reports_period_order")),
        sa.CheckConstraint(
            "scope_kind IN ('platform', 'organization', 'user')"
            " AND (scope_kind = 'platform') = (scope_id IS NULL)",
            name=op.f("ck_reports_scope_known"),
        ),
        sa.CheckConstraint(
            "(status = 'ready') = (file_locator IS NOT NULL AND file_sha256 IS NOT NULL)",
            name=op.f("ck_reports_ready_has_file"),
        ),
        sa.CheckConstraint(
            "status <> 'failed' OR failure IS NOT NULL", name=op.f("ck_reports_failure_has_reason")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
    )
    op.create_index(op.f("ix_reports_scope_id"), "reports", ["scope_id"])
    op.create_index("ix_reports_requested_by_created", "reports", ["requested_by", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_reports_requested_by_created", table_name="reports")
    op.drop_index(op.f("ix_reports_scope_id"), table_name="reports")
    op.drop_table("reports")
    op.drop_column("projects", "removal_kind")
