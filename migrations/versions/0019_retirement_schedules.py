"""Scheduled retirements: what a holder plans to retire and when, the reservation its
reminder made, and the retirement its run created.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02 00:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from app.adapters.sql.types import UtcDateTime

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "retirement_schedules",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("owner_kind", sa.String(length=16), nullable=False),
        sa.Column("owner_id", sa.String(length=32), nullable=False),
        sa.Column("holder_address", sa.String(length=42), nullable=False),
        sa.Column("project_id", sa.String(length=32), nullable=False),
        sa.Column("vintage", sa.Integer(), nullable=False),
        sa.Column("quantity_kg", sa.BigInteger(), nullable=False),
        sa.Column("beneficiary", sa.String(length=300), nullable=False),
        sa.Column("purpose", sa.String(length=1000), nullable=False),
        sa.Column("beneficiary_visibility", sa.String(length=16), nullable=False),
        sa.Column("run_at", UtcDateTime(), nullable=False),
        sa.Column("remind_days_before", sa.Integer(), nullable=True),
        sa.Column("remind_at", UtcDateTime(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reserved_token_id", sa.BigInteger(), nullable=True),
        sa.Column("reminded_at", UtcDateTime(), nullable=True),
        sa.Column("retirement_id", sa.String(length=32), nullable=True),
        sa.Column("failure", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("finished_at", UtcDateTime(), nullable=True),
        sa.CheckConstraint(
            "quantity_kg > 0", name=op.f("ck_retirement_schedules_quantity_positive")
        ),
        sa.CheckConstraint(
            "status IN ('scheduled', 'reserved', 'completed', 'failed', 'cancelled')",
            name=op.f("ck_retirement_schedules_status_known"),
        ),
        sa.CheckConstraint(
            "(status = 'reserved') = (reserved_token_id IS NOT NULL)",
            name=op.f("ck_retirement_schedules_reserved_has_token"),
        ),
        sa.CheckConstraint(
            "(status = 'completed') = (retirement_id IS NOT NULL)",
            name=op.f("ck_retirement_schedules_completed_has_retirement"),
        ),
        sa.CheckConstraint(
            "remind_days_before IS NULL OR remind_days_before BETWEEN 0 AND 365",
            name=op.f("ck_retirement_schedules_remind_days_range"),
        ),
        sa.ForeignKeyConstraint(
            ["retirement_id"],
            ["retirements.id"],
            name=op.f("fk_retirement_schedules_retirement_id_retirements"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retirement_schedules")),
        sa.UniqueConstraint("retirement_id", name=op.f("uq_retirement_schedules_retirement_id")),
    )
    op.create_index(
        op.f("ix_retirement_schedules_owner_id"),
        "retirement_schedules",
        ["owner_id"],
        unique=False,
    )
    op.create_index(
        "ix_retirement_schedules_due", "retirement_schedules", ["status", "run_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_retirement_schedules_due", table_name="retirement_schedules")
    op.drop_index(op.f("ix_retirement_schedules_owner_id"), table_name="retirement_schedules")
    op.drop_table("retirement_schedules")
