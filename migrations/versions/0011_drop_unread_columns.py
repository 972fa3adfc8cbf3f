"""`credit_allocation` keeps only its row: `next_serial` and `next_token_id` were written
once, when the row was created, and never read (serials and token ids are allocated from
`credit_batches`, the row being the lock that serializes that allocation).

Downgrading adds them back with the value the row was always created with (1).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

COLUMNS = ("next_serial", "next_token_id")


def upgrade() -> None:
    with op.batch_alter_table("credit_allocation") as batch:
        for name in COLUMNS:
            batch.drop_column(name)


def downgrade() -> None:
    with op.batch_alter_table("credit_allocation") as batch:
        for name in COLUMNS:
            batch.add_column(
                sa.Column(name, sa.BigInteger(), nullable=False, server_default=sa.text("1"))
            )
    with op.batch_alter_table("credit_allocation") as batch:
        for name in COLUMNS:
            batch.alter_column(name, existing_type=sa.BigInteger(), server_default=None)
