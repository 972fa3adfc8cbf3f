"""Payments of orders, their refunds, the provider events applied, and the embedded
sandbox provider's intents, refunds and events.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from app.adapters.sql.types import ExactDecimal, Json, UtcDateTime

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

OPEN = "status IN ('processing', 'requires_action', 'pending')"
PAID = "status IN ('succeeded', 'partially_refunded', 'refunded')"


def upgrade() -> None:
    op.create_table(
        "payments",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("order_id", sa.String(length=32), nullable=False),
        sa.Column("buyer_id", sa.String(length=64), nullable=False),
        sa.Column("organization_id", sa.String(length=32), nullable=True),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("amount", ExactDecimal(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("refund_committed", ExactDecimal(), nullable=False),
        sa.Column("refunded", ExactDecimal(), nullable=False),
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("idempotency_key", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("intent_id", sa.String(length=255), nullable=True),
        sa.Column("next_action", Json, nullable=True),
        sa.Column("failure_code", sa.String(length=64), nullable=True),
        sa.Column("reference", sa.String(length=25), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("succeeded_at", UtcDateTime(), nullable=True),
        sa.Column("updated_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["order_id"], ["market_orders.id"], name=op.f("fk_payments_order_id_market_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
        sa.UniqueConstraint("order_id", "idempotency_key", name="uq_payments_order_idempotency"),
        sa.UniqueConstraint("provider", "intent_id", name="uq_payments_provider_intent"),
        sa.UniqueConstraint("reference", name=op.f("uq_payments_reference")),
    )
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payments_buyer_id"), ["buyer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_payments_created_at"), ["created_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_payments_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(
            "uq_payments_open_order",
            ["order_id"],
            unique=True,
            postgresql_where=sa.text(OPEN),
            sqlite_where=sa.text(OPEN),
        )
        batch_op.create_index(
            "uq_payments_paid_order",
            ["order_id"],
            unique=True,
            postgresql_where=sa.text(PAID),
            sqlite_where=sa.text(PAID),
        )
    op.create_table(
        "payment_refunds",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("payment_id", sa.String(length=32), nullable=False),
        sa.Column("amount", ExactDecimal(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("provider_refund_id", sa.String(length=255), nullable=True),
        sa.Column("failure_code", sa.String(length=64), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("completed_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payments.id"], name=op.f("fk_payment_refunds_payment_id_payments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_refunds")),
    )
    with op.batch_alter_table("payment_refunds", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_payment_refunds_payment_id"), ["payment_id"], unique=False
        )
    op.create_table(
        "payment_events",
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("event_id", sa.String(length=255), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("payment_id", sa.String(length=32), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("received_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("provider", "event_id", name=op.f("pk_payment_events")),
    )
    op.create_table(
        "sandbox_payment_intents",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("amount", ExactDecimal(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("token", sa.String(length=255), nullable=True),
        sa.Column("idempotency_key", sa.String(length=320), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("failure_code", sa.String(length=64), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sandbox_payment_intents")),
        sa.UniqueConstraint(
            "idempotency_key", name=op.f("uq_sandbox_payment_intents_idempotency_key")
        ),
    )
    op.create_table(
        "sandbox_payment_refunds",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("intent_id", sa.String(length=40), nullable=False),
        sa.Column("amount", ExactDecimal(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("idempotency_key", sa.String(length=320), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["intent_id"],
            ["sandbox_payment_intents.id"],
            name=op.f("fk_sandbox_payment_refunds_intent_id_sandbox_payment_intents"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sandbox_payment_refunds")),
        sa.UniqueConstraint(
            "idempotency_key", name=op.f("uq_sandbox_payment_refunds_idempotency_key")
        ),
    )
    with op.batch_alter_table("sandbox_payment_refunds", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sandbox_payment_refunds_intent_id"), ["intent_id"], unique=False
        )
    op.create_table(
        "sandbox_payment_events",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("delivered_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sandbox_payment_events")),
    )


def downgrade() -> None:
    op.drop_table("sandbox_payment_events")
    with op.batch_alter_table("sandbox_payment_refunds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sandbox_payment_refunds_intent_id"))
    op.drop_table("sandbox_payment_refunds")
    op.drop_table("sandbox_payment_intents")
    op.drop_table("payment_events")
    with op.batch_alter_table("payment_refunds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payment_refunds_payment_id"))
    op.drop_table("payment_refunds")
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_index("uq_payments_paid_order")
        batch_op.drop_index("uq_payments_open_order")
        batch_op.drop_index(batch_op.f("ix_payments_organization_id"))
        batch_op.drop_index(batch_op.f("ix_payments_created_at"))
        batch_op.drop_index(batch_op.f("ix_payments_buyer_id"))
    op.drop_table("payments")
