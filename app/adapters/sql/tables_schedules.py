"""The table of scheduled retirements."""

from __future__ import annotations

import sqlalchemy as sa

from app.adapters.sql.tables import metadata
from app.adapters.sql.types import UtcDateTime

retirement_schedules = sa.Table(
    "retirement_schedules",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("owner_kind", sa.String(16), nullable=False),
    sa.Column("owner_id", sa.String(32), nullable=False, index=True),
    sa.Column("holder_address", sa.String(42), nullable=False),
    sa.Column("project_id", sa.String(32), nullable=False),
    sa.Column("vintage", sa.Integer, nullable=False),
    sa.Column("quantity_kg", sa.BigInteger, nullable=False),
    sa.Column("beneficiary", sa.String(300), nullable=False),
    sa.Column("purpose", sa.String(1000), nullable=False),
    sa.Column("beneficiary_visibility", sa.String(16), nullable=False),
    sa.Column("run_at", UtcDateTime, nullable=False),
    sa.Column("remind_days_before", sa.Integer, nullable=True),
    sa.Column("remind_at", UtcDateTime, nullable=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("reserved_token_id", sa.BigInteger, nullable=True),
    sa.Column("reminded_at", UtcDateTime, nullable=True),
    sa.Column("retirement_id", sa.String(32), sa.ForeignKey("retirements.id"), nullable=True),
    sa.Column("failure", sa.Text, nullable=True),
    sa.Column("created_by", sa.String(64), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("finished_at", UtcDateTime, nullable=True),
    # one retirement per schedule, and a schedule's retirement belongs to it alone
    sa.UniqueConstraint("retirement_id"),
    sa.Index("ix_retirement_schedules_due", "status", "run_at"),
    sa.CheckConstraint("quantity_kg > 0", name="quantity_positive"),
    sa.CheckConstraint(
        "status IN ('scheduled', 'reserved', 'completed', 'failed', 'cancelled')",
        name="status_known",
    ),
    sa.CheckConstraint(
        "(status = 'reserved') = (reserved_token_id IS NOT NULL)", name="reserved_has_token"
    ),
    sa.CheckConstraint(
        "(status = 'completed') = (retirement_id IS NOT NULL)", name="completed_has_retirement"
    ),
    sa.CheckConstraint(
        "remind_days_before IS NULL OR remind_days_before BETWEEN 0 AND 365",
        name="remind_days_range",
    ),
)
