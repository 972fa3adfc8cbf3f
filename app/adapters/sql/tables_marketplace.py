"""Tables of the marketplace. Amounts are exact decimals with their currency beside them;
quantities are kilograms. The check constraints hold each listing's inventory whole
(`reserved + sold <= quantity`), whatever a bug upstream might try."""

from __future__ import annotations

import sqlalchemy as sa

from app.adapters.sql.tables import metadata
from app.adapters.sql.types import ExactDecimal, Json, UtcDateTime


def _money(name: str, *, nullable: bool = False) -> list[sa.Column[object]]:
    return [
        sa.Column(f"{name}_amount", ExactDecimal, nullable=nullable),
        sa.Column(f"{name}_currency", sa.String(3), nullable=nullable),
    ]


market_listings = sa.Table(
    "market_listings",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column(
        "project_id", sa.String(32), sa.ForeignKey("projects.id"), nullable=False, index=True
    ),
    sa.Column("vintage", sa.Integer, nullable=False, index=True),
    sa.Column("batch_id", sa.String(32), nullable=False),
    sa.Column("token_id", sa.BigInteger, nullable=False),
    sa.Column("seller_organization_id", sa.String(32), nullable=False, index=True),
    sa.Column("seller_address", sa.String(42), nullable=False),
    sa.Column("quantity_kg", sa.BigInteger, nullable=False),
    sa.Column("reserved_kg", sa.BigInteger, nullable=False),
    sa.Column("sold_kg", sa.BigInteger, nullable=False),
    *_money("base"),
    *_money("floor", nullable=True),
    *_money("price"),
    sa.Column("status", sa.String(16), nullable=False, index=True),
    sa.Column("created_by", sa.String(64), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False, index=True),
    sa.Column("withdrawn_at", UtcDateTime, nullable=True),
    sa.CheckConstraint("quantity_kg > 0", name="quantity_positive"),
    sa.CheckConstraint("reserved_kg >= 0 AND sold_kg >= 0", name="inventory_not_negative"),
    sa.CheckConstraint("reserved_kg + sold_kg <= quantity_kg", name="inventory_within_listed"),
)

market_quotes = sa.Table(
    "market_quotes",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("listing_id", sa.String(32), sa.ForeignKey("market_listings.id"), nullable=False),
    sa.Column("buyer_id", sa.String(64), nullable=False, index=True),
    sa.Column("organization_id", sa.String(32), nullable=True),
    sa.Column("quantity_kg", sa.BigInteger, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("payment_method", sa.String(16), nullable=False),
    sa.Column("unit_price", ExactDecimal, nullable=False),
    sa.Column("subtotal", ExactDecimal, nullable=False),
    sa.Column("total", ExactDecimal, nullable=False),
    sa.Column("fees", Json, nullable=False),
    sa.Column("fx_rate", ExactDecimal, nullable=False),
    sa.Column("fx_as_of", sa.String(10), nullable=False),
    sa.Column("factors", Json, nullable=False),
    *_money("listing_price"),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("expires_at", UtcDateTime, nullable=False),
)

market_orders = sa.Table(
    "market_orders",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column(
        "quote_id", sa.String(32), sa.ForeignKey("market_quotes.id"), nullable=False, unique=True
    ),
    sa.Column(
        "listing_id", sa.String(32), sa.ForeignKey("market_listings.id"), nullable=False, index=True
    ),
    sa.Column("project_id", sa.String(32), nullable=False),
    sa.Column("vintage", sa.Integer, nullable=False),
    sa.Column("token_id", sa.BigInteger, nullable=False),
    sa.Column("seller_organization_id", sa.String(32), nullable=False),
    sa.Column("seller_address", sa.String(42), nullable=False),
    sa.Column("quantity_kg", sa.BigInteger, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("unit_price", ExactDecimal, nullable=False),
    sa.Column("subtotal", ExactDecimal, nullable=False),
    sa.Column("total", ExactDecimal, nullable=False),
    sa.Column("fees", Json, nullable=False),
    sa.Column("fx_rate", ExactDecimal, nullable=False),
    sa.Column("payment_method", sa.String(16), nullable=False),
    sa.Column("seller_proceeds", ExactDecimal, nullable=False),
    sa.Column("platform_amount", ExactDecimal, nullable=False),
    sa.Column("processor_amount", ExactDecimal, nullable=False),
    sa.Column("buyer_id", sa.String(64), nullable=False),
    sa.Column("buyer_kind", sa.String(16), nullable=False),
    sa.Column("owner_id", sa.String(64), nullable=False, index=True),
    sa.Column("organization_id", sa.String(32), nullable=True),
    sa.Column("buyer_address", sa.String(42), nullable=True),
    sa.Column("status", sa.String(20), nullable=False, index=True),
    sa.Column("approval_required", sa.Boolean, nullable=False),
    sa.Column("approved_by", sa.String(64), nullable=True),
    sa.Column("retire_beneficiary", sa.Text, nullable=True),
    sa.Column("retire_purpose", sa.Text, nullable=True),
    sa.Column("retirement_id", sa.String(32), nullable=True),
    sa.Column("transfer_tx", sa.String(66), nullable=True),
    sa.Column("payment_reference", sa.String(64), nullable=True),
    sa.Column("fulfilment_failure", sa.Text, nullable=True),
    sa.Column("history", Json, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False, index=True),
    sa.Column("expires_at", UtcDateTime, nullable=False, index=True),
    sa.Column("paid_at", UtcDateTime, nullable=True),
    sa.Column("fulfilled_at", UtcDateTime, nullable=True),
    sa.Column("closed_at", UtcDateTime, nullable=True),
    sa.CheckConstraint("quantity_kg > 0", name="quantity_positive"),
)

market_base_prices = sa.Table(
    "market_base_prices",
    metadata,
    sa.Column("project_id", sa.String(32), sa.ForeignKey("projects.id"), primary_key=True),
    sa.Column("vintage", sa.Integer, primary_key=True),
    *_money("price"),
)

market_settings = sa.Table(
    "market_settings",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("value", Json, nullable=False),
)

market_organization_terms = sa.Table(
    "market_organization_terms",
    metadata,
    sa.Column("organization_id", sa.String(32), primary_key=True),
    sa.Column("platform_rate", ExactDecimal, nullable=True),
    *_money("approval_limit", nullable=True),
)

market_price_history = sa.Table(
    "market_price_history",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("project_id", sa.String(32), nullable=False),
    sa.Column("vintage", sa.Integer, nullable=False),
    sa.Column("listing_id", sa.String(32), nullable=True, index=True),
    sa.Column("at", UtcDateTime, nullable=False),
    *_money("price"),
    sa.Column("reason", sa.String(32), nullable=False),
    sa.Index("ix_market_price_history_project", "project_id", "vintage", "at"),
)
