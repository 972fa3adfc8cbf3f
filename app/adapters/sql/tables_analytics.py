"""Tables of analytics: the daily rollups of the ledger, recomputed per day from the raw
rows (`organization_id` "" holds the platform's sums), the users who signed in each
day, and when each day was last recomputed."""

from __future__ import annotations

import sqlalchemy as sa

from app.adapters.sql.tables import metadata, outbox
from app.adapters.sql.tables_auth import sessions
from app.adapters.sql.tables_chain import credit_batches, retirements
from app.adapters.sql.tables_marketplace import market_orders
from app.adapters.sql.types import ExactDecimal, UtcDateTime

analytics_daily = sa.Table(
    "analytics_daily",
    metadata,
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("organization_id", sa.String(32), primary_key=True),
    sa.Column("metric", sa.String(16), primary_key=True),
    sa.Column("currency", sa.String(3), primary_key=True),
    sa.Column("kg", sa.BigInteger, nullable=False),
    sa.Column("count", sa.BigInteger, nullable=False),
    sa.Column("amount", ExactDecimal, nullable=False),
    sa.Index("ix_analytics_daily_org_day", "organization_id", "day"),
)

analytics_daily_users = sa.Table(
    "analytics_daily_users",
    metadata,
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("user_id", sa.String(32), primary_key=True),
)

analytics_days = sa.Table(
    "analytics_days",
    metadata,
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("computed_at", UtcDateTime, nullable=False),
    sa.Column("closed", sa.Boolean, nullable=False),  # computed after the day ended
)

# What a day's recomputation reads of the raw rows, by the instant that dates them.
sa.Index("ix_retirements_confirmed_at", retirements.c.confirmed_at)
sa.Index("ix_credit_batches_created_at", credit_batches.c.created_at)
sa.Index("ix_market_orders_paid_at", market_orders.c.paid_at)
sa.Index("ix_sessions_created_at", sessions.c.created_at)
# ...and the health figures of the outbox: its open jobs, its jobs of a range.
OPEN = "done_at IS NULL"
sa.Index("ix_outbox_created_at", outbox.c.created_at)
sa.Index(
    "ix_outbox_open",
    outbox.c.created_at,
    postgresql_where=sa.text(OPEN),
    sqlite_where=sa.text(OPEN),
)
