"""Crypto payments' deposits: one address per payment, its sealed key, the amount in
wei at the quoted rate, its expiry and what it received.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 18:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from app.adapters.sql.types import ExactDecimal, UtcDateTime

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "payment_crypto_deposits",
        sa.Column("payment_id", sa.String(length=32), nullable=False),
        sa.Column("address", sa.String(length=42), nullable=False),
        sa.Column("sealed_key", sa.LargeBinary(), nullable=False),
        sa.Column("wrapped_key", sa.LargeBinary(), nullable=False),
        sa.Column("key_id", sa.String(length=64), nullable=False),
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=8), nullable=False),
        sa.Column("amount_wei", ExactDecimal(), nullable=False),
        sa.Column("rate", ExactDecimal(), nullable=False),
        sa.Column("rate_as_of", sa.Date(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.Column("received_wei", ExactDecimal(), nullable=False),
        sa.Column("checked_block", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["payments.id"],
            name=op.f("fk_payment_crypto_deposits_payment_id_payments"),
        ),
        sa.PrimaryKeyConstraint("payment_id", name=op.f("pk_payment_crypto_deposits")),
        sa.UniqueConstraint("address", name=op.f("uq_payment_crypto_deposits_address")),
    )


def downgrade() -> None:
    op.drop_table("payment_crypto_deposits")
