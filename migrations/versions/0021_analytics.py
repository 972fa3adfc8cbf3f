"""Analytics: the daily rollups of the ledger, the users who signed in each day, when
each day was last recomputed, and indexes on the instants the raw rows are dated by.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-02 00:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from app.adapters.sql.types import ExactDecimal, UtcDateTime

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

INDEXES = [
    ("ix_retirements_confirmed_at", "retirements", "confirmed_at"),
    ("ix_credit_batches_created_at", "credit_batches", "created_at"),
    ("ix_market_orders_paid_at", "market_orders", "paid_at"),
    ("ix_sessions_created_at", "sessions", "created_at"),
    ("ix_outbox_created_at", "outbox", "created_at"),
]
OPEN = "done_at IS NULL"


def upgrade() -> None:
    op.create_table(
        "analytics_daily",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("organization_id", sa.String(length=32), nullable=False),
        sa.Column("metric", sa.String(length=16), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("kg", sa.BigInteger(), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.Column("amount", ExactDecimal(), nullable=False),
        sa.PrimaryKeyConstraint(
            "day", "organization_id", "metric", "currency", name=op.f("pk_analytics_daily")
        ),
    )
    op.create_index("ix_analytics_daily_org_day", "analytics_daily", ["organization_id", "day"])
    op.create_table(
        "analytics_daily_users",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("day", "user_id", name=op.f("pk_analytics_daily_users")),
    )
    op.create_table(
        "analytics_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("computed_at", UtcDateTime(), nullable=False),
        sa.Column("closed", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_analytics_days")),
    )
    for name, table, column in INDEXES:
        op.create_index(name, table, [column])
    op.create_index(
        "ix_outbox_open",
        "outbox",
        ["created_at"],
        postgresql_where=sa.text(OPEN),
        sqlite_where=sa.text(OPEN),
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_open", table_name="outbox")
    for name, table, _ in INDEXES:
        op.drop_index(name, table_name=table)
    op.drop_table("analytics_days")
    op.drop_table("analytics_daily_users")
    op.drop_index("ix_analytics_daily_org_day", table_name="analytics_daily")
    op.drop_table("analytics_daily")
