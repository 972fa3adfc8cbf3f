"""Quality labels of projects, and the marketplace: listings, quotes, orders, base
prices, fee schedules, organization terms and the price history.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 15:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from app.adapters.sql.types import ExactDecimal, Json, UtcDateTime

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
    op.create_table(
        "market_organization_terms",
        sa.Column("organization_id", sa.String(length=32), nullable=False),
        sa.Column("platform_rate", ExactDecimal(), nullable=True),
        sa.Column("approval_limit_amount", ExactDecimal(), nullable=True),
        sa.Column("approval_limit_currency", sa.String(length=3), nullable=True),
        sa.PrimaryKeyConstraint("organization_id", name=op.f("pk_market_organization_terms")),
    )
    op.create_table(
        "market_price_history",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("project_id", sa.String(length=32), nullable=False),
        sa.Column("vintage", sa.Integer(), nullable=False),
        sa.Column("listing_id", sa.String(length=32), nullable=True),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("price_amount", ExactDecimal(), nullable=False),
        sa.Column("price_currency", sa.String(length=3), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_market_price_history")),
    )
    with op.batch_alter_table("market_price_history", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_market_price_history_listing_id"), ["listing_id"], unique=False
        )
        batch_op.create_index(
            "ix_market_price_history_project", ["project_id", "vintage", "at"], unique=False
        )

    op.create_table(
        "market_settings",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", Json, nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_market_settings")),
    )
    op.create_table(
        "market_base_prices",
        sa.Column("project_id", sa.String(length=32), nullable=False),
        sa.Column("vintage", sa.Integer(), nullable=False),
        sa.Column("price_amount", ExactDecimal(), nullable=False),
        sa.Column("price_currency", sa.String(length=3), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_market_base_prices_project_id_projects")
        ),
        sa.PrimaryKeyConstraint("project_id", "vintage", name=op.f("pk_market_base_prices")),
    )
    op.create_table(
        "market_listings",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("project_id", sa.String(length=32), nullable=False),
        sa.Column("vintage", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.String(length=32), nullable=False),
        sa.Column("token_id", sa.BigInteger(), nullable=False),
        sa.Column("seller_organization_id", sa.String(length=32), nullable=False),
        sa.Column("seller_address", sa.String(length=42), nullable=False),
        sa.Column("quantity_kg", sa.BigInteger(), nullable=False),
        sa.Column("reserved_kg", sa.BigInteger(), nullable=False),
        sa.Column("sold_kg", sa.BigInteger(), nullable=False),
        sa.Column("base_amount", ExactDecimal(), nullable=False),
        sa.Column("base_currency", sa.String(length=3), nullable=False),
        sa.Column("floor_amount", ExactDecimal(), nullable=True),
        sa.Column("floor_currency", sa.String(length=3), nullable=True),
        sa.Column("price_amount", ExactDecimal(), nullable=False),
        sa.Column("price_currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("withdrawn_at", UtcDateTime(), nullable=True),
        sa.CheckConstraint("quantity_kg > 0", name=op.f("ck_market_listings_quantity_positive")),
        sa.CheckConstraint(
            "reserved_kg + sold_kg <= quantity_kg",
            name=op.f("ck_market_listings_inventory_within_listed"),
        ),
        sa.CheckConstraint(
            "reserved_kg >= 0 AND sold_kg >= 0",
            name=op.f("ck_market_listings_inventory_not_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_market_listings_project_id_projects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_market_listings")),
    )
    with op.batch_alter_table("market_listings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_market_listings_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_market_listings_project_id"), ["project_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_market_listings_seller_organization_id"),
            ["seller_organization_id"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_market_listings_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_market_listings_vintage"), ["vintage"], unique=False)

    op.create_table(
        "market_quotes",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("listing_id", sa.String(length=32), nullable=False),
        sa.Column("buyer_id", sa.String(length=64), nullable=False),
        sa.Column("organization_id", sa.String(length=32), nullable=True),
        sa.Column("quantity_kg", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("payment_method", sa.String(length=16), nullable=False),
        sa.Column("unit_price", ExactDecimal(), nullable=False),
        sa.Column("subtotal", ExactDecimal(), nullable=False),
        sa.Column("total", ExactDecimal(), nullable=False),
        sa.Column("fees", Json, nullable=False),
        sa.Column("fx_rate", ExactDecimal(), nullable=False),
        sa.Column("fx_as_of", sa.String(length=10), nullable=False),
        sa.Column("factors", Json, nullable=False),
        sa.Column("listing_price_amount", ExactDecimal(), nullable=False),
        sa.Column("listing_price_currency", sa.String(length=3), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["listing_id"],
            ["market_listings.id"],
            name=op.f("fk_market_quotes_listing_id_market_listings"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_market_quotes")),
    )
    with op.batch_alter_table("market_quotes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_market_quotes_buyer_id"), ["buyer_id"], unique=False)

    op.create_table(
        "market_orders",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("quote_id", sa.String(length=32), nullable=False),
        sa.Column("listing_id", sa.String(length=32), nullable=False),
        sa.Column("project_id", sa.String(length=32), nullable=False),
        sa.Column("vintage", sa.Integer(), nullable=False),
        sa.Column("token_id", sa.BigInteger(), nullable=False),
        sa.Column("seller_organization_id", sa.String(length=32), nullable=False),
        sa.Column("seller_address", sa.String(length=42), nullable=False),
        sa.Column("quantity_kg", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("unit_price", ExactDecimal(), nullable=False),
        sa.Column("subtotal", ExactDecimal(), nullable=False),
        sa.Column("total", ExactDecimal(), nullable=False),
        sa.Column("fees", Json, nullable=False),
        sa.Column("fx_rate", ExactDecimal(), nullable=False),
        sa.Column("payment_method", sa.String(length=16), nullable=False),
        sa.Column("seller_proceeds", ExactDecimal(), nullable=False),
        sa.Column("platform_amount", ExactDecimal(), nullable=False),
        sa.Column("processor_amount", ExactDecimal(), nullable=False),
        sa.Column("buyer_id", sa.String(length=64), nullable=False),
        sa.Column("buyer_kind", sa.String(length=16), nullable=False),
        sa.Column("owner_id", sa.String(length=64), nullable=False),
        sa.Column("organization_id", sa.String(length=32), nullable=True),
        sa.Column("buyer_address", sa.String(length=42), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("approval_required", sa.Boolean(), nullable=False),
        sa.Column("approved_by", sa.String(length=64), nullable=True),
        sa.Column("retire_beneficiary", sa.Text(), nullable=True),
        sa.Column("retire_purpose", sa.Text(), nullable=True),
        sa.Column("retirement_id", sa.String(length=32), nullable=True),
        sa.Column("transfer_tx", sa.String(length=66), nullable=True),
        sa.Column("payment_reference", sa.String(length=64), nullable=True),
        sa.Column("fulfilment_failure", sa.Text(), nullable=True),
        sa.Column("history", Json, nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.Column("paid_at", UtcDateTime(), nullable=True),
        sa.Column("fulfilled_at", UtcDateTime(), nullable=True),
        sa.Column("closed_at", UtcDateTime(), nullable=True),
        sa.CheckConstraint("quantity_kg > 0", name=op.f("ck_market_orders_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["listing_id"],
            ["market_listings.id"],
            name=op.f("fk_market_orders_listing_id_market_listings"),
        ),
        sa.ForeignKeyConstraint(
            ["quote_id"], ["market_quotes.id"], name=op.f("fk_market_orders_quote_id_market_quotes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_market_orders")),
        sa.UniqueConstraint("quote_id", name=op.f("uq_market_orders_quote_id")),
    )
    with op.batch_alter_table("market_orders", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_market_orders_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_market_orders_expires_at"), ["expires_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_market_orders_listing_id"), ["listing_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_market_orders_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_market_orders_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("market_orders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_market_orders_status"))
        batch_op.drop_index(batch_op.f("ix_market_orders_owner_id"))
        batch_op.drop_index(batch_op.f("ix_market_orders_listing_id"))
        batch_op.drop_index(batch_op.f("ix_market_orders_expires_at"))
        batch_op.drop_index(batch_op.f("ix_market_orders_created_at"))

    op.drop_table("market_orders")
    with op.batch_alter_table("market_quotes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_market_quotes_buyer_id"))

    op.drop_table("market_quotes")
    with op.batch_alter_table("market_listings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_market_listings_vintage"))
        batch_op.drop_index(batch_op.f("ix_market_listings_status"))
        batch_op.drop_index(batch_op.f("ix_market_listings_seller_organization_id"))
        batch_op.drop_index(batch_op.f("ix_market_listings_project_id"))
        batch_op.drop_index(batch_op.f("ix_market_listings_created_at"))

    op.drop_table("market_listings")
    op.drop_table("market_base_prices")
    op.drop_table("market_settings")
    with op.batch_alter_table("market_price_history", schema=None) as batch_op:
        batch_op.drop_index("ix_market_price_history_project")
        batch_op.drop_index(batch_op.f("ix_market_price_history_listing_id"))

    op.drop_table("market_price_history")
    op.drop_table("market_organization_terms")
    for name in LABELS:
        op.drop_column("projects", name)
