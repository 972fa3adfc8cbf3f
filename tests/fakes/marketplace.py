"""In-memory marketplace repository, checked like the SQL tables are (the ledger's fake
unit of work, `tests.fakes.ledger`, carries it: the indexer's projection reaches it)."""

from __future__ import annotations

import copy
from datetime import datetime
from decimal import Decimal

from app.domain.marketplace.factors import MarketActivity, ReviewRecord
from app.domain.marketplace.fees import PaymentMethod
from app.domain.marketplace.model import Listing, ListingStatus, Order, OrderStatus, Quote
from app.domain.shared.money import Money
from app.ports.repositories.marketplace import ListingQuery, OrganizationTerms, PricePoint
from tests.fakes.credits import ConstraintViolation


class FakeMarketRepository:
    def __init__(self) -> None:
        self.listings: dict[str, Listing] = {}
        self.quotes: dict[str, Quote] = {}
        self.orders: dict[str, Order] = {}
        self.base_prices: dict[tuple[str, int], Money] = {}
        self.fees: tuple[Decimal, dict[PaymentMethod, Decimal]] | None = None
        self.terms: dict[str, OrganizationTerms] = {}
        self.prices: list[PricePoint] = []
        self.reviews: dict[str, ReviewRecord] = {}
        self.project_types: dict[str, str] = {}  # project id -> type, for market activity

    @staticmethod
    def _check(listing: Listing) -> None:
        if listing.quantity_kg <= 0 or listing.reserved_kg < 0 or listing.sold_kg < 0:
            raise ConstraintViolation("listing inventory out of range")
        if listing.reserved_kg + listing.sold_kg > listing.quantity_kg:
            raise ConstraintViolation("reserved + sold exceeds the listed quantity")

    def add_listing(self, listing: Listing) -> None:
        self._check(listing)
        self.listings[listing.id] = copy.deepcopy(listing)

    def get_listing(self, listing_id: str) -> Listing | None:
        found = self.listings.get(listing_id)
        return copy.deepcopy(found) if found else None

    listing_for_update = get_listing

    def save_listing(self, listing: Listing) -> None:
        self._check(listing)
        self.listings[listing.id] = copy.deepcopy(listing)

    def list_listings(
        self, query: ListingQuery, offset: int, limit: int
    ) -> tuple[list[Listing], int]:
        found = [
            copy.deepcopy(item)
            for item in sorted(self.listings.values(), key=lambda x: (x.created_at, x.id))[::-1]
            if (query.project_id is None or item.project_id == query.project_id)
            and (query.vintage is None or item.vintage == query.vintage)
            and (query.status is None or item.status == query.status)
            and (
                query.project_type is None
                or self.project_types.get(item.project_id) == query.project_type
            )
        ]
        return found[offset : offset + limit], len(found)

    def listings_of(self, project_id: str, vintage: int) -> list[Listing]:
        return [
            copy.deepcopy(item)
            for item in self.listings.values()
            if item.project_id == project_id
            and item.vintage == vintage
            and item.status != ListingStatus.WITHDRAWN
        ]

    def add_quote(self, quote: Quote) -> None:
        self.quotes[quote.id] = copy.deepcopy(quote)

    def get_quote(self, quote_id: str) -> Quote | None:
        found = self.quotes.get(quote_id)
        return copy.deepcopy(found) if found else None

    def add_order(self, order: Order) -> None:
        if any(o.quote_id == order.quote_id for o in self.orders.values()):
            raise ConstraintViolation("one order per quote")
        self.orders[order.id] = copy.deepcopy(order)

    def get_order(self, order_id: str) -> Order | None:
        found = self.orders.get(order_id)
        return copy.deepcopy(found) if found else None

    order_for_update = get_order

    def order_of_quote(self, quote_id: str) -> Order | None:
        for order in self.orders.values():
            if order.quote_id == quote_id:
                return copy.deepcopy(order)
        return None

    def save_order(self, order: Order) -> None:
        self.orders[order.id] = copy.deepcopy(order)

    def list_orders(
        self, owner_ids: list[str] | None, offset: int, limit: int
    ) -> tuple[list[Order], int]:
        found = [
            copy.deepcopy(o)
            for o in sorted(self.orders.values(), key=lambda x: (x.created_at, x.id))[::-1]
            if owner_ids is None or o.buyer_id in owner_ids or o.owner_id in owner_ids
        ]
        return found[offset : offset + limit], len(found)

    def unpaid_expired(self, now: datetime, limit: int) -> list[str]:
        due = [
            o
            for o in self.orders.values()
            if o.status == OrderStatus.PENDING_PAYMENT and o.expires_at <= now
        ]
        return [o.id for o in sorted(due, key=lambda o: o.expires_at)][:limit]

    def order_for_transfer(
        self, token_id: int, sender: str, receiver: str, kg: int, *, fulfilled: bool
    ) -> Order | None:
        status = OrderStatus.FULFILLED if fulfilled else OrderStatus.PAID
        matching = [
            o
            for o in self.orders.values()
            if o.token_id == token_id
            and o.seller_address.lower() == sender.lower()
            and (o.buyer_address or "").lower() == receiver.lower()
            and o.quantity_kg == kg
            and o.status == status
        ]
        if not matching:
            return None
        key = (lambda o: o.fulfilled_at) if fulfilled else (lambda o: o.paid_at)
        chosen = max(matching, key=key) if fulfilled else min(matching, key=key)
        return copy.deepcopy(chosen)

    def base_price(self, project_id: str, vintage: int) -> Money | None:
        return self.base_prices.get((project_id, vintage))

    def set_base_price(self, project_id: str, vintage: int, price: Money) -> None:
        self.base_prices[(project_id, vintage)] = price

    def platform_fees(self) -> tuple[Decimal, dict[PaymentMethod, Decimal]] | None:
        return self.fees

    def set_platform_fees(
        self, platform_rate: Decimal, processing: dict[PaymentMethod, Decimal]
    ) -> None:
        self.fees = (platform_rate, dict(processing))

    def organization_terms(self, organization_id: str) -> OrganizationTerms:
        return self.terms.get(organization_id, OrganizationTerms(organization_id))

    def set_organization_terms(self, terms: OrganizationTerms) -> None:
        self.terms[terms.organization_id] = terms

    def add_price_point(self, point: PricePoint) -> None:
        self.prices.append(point)

    def last_price(self, listing_id: str) -> Money | None:
        for point in reversed(self.prices):
            if point.listing_id == listing_id:
                return point.unit_price
        return None

    def price_history(
        self, project_id: str, vintage: int | None, offset: int, limit: int
    ) -> tuple[list[PricePoint], int]:
        found = [
            p
            for p in self.prices
            if p.project_id == project_id and (vintage is None or p.vintage == vintage)
        ]
        return found[offset : offset + limit], len(found)

    def review_record(self, project_id: str) -> ReviewRecord:
        return self.reviews.get(project_id, ReviewRecord())

    def market_activity(self, project_type: str, vintage: int, since: datetime) -> MarketActivity:
        similar = [
            item
            for item in self.listings.values()
            if self.project_types.get(item.project_id, project_type) == project_type
            and item.vintage == vintage
        ]
        active = [item for item in similar if item.status == ListingStatus.ACTIVE]
        ids = {item.id for item in similar}
        ordered = sum(
            o.quantity_kg
            for o in self.orders.values()
            if o.listing_id in ids
            and o.created_at >= since
            and o.status not in (OrderStatus.CANCELLED, OrderStatus.EXPIRED)
        )
        return MarketActivity(
            listed_kg=sum(i.quantity_kg for i in active),
            available_kg=sum(i.available_kg for i in active),
            ordered_kg=ordered,
        )
