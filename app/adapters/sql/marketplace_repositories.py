"""The marketplace repository on SQLAlchemy Core."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from app.adapters.sql.marketplace_prices import SqlMarketPrices, money_columns
from app.adapters.sql.marketplace_rows import (
    fees_json,
    listing_of,
    listing_values,
    order_of,
    order_values,
    quote_of,
)
from app.adapters.sql.paging import page_of
from app.adapters.sql.tables_marketplace import (
    market_listings,
    market_orders,
    market_quotes,
)
from app.adapters.sql.tables_projects import projects
from app.domain.marketplace.model import Listing, ListingStatus, Order, OrderStatus, Quote
from app.ports.repositories.marketplace import ListingQuery


class SqlMarketRepository(SqlMarketPrices):
    # listings
    def add_listing(self, listing: Listing) -> None:
        self._db.execute(sa.insert(market_listings).values(listing_values(listing)))

    def _listing_row(self, listing_id: str, lock: bool) -> Listing | None:
        query = sa.select(market_listings).where(market_listings.c.id == listing_id)
        row = self._db.execute(query.with_for_update() if lock else query).first()
        return None if row is None else listing_of(row)

    def get_listing(self, listing_id: str) -> Listing | None:
        return self._listing_row(listing_id, False)

    def listing_for_update(self, listing_id: str) -> Listing | None:
        return self._listing_row(listing_id, True)

    def save_listing(self, listing: Listing) -> None:
        self._db.execute(
            sa.update(market_listings)
            .where(market_listings.c.id == listing.id)
            .values(listing_values(listing))
        )

    def list_listings(
        self, query: ListingQuery, offset: int, limit: int
    ) -> tuple[list[Listing], int]:
        where: list[Any] = []
        if query.project_id is not None:
            where.append(market_listings.c.project_id == query.project_id)
        if query.vintage is not None:
            where.append(market_listings.c.vintage == query.vintage)
        if query.status is not None:
            where.append(market_listings.c.status == query.status.value)
        if query.project_type is not None or query.country is not None:
            of_projects = sa.select(projects.c.id)
            if query.project_type is not None:
                of_projects = of_projects.where(projects.c.type == query.project_type)
            if query.country is not None:
                of_projects = of_projects.where(projects.c.country == query.country)
            where.append(market_listings.c.project_id.in_(of_projects))
        select = sa.select(market_listings).where(*where)
        rows, total = page_of(
            self._db,
            select.order_by(market_listings.c.created_at.desc(), market_listings.c.id.desc()),
            offset,
            limit,
        )
        return [listing_of(r) for r in rows], total

    def listings_of(self, project_id: str, vintage: int) -> list[Listing]:
        rows = self._db.execute(
            sa.select(market_listings)
            .where(
                market_listings.c.project_id == project_id,
                market_listings.c.vintage == vintage,
                market_listings.c.status != ListingStatus.WITHDRAWN.value,
            )
            .order_by(market_listings.c.id)
            .with_for_update()
        )
        return [listing_of(r) for r in rows]

    # quotes
    def add_quote(self, quote: Quote) -> None:
        self._db.execute(
            sa.insert(market_quotes).values(
                id=quote.id,
                listing_id=quote.listing_id,
                buyer_id=quote.buyer_id,
                organization_id=quote.organization_id,
                quantity_kg=quote.quantity_kg,
                currency=quote.currency,
                payment_method=quote.payment_method,
                unit_price=quote.unit_price.amount,
                subtotal=quote.subtotal.amount,
                total=quote.total.amount,
                fees=fees_json(quote.fees),
                fx_rate=quote.fx_rate,
                fx_as_of=quote.fx_as_of,
                factors=[
                    {"name": f.name, "value": f.value, "effect": f.effect} for f in quote.factors
                ],
                **money_columns("listing_price", quote.listing_unit_price),
                created_at=quote.created_at,
                expires_at=quote.expires_at,
            )
        )

    def get_quote(self, quote_id: str) -> Quote | None:
        row = self._db.execute(
            sa.select(market_quotes).where(market_quotes.c.id == quote_id)
        ).first()
        return None if row is None else quote_of(row)

    # orders
    def add_order(self, order: Order) -> None:
        self._db.execute(sa.insert(market_orders).values(order_values(order)))

    def _order_row(self, where: Any, lock: bool) -> Order | None:
        query = sa.select(market_orders).where(where)
        row = self._db.execute(query.with_for_update() if lock else query).first()
        return None if row is None else order_of(row)

    def get_order(self, order_id: str) -> Order | None:
        return self._order_row(market_orders.c.id == order_id, False)

    def order_for_update(self, order_id: str) -> Order | None:
        return self._order_row(market_orders.c.id == order_id, True)

    def order_of_quote(self, quote_id: str) -> Order | None:
        return self._order_row(market_orders.c.quote_id == quote_id, False)

    def save_order(self, order: Order) -> None:
        self._db.execute(
            sa.update(market_orders)
            .where(market_orders.c.id == order.id)
            .values(order_values(order))
        )

    def list_orders(
        self, owner_ids: list[str] | None, offset: int, limit: int
    ) -> tuple[list[Order], int]:
        select = sa.select(market_orders)
        if owner_ids is not None:
            select = select.where(
                sa.or_(
                    market_orders.c.buyer_id.in_(owner_ids),
                    market_orders.c.owner_id.in_(owner_ids),
                )
            )
        rows, total = page_of(
            self._db,
            select.order_by(market_orders.c.created_at.desc(), market_orders.c.id.desc()),
            offset,
            limit,
        )
        return [order_of(r) for r in rows], total

    def unpaid_expired(self, now: datetime, limit: int) -> list[str]:
        rows = self._db.execute(
            sa.select(market_orders.c.id)
            .where(
                market_orders.c.status == OrderStatus.PENDING_PAYMENT.value,
                market_orders.c.expires_at <= now,
            )
            .order_by(market_orders.c.expires_at)
            .limit(limit)
        )
        return [r.id for r in rows]

    def order_for_transfer(
        self, token_id: int, sender: str, receiver: str, kg: int, *, fulfilled: bool
    ) -> Order | None:
        status = OrderStatus.FULFILLED if fulfilled else OrderStatus.PAID
        order = market_orders.c.fulfilled_at.desc() if fulfilled else market_orders.c.paid_at
        query = (
            sa.select(market_orders)
            .where(
                market_orders.c.token_id == token_id,
                sa.func.lower(market_orders.c.seller_address) == sender.lower(),
                sa.func.lower(market_orders.c.buyer_address) == receiver.lower(),
                market_orders.c.quantity_kg == kg,
                market_orders.c.status == status.value,
            )
            .order_by(order, market_orders.c.id)
            .limit(1)
            .with_for_update()
        )
        row = self._db.execute(query).first()
        return None if row is None else order_of(row)
