"""Tables of payments, their refunds and the provider events applied, and the embedded
sandbox provider's own state. The database holds the invariants: one open and one paid
payment per order (partial unique indexes), one row per provider event id, one provider
intent per intent id; refund totals are kept within the amount under the payment's row
lock (amounts are exact text on SQLite, where a check could not compare them)."""

from __future__ import annotations

import sqlalchemy as sa

from app.adapters.sql.tables import metadata
from app.adapters.sql.types import ExactDecimal, Json, UtcDateTime

OPEN = "status IN ('processing', 'requires_action', 'pending')"
PAID = "status IN ('succeeded', 'partially_refunded', 'refunded')"

payments = sa.Table(
    "payments",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("order_id", sa.String(32), sa.ForeignKey("market_orders.id"), nullable=False),
    sa.Column("buyer_id", sa.String(64), nullable=False, index=True),
    sa.Column("organization_id", sa.String(32), nullable=True, index=True),
    sa.Column("method", sa.String(16), nullable=False),
    sa.Column("amount", ExactDecimal, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("refund_committed", ExactDecimal, nullable=False),
    sa.Column("refunded", ExactDecimal, nullable=False),
    sa.Column("provider", sa.String(32), nullable=False),
    sa.Column("idempotency_key", sa.String(255), nullable=False),
    sa.Column("status", sa.String(24), nullable=False),
    sa.Column("intent_id", sa.String(255), nullable=True),
    sa.Column("next_action", Json, nullable=True),
    sa.Column("failure_code", sa.String(64), nullable=True),
    sa.Column("reference", sa.String(25), nullable=True, unique=True),
    sa.Column("created_at", UtcDateTime, nullable=False, index=True),
    sa.Column("succeeded_at", UtcDateTime, nullable=True),
    sa.Column("updated_at", UtcDateTime, nullable=True),
    sa.UniqueConstraint("order_id", "idempotency_key", name="uq_payments_order_idempotency"),
    sa.UniqueConstraint("provider", "intent_id", name="uq_payments_provider_intent"),
    sa.Index(
        "uq_payments_open_order",
        "order_id",
        unique=True,
        postgresql_where=sa.text(OPEN),
        sqlite_where=sa.text(OPEN),
    ),
    sa.Index(
        "uq_payments_paid_order",
        "order_id",
        unique=True,
        postgresql_where=sa.text(PAID),
        sqlite_where=sa.text(PAID),
    ),
)

payment_refunds = sa.Table(
    "payment_refunds",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column(
        "payment_id", sa.String(32), sa.ForeignKey("payments.id"), nullable=False, index=True
    ),
    sa.Column("amount", ExactDecimal, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("reason", sa.String(500), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("provider_refund_id", sa.String(255), nullable=True),
    sa.Column("failure_code", sa.String(64), nullable=True),
    sa.Column("created_by", sa.String(64), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("completed_at", UtcDateTime, nullable=True),
)

payment_events = sa.Table(
    "payment_events",
    metadata,
    sa.Column("provider", sa.String(32), primary_key=True),
    sa.Column("event_id", sa.String(255), primary_key=True),
    sa.Column("type", sa.String(64), nullable=False),
    sa.Column("payment_id", sa.String(32), nullable=True),
    sa.Column("outcome", sa.String(16), nullable=False),
    sa.Column("received_at", UtcDateTime, nullable=False),
)

sandbox_intents = sa.Table(
    "sandbox_payment_intents",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("reference", sa.String(64), nullable=False),
    sa.Column("amount", ExactDecimal, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("token", sa.String(255), nullable=True),
    sa.Column("idempotency_key", sa.String(320), nullable=False, unique=True),
    sa.Column("status", sa.String(24), nullable=False),
    sa.Column("failure_code", sa.String(64), nullable=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
)

sandbox_refunds = sa.Table(
    "sandbox_payment_refunds",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("reference", sa.String(64), nullable=False),
    sa.Column(
        "intent_id",
        sa.String(40),
        sa.ForeignKey("sandbox_payment_intents.id"),
        nullable=False,
        index=True,
    ),
    sa.Column("amount", ExactDecimal, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("idempotency_key", sa.String(320), nullable=False, unique=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
)

sandbox_events = sa.Table(
    "sandbox_payment_events",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("type", sa.String(64), nullable=False),
    sa.Column("body", sa.LargeBinary, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("delivered_at", UtcDateTime, nullable=True),
)

crypto_deposits = sa.Table(
    "payment_crypto_deposits",
    metadata,
    sa.Column("payment_id", sa.String(32), sa.ForeignKey("payments.id"), primary_key=True),
    sa.Column("address", sa.String(42), nullable=False, unique=True),
    sa.Column("sealed_key", sa.LargeBinary, nullable=False),
    sa.Column("wrapped_key", sa.LargeBinary, nullable=False),
    sa.Column("key_id", sa.String(64), nullable=False),
    sa.Column("chain_id", sa.BigInteger, nullable=False),
    sa.Column("currency", sa.String(8), nullable=False),
    sa.Column("amount_wei", ExactDecimal, nullable=False),
    sa.Column("rate", ExactDecimal, nullable=False),
    sa.Column("rate_as_of", sa.Date, nullable=False),
    sa.Column("expires_at", UtcDateTime, nullable=False),
    sa.Column("received_wei", ExactDecimal, nullable=False),
    sa.Column("checked_block", sa.BigInteger, nullable=True),
)

credit_terms = sa.Table(
    "payment_credit_terms",
    metadata,
    sa.Column(
        "organization_id", sa.String(32), sa.ForeignKey("organizations.id"), primary_key=True
    ),
    sa.Column("credit_limit", ExactDecimal, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("net_days", sa.Integer, nullable=False),
    sa.Column("updated_by", sa.String(64), nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.CheckConstraint("net_days BETWEEN 0 AND 365", name="net_days_range"),
)

invoice_sequences = sa.Table(
    "invoice_sequences",
    metadata,
    sa.Column("year", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("last_number", sa.Integer, nullable=False),
)

invoices = sa.Table(
    "invoices",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("number", sa.String(20), nullable=False, unique=True),
    sa.Column("payment_id", sa.String(32), sa.ForeignKey("payments.id"), nullable=False),
    sa.Column("order_id", sa.String(32), sa.ForeignKey("market_orders.id"), nullable=False),
    sa.Column("organization_id", sa.String(32), nullable=False, index=True),
    sa.Column("buyer_id", sa.String(64), nullable=False),
    sa.Column("lines", Json, nullable=False),
    sa.Column("subtotal", ExactDecimal, nullable=False),
    sa.Column("total", ExactDecimal, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("reference", sa.String(25), nullable=False),
    sa.Column("bank", Json, nullable=False),
    sa.Column("on_credit", sa.Boolean, nullable=False),
    sa.Column("issued_at", UtcDateTime, nullable=False),
    sa.Column("due_date", sa.Date, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("paid_at", UtcDateTime, nullable=True),
    sa.UniqueConstraint("payment_id", name="uq_invoices_payment"),
    sa.CheckConstraint("status IN ('open', 'overdue', 'paid', 'void')", name="status_known"),
)
