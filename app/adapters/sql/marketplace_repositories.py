"""The marketplace repository on SQLAlchemy Core."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.adapters.sql.database import upsert_insert
from app.adapters.sql.paging import page_of
from app.adapters.sql.tables_marketplace import (
    market_base_prices,
    market_listings,
    market_orders,
    market_organization_terms,
    market_price_history,
    market_quotes,
    market_settings,
)
from app.adapters.sql.tables_poai import poai_assignments, poai_case_history, poai_cases
from app.adapters.sql.tables_projects import projects
from app.domain.marketplace.fees import Fee, FeeKind, PaymentMethod
from app.domain.marketplace.model import Listing, ListingStatus, Order, OrderStatus, Quote
from app.domain.marketplace.pricing import Factor, MarketActivity, ReviewRecord
from app.domain.shared.money import Money
from app.ports.repositories.marketplace import ListingQuery, OrganizationTerms, PricePoint

_FEES = "platform_fees"
_KINDS: dict[str, FeeKind] = {
    "platform": "platform",
    "processing": "processing",
    "enterprise": "enterprise",
}


def _money(row: Any, name: str) -> Money | None:
    amount = getattr(row, f"{name}_amount")
    return None if amount is None else Money(amount, getattr(row, f"{name}_currency"))


def _money_values(name: str, money: Money | None) -> dict[str, object]:
    return {
        f"{name}_amount": None if money is None else money.amount,
        f"{name}_currency": None if money is None else money.currency,
    }


def _fees_json(fees: list[Fee]) -> list[dict[str, str]]:
    return [{"kind": f.kind, "rate": str(f.rate), "amount": str(f.amount.amount)} for f in fees]


def _fees(data: list[dict[str, str]], currency: str) -> list[Fee]:
    return [
        Fee(_KINDS[f["kind"]], Decimal(f["rate"]), Money(Decimal(f["amount"]), currency))
        for f in data
    ]


def _listing_values(listing: Listing) -> dict[str, object]:
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
        **_money_values("base", listing.base_price),
        **_money_values("floor", listing.floor_price),
        **_money_values("price", listing.unit_price),
        "status": listing.status.value,
        "created_by": listing.created_by,
        "created_at": listing.created_at,
        "withdrawn_at": listing.withdrawn_at,
    }


def _listing(row: Any) -> Listing:
    base, price = _money(row, "base"), _money(row, "price")
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
        floor_price=_money(row, "floor"),
        unit_price=price,
        created_by=row.created_by,
        created_at=row.created_at,
        reserved_kg=int(row.reserved_kg),
        sold_kg=int(row.sold_kg),
        status=ListingStatus(row.status),
        withdrawn_at=row.withdrawn_at,
    )


def _quote(row: Any) -> Quote:
    currency = row.currency
    listing_price = _money(row, "listing_price")
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
        fees=_fees(row.fees, currency),
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


def _order_values(order: Order) -> dict[str, object]:
    values: dict[str, object] = {name: getattr(order, name) for name in _ORDER_SCALARS}
    values.update({name: getattr(order, name).amount for name in _ORDER_MONEY})
    values.update(
        currency=order.total.currency,
        fees=_fees_json(order.fees),
        status=order.status.value,
        history=[[status, at.isoformat()] for status, at in order.history],
    )
    return values


def _order(row: Any) -> Order:
    currency = row.currency
    values: dict[str, Any] = {name: getattr(row, name) for name in _ORDER_SCALARS}
    values.update({name: Money(getattr(row, name), currency) for name in _ORDER_MONEY})
    values.update(
        vintage=int(row.vintage),
        token_id=int(row.token_id),
        quantity_kg=int(row.quantity_kg),
        approval_required=bool(row.approval_required),
        fees=_fees(row.fees, currency),
        status=OrderStatus(row.status),
        history=[(status, datetime.fromisoformat(at)) for status, at in row.history],
    )
    return Order(**values)


class SqlMarketRepository:
    def __init__(self, db: Session) -> None:
        self._db = db

    # listings
    def add_listing(self, listing: Listing) -> None:
        self._db.execute(sa.insert(market_listings).values(_listing_values(listing)))

    def _listing_row(self, listing_id: str, lock: bool) -> Listing | None:
        query = sa.select(market_listings).where(market_listings.c.id == listing_id)
        row = self._db.execute(query.with_for_update() if lock else query).first()
        return None if row is None else _listing(row)

    def get_listing(self, listing_id: str) -> Listing | None:
        return self._listing_row(listing_id, False)

    def listing_for_update(self, listing_id: str) -> Listing | None:
        return self._listing_row(listing_id, True)

    def save_listing(self, listing: Listing) -> None:
        self._db.execute(
            sa.update(market_listings)
            .where(market_listings.c.id == listing.id)
            .values(_listing_values(listing))
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
        return [_listing(r) for r in rows], total

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
        return [_listing(r) for r in rows]

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
                fees=_fees_json(quote.fees),
                fx_rate=quote.fx_rate,
                fx_as_of=quote.fx_as_of,
                factors=[
                    {"name": f.name, "value": f.value, "effect": f.effect} for f in quote.factors
                ],
                **_money_values("listing_price", quote.listing_unit_price),
                created_at=quote.created_at,
                expires_at=quote.expires_at,
            )
        )

    def get_quote(self, quote_id: str) -> Quote | None:
        row = self._db.execute(
            sa.select(market_quotes).where(market_quotes.c.id == quote_id)
        ).first()
        return None if row is None else _quote(row)

    # orders
    def add_order(self, order: Order) -> None:
        self._db.execute(sa.insert(market_orders).values(_order_values(order)))

    def _order_row(self, where: Any, lock: bool) -> Order | None:
        query = sa.select(market_orders).where(where)
        row = self._db.execute(query.with_for_update() if lock else query).first()
        return None if row is None else _order(row)

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
            .values(_order_values(order))
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
        return [_order(r) for r in rows], total

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
        return None if row is None else _order(row)

    # prices and fees
    def base_price(self, project_id: str, vintage: int) -> Money | None:
        row = self._db.execute(
            sa.select(market_base_prices).where(
                market_base_prices.c.project_id == project_id,
                market_base_prices.c.vintage == vintage,
            )
        ).first()
        return None if row is None else _money(row, "price")

    def set_base_price(self, project_id: str, vintage: int, price: Money) -> None:
        values = {"project_id": project_id, "vintage": vintage, **_money_values("price", price)}
        self._db.execute(
            upsert_insert(self._db, market_base_prices)
            .values(values)
            .on_conflict_do_update(
                index_elements=["project_id", "vintage"],
                set_=_money_values("price", price),
            )
        )

    def platform_fees(self) -> tuple[Decimal, dict[PaymentMethod, Decimal]] | None:
        row = self._db.execute(
            sa.select(market_settings.c.value).where(market_settings.c.name == _FEES)
        ).first()
        if row is None:
            return None
        value = row.value
        processing = {k: Decimal(v) for k, v in value["processing_rates"].items()}
        return Decimal(value["platform_rate"]), processing

    def set_platform_fees(
        self, platform_rate: Decimal, processing: dict[PaymentMethod, Decimal]
    ) -> None:
        value = {
            "platform_rate": str(platform_rate),
            "processing_rates": {k: str(v) for k, v in processing.items()},
        }
        self._db.execute(
            upsert_insert(self._db, market_settings)
            .values(name=_FEES, value=value)
            .on_conflict_do_update(index_elements=["name"], set_={"value": value})
        )

    def organization_terms(self, organization_id: str) -> OrganizationTerms:
        row = self._db.execute(
            sa.select(market_organization_terms).where(
                market_organization_terms.c.organization_id == organization_id
            )
        ).first()
        if row is None:
            return OrganizationTerms(organization_id)
        return OrganizationTerms(organization_id, row.platform_rate, _money(row, "approval_limit"))

    def set_organization_terms(self, terms: OrganizationTerms) -> None:
        values = {
            "platform_rate": terms.platform_rate,
            **_money_values("approval_limit", terms.approval_limit),
        }
        self._db.execute(
            upsert_insert(self._db, market_organization_terms)
            .values(organization_id=terms.organization_id, **values)
            .on_conflict_do_update(index_elements=["organization_id"], set_=values)
        )

    def add_price_point(self, point: PricePoint) -> None:
        self._db.execute(
            sa.insert(market_price_history).values(
                project_id=point.project_id,
                vintage=point.vintage,
                listing_id=point.listing_id,
                at=point.at,
                reason=point.reason,
                **_money_values("price", point.unit_price),
            )
        )

    def last_price(self, listing_id: str) -> Money | None:
        row = self._db.execute(
            sa.select(market_price_history)
            .where(market_price_history.c.listing_id == listing_id)
            .order_by(market_price_history.c.id.desc())
            .limit(1)
        ).first()
        return None if row is None else _money(row, "price")

    def price_history(
        self, project_id: str, vintage: int | None, offset: int, limit: int
    ) -> tuple[list[PricePoint], int]:
        select = sa.select(market_price_history).where(
            market_price_history.c.project_id == project_id
        )
        if vintage is not None:
            select = select.where(market_price_history.c.vintage == vintage)
        rows, total = page_of(
            self._db,
            select.order_by(market_price_history.c.at, market_price_history.c.id),
            offset,
            limit,
        )
        points = []
        for r in rows:
            price = _money(r, "price")
            assert price is not None
            points.append(
                PricePoint(r.project_id, int(r.vintage), r.at, price, r.reason, r.listing_id)
            )
        return points, total

    # pricing inputs
    def review_record(self, project_id: str) -> ReviewRecord:
        cases = poai_cases.c
        decided = self._db.execute(
            sa.select(sa.func.count()).where(
                cases.project_id == project_id, cases.decision.is_not(None)
            )
        ).scalar_one()
        history = poai_case_history.c
        rounds = self._db.execute(
            sa.select(sa.func.count())
            .select_from(poai_case_history.join(poai_cases, poai_cases.c.id == history.case_id))
            .where(cases.project_id == project_id, history.to_status == "changes_requested")
        ).scalar_one()
        reviewers = sa.select(poai_assignments.c.reviewer_id).where(
            poai_assignments.c.case_id.in_(
                sa.select(cases.id).where(cases.project_id == project_id)
            )
        )
        approvals = sa.select(cases.project_id).where(
            cases.decision == "approve", cases.decided_by.in_(reviewers)
        )
        approved = self._db.execute(
            sa.select(sa.func.count()).select_from(approvals.subquery())
        ).scalar_one()
        revoked = self._db.execute(
            sa.select(sa.func.count()).where(
                projects.c.id.in_(approvals),
                projects.c.status.in_(("suspended", "rejected")),
            )
        ).scalar_one()
        return ReviewRecord(
            decided_cases=int(decided),
            change_rounds=int(rounds),
            reviewer_approvals=int(approved),
            reviewer_approvals_revoked=min(int(revoked), int(approved)),
        )

    def market_activity(self, project_type: str, vintage: int, since: datetime) -> MarketActivity:
        listings = market_listings.c
        similar = listings.project_id.in_(
            sa.select(projects.c.id).where(projects.c.type == project_type)
        )
        row = self._db.execute(
            sa.select(
                sa.func.coalesce(sa.func.sum(listings.quantity_kg), 0),
                sa.func.coalesce(
                    sa.func.sum(listings.quantity_kg - listings.reserved_kg - listings.sold_kg), 0
                ),
            ).where(similar, listings.vintage == vintage, listings.status == "active")
        ).one()
        orders = market_orders.c
        ordered = self._db.execute(
            sa.select(sa.func.coalesce(sa.func.sum(orders.quantity_kg), 0)).where(
                orders.listing_id.in_(
                    sa.select(listings.id).where(similar, listings.vintage == vintage)
                ),
                orders.created_at >= since,
                orders.status.not_in(("cancelled", "expired")),
            )
        ).scalar_one()
        return MarketActivity(
            listed_kg=int(row[0]), available_kg=int(row[1]), ordered_kg=int(ordered)
        )
