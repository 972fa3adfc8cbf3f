"""Login throttle: failed password logins per account and source (`*`: every source).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from app.adapters.sql.types import UtcDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_failures",
        sa.Column("account", sa.String(length=254), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", UtcDateTime(), nullable=True),
        sa.Column("last_success_at", UtcDateTime(), nullable=True),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("account", "source", name=op.f("pk_login_failures")),
    )
    with op.batch_alter_table("login_failures") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_login_failures_expires_at"), ["expires_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("login_failures") as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_failures_expires_at"))
    op.drop_table("login_failures")
