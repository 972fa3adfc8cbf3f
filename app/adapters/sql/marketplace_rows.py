"""Marketplace rows and the domain objects they hold: listings, quotes and orders, with
their money as exact decimals beside its currency, and fees as JSON."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from app.adapters.sql.marketplace_prices import money_columns, money_from_row
from app.domain.marketplace.factors import Factor
from app.domain.marketplace.fees import Fee, FeeKind
from app.domain.marketplace.model import Listing, ListingStatus, Order, OrderStatus, Quote
from app.domain.shared.money import Money

_KINDS: dict[str, FeeKind] = {
    "platform": "platform",
    "processing": "processing",
    "enterprise": "enterprise",
}


def fees_json(fees: list[Fee]) -> list[dict[str, str]]:
    return [{"kind": f.kind, "rate": str(f.rate), "amount": str(f.amount.amount)} for f in fees]


def fees_of(data: list[dict[str, str]], currency: str) -> list[Fee]:
    return [
        Fee(_KINDS[f["kind"]], Decimal(f["rate"]), Money(Decimal(f["amount"]), currency))
        for f in data
    ]


def listing_values(listing: Listing) -> dict[str, object]:
    return {
        "id": listing.id,
        "project_id": listing.project_id,
        "vintage": listing.vintage,
        "batch_id": listing.batch_id,
        "token_id": listing.token_id,
        "seller_organization_id": listing.seller_organization_id,
        "seller_address": listing.seller_address,
        "quantity_kg": listing.quantity_kg,
        "reserved_kg": listing.reserved_kg,
        "sold_kg": listing.sold_kg,
        **money_columns("base", listing.base_price),
        **money_columns("floor", listing.floor_price),
        **money_columns("price", listing.unit_price),
        "status": listing.status.value,
        "created_by": listing.created_by,
        "created_at": listing.created_at,
        "withdrawn_at": listing.withdrawn_at,
    }


def listing_of(row: Any) -> Listing:
    base, price = money_from_row(row, "base"), money_from_row(row, "price")
    assert base is not None
    assert price is not None
    return Listing(
        id=row.id,
        project_id=row.project_id,
        vintage=int(row.vintage),
        batch_id=row.batch_id,
        token_id=int(row.token_id),
        seller_organization_id=row.seller_organization_id,
        seller_address=row.seller_address,
        quantity_kg=int(row.quantity_kg),
        base_price=base,
        floor_price=money_from_row(row, "floor"),
        unit_price=price,
        created_by=row.created_by,
        created_at=row.created_at,
        reserved_kg=int(row.reserved_kg),
        sold_kg=int(row.sold_kg),
        status=ListingStatus(row.status),
        withdrawn_at=row.withdrawn_at,
    )


def quote_of(row: Any) -> Quote:
    currency = row.currency
    listing_price = money_from_row(row, "listing_price")
    assert listing_price is not None
    return Quote(
        id=row.id,
        listing_id=row.listing_id,
        buyer_id=row.buyer_id,
        organization_id=row.organization_id,
        quantity_kg=int(row.quantity_kg),
        currency=currency,
        payment_method=row.payment_method,
        unit_price=Money(row.unit_price, currency),
        subtotal=Money(row.subtotal, currency),
        fees=fees_of(row.fees, currency),
        total=Money(row.total, currency),
        fx_rate=row.fx_rate,
        fx_as_of=row.fx_as_of,
        factors=[Factor(f["name"], f["value"], f["effect"]) for f in row.factors],
        listing_unit_price=listing_price,
        created_at=row.created_at,
        expires_at=row.expires_at,
    )


_ORDER_SCALARS = [
    "id",
    "quote_id",
    "listing_id",
    "project_id",
    "vintage",
    "token_id",
    "seller_organization_id",
    "seller_address",
    "quantity_kg",
    "fx_rate",
    "payment_method",
    "buyer_id",
    "buyer_kind",
    "owner_id",
    "organization_id",
    "buyer_address",
    "approval_required",
    "approved_by",
    "retire_beneficiary",
    "retire_purpose",
    "retirement_id",
    "transfer_tx",
    "payment_reference",
    "fulfilment_failure",
    "created_at",
    "expires_at",
    "paid_at",
    "fulfilled_at",
    "closed_at",
]


_ORDER_MONEY = [
    "unit_price",
    "subtotal",
    "total",
    "seller_proceeds",
    "platform_amount",
    "processor_amount",
]


def order_values(order: Order) -> dict[str, object]:
    values: dict[str, object] = {name: getattr(order, name) for name in _ORDER_SCALARS}
    values.update({name: getattr(order, name).amount for name in _ORDER_MONEY})
    values.update(
        currency=order.total.currency,
        fees=fees_json(order.fees),
        status=order.status.value,
        history=[[status, at.isoformat()] for status, at in order.history],
    )
    return values


def order_of(row: Any) -> Order:
    currency = row.currency
    values: dict[str, Any] = {name: getattr(row, name) for name in _ORDER_SCALARS}
    values.update({name: Money(getattr(row, name), currency) for name in _ORDER_MONEY})
    values.update(
        vintage=int(row.vintage),
        token_id=int(row.token_id),
        quantity_kg=int(row.quantity_kg),
        approval_required=bool(row.approval_required),
        fees=fees_of(row.fees, currency),
        status=OrderStatus(row.status),
        history=[(status, datetime.fromisoformat(at)) for status, at in row.history],
    )
    return Order(**values)
