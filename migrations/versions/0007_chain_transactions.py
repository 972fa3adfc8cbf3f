"""The chain write-ahead log: signed transactions (one per intent) and nonce counters.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 10:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from app.adapters.sql.types import Json, UtcDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "chain_transactions",
        sa.Column("intent", sa.String(length=120), nullable=False),
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("sender", sa.String(length=42), nullable=False),
        sa.Column("nonce", sa.BigInteger(), nullable=False),
        sa.Column("action", sa.String(length=100), nullable=False),
        sa.Column("to_address", sa.String(length=42), nullable=True),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("gas", sa.BigInteger(), nullable=False),
        sa.Column("max_fee_per_gas", sa.BigInteger(), nullable=False),
        sa.Column("max_priority_fee_per_gas", sa.BigInteger(), nullable=False),
        sa.Column("raw", sa.LargeBinary(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("earlier_hashes", Json, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("broadcasts", sa.Integer(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.CheckConstraint("nonce >= 0", name=op.f("ck_chain_transactions_nonce_not_negative")),
        sa.PrimaryKeyConstraint("intent", name=op.f("pk_chain_transactions")),
        sa.UniqueConstraint("chain_id", "sender", "nonce", name="uq_chain_transactions_nonce"),
        sa.UniqueConstraint("tx_hash", name=op.f("uq_chain_transactions_tx_hash")),
    )
    op.create_index(
        op.f("ix_chain_transactions_status"), "chain_transactions", ["status"], unique=False
    )
    op.create_index(op.f("ix_chain_transactions_created_at"), "chain_transactions", ["created_at"])
    op.create_table(
        "chain_nonces",
        sa.Column("chain_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("sender", sa.String(length=42), nullable=False),
        sa.Column("next_nonce", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("next_nonce >= 0", name=op.f("ck_chain_nonces_next_nonce_not_negative")),
        sa.PrimaryKeyConstraint("chain_id", "sender", name=op.f("pk_chain_nonces")),
    )


def downgrade() -> None:
    op.drop_table("chain_nonces")
    op.drop_index(op.f("ix_chain_transactions_created_at"), table_name="chain_transactions")
    op.drop_index(op.f("ix_chain_transactions_status"), table_name="chain_transactions")
    op.drop_table("chain_transactions")
