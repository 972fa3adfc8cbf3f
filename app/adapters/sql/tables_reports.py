"""Tables of reports: the queue of asked-for reports and where each finished file's
ciphertext lies (with its wrapped data key), beside the projects' `removal_kind`."""

from __future__ import annotations

import sqlalchemy as sa

from app.adapters.sql.tables import metadata
from app.adapters.sql.types import Json, UtcDateTime

reports = sa.Table(
    "reports",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("format", sa.String(8), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("period_start", sa.Date, nullable=False),
    sa.Column("period_end", sa.Date, nullable=False),
    sa.Column("scope_kind", sa.String(16), nullable=False),
    sa.Column("scope_id", sa.String(64), nullable=True, index=True),
    sa.Column("project_id", sa.String(32), nullable=True),
    sa.Column("custom", Json, nullable=False),
    sa.Column("email", sa.String(320), nullable=True),
    sa.Column("requested_by", sa.String(64), nullable=False),
    sa.Column("failure", sa.Text, nullable=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("started_at", UtcDateTime, nullable=True),
    sa.Column("finished_at", UtcDateTime, nullable=True),
    sa.Column("file_locator", sa.String(300), nullable=True),
    sa.Column("file_wrapped_key", sa.LargeBinary, nullable=True),
    sa.Column("file_key_id", sa.String(64), nullable=True),
    sa.Column("file_size", sa.BigInteger, nullable=True),
    sa.Column("file_sha256", sa.String(64), nullable=True),
    sa.Index("ix_reports_requested_by_created", "requested_by", "created_at"),
    sa.CheckConstraint("status IN ('queued', 'running', 'ready', 'failed')", name="status_known"),
    sa.CheckConstraint("period_end >= period_start", name="period_order"),
    sa.CheckConstraint(
        "scope_kind IN ('platform', 'organization', 'user')"
        " AND (scope_kind = 'platform') = (scope_id IS NULL)",
        name="scope_known",
    ),
    sa.CheckConstraint(
        "(status = 'ready') = (file_locator IS NOT NULL AND file_sha256 IS NOT NULL)",
        name="ready_has_file",
    ),
    sa.CheckConstraint("status <> 'failed' OR failure IS NOT NULL", name="failure_has_reason"),
)
