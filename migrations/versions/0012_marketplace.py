"""Quality labels of projects, and the marketplace: listings, quotes, orders, base
prices, fee schedules, organization terms and the price history.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 15:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

LABELS = ("mitigation", "ccp_approved", "corsia_eligible", "corresponding_adjustment")


def upgrade() -> None:
    # Plain ADD COLUMN, no batch copy on SQLite: a copy would drop the search triggers.
    op.add_column(
        "projects",
        sa.Column("mitigation", sa.String(16), nullable=False, server_default="reduction"),
    )
    for name in LABELS[1:]:
        op.add_column(
            "projects",
            sa.Column(name, sa.Boolean, nullable=False, server_default=sa.false()),
        )


def downgrade() -> None:
    for name in LABELS:
        op.drop_column("projects", name)
