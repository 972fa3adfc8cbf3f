"""The marketplace's prices on SQLAlchemy Core: base prices, fee settings, organization
terms, price history, and the pricing engine's inputs read in SQL (the project's PoAI
record, similar supply, recent orders)."""

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
    market_settings,
)
from app.adapters.sql.tables_poai import poai_assignments, poai_case_history, poai_cases
from app.adapters.sql.tables_projects import projects
from app.domain.marketplace.factors import MarketActivity, ReviewRecord
from app.domain.marketplace.fees import PaymentMethod
from app.domain.shared.money import Money
from app.ports.repositories.marketplace import OrganizationTerms, PricePoint

_FEES = "platform_fees"


def money_from_row(row: Any, name: str) -> Money | None:
    amount = getattr(row, f"{name}_amount")
    return None if amount is None else Money(amount, getattr(row, f"{name}_currency"))


def money_columns(name: str, money: Money | None) -> dict[str, object]:
    return {
        f"{name}_amount": None if money is None else money.amount,
        f"{name}_currency": None if money is None else money.currency,
    }


class SqlMarketPrices:
    def __init__(self, db: Session) -> None:
        self._db = db

    # prices and fees
    def base_price(self, project_id: str, vintage: int) -> Money | None:
        row = self._db.execute(
            sa.select(market_base_prices).where(
                market_base_prices.c.project_id == project_id,
                market_base_prices.c.vintage == vintage,
            )
        ).first()
        return None if row is None else money_from_row(row, "price")

    def set_base_price(self, project_id: str, vintage: int, price: Money) -> None:
        values = {"project_id": project_id, "vintage": vintage, **money_columns("price", price)}
        self._db.execute(
            upsert_insert(self._db, market_base_prices)
            .values(values)
            .on_conflict_do_update(
                index_elements=["project_id", "vintage"],
                set_=money_columns("price", price),
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
        return OrganizationTerms(
            organization_id, row.platform_rate, money_from_row(row, "approval_limit")
        )

    def set_organization_terms(self, terms: OrganizationTerms) -> None:
        values = {
            "platform_rate": terms.platform_rate,
            **money_columns("approval_limit", terms.approval_limit),
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
                **money_columns("price", point.unit_price),
            )
        )

    def last_price(self, listing_id: str) -> Money | None:
        row = self._db.execute(
            sa.select(market_price_history)
            .where(market_price_history.c.listing_id == listing_id)
            .order_by(market_price_history.c.id.desc())
            .limit(1)
        ).first()
        return None if row is None else money_from_row(row, "price")

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
            price = money_from_row(r, "price")
            assert price is not None
            points.append(
                PricePoint(r.project_id, int(r.vintage), r.at, price, r.reason, r.listing_id)
            )
        return points, total

    # pricing inputs: each one statement, built once (`_REVIEW_RECORD`, `_MARKET_ACTIVITY`)
    def review_record(self, project_id: str) -> ReviewRecord:
        row = self._db.execute(_REVIEW_RECORD, {"project_id": project_id}).one()
        return ReviewRecord(
            decided_cases=int(row.decided),
            change_rounds=int(row.rounds),
            reviewer_approvals=int(row.approved),
            reviewer_approvals_revoked=min(int(row.revoked), int(row.approved)),
        )

    def market_activity(self, project_type: str, vintage: int, since: datetime) -> MarketActivity:
        row = self._db.execute(
            _MARKET_ACTIVITY, {"project_type": project_type, "vintage": vintage, "since": since}
        ).one()
        return MarketActivity(
            listed_kg=int(row.listed), available_kg=int(row.available), ordered_kg=int(row.ordered)
        )


def _review_record() -> sa.Select[Any]:
    """A project's PoAI record in one statement: its decided cases, the rounds of changes
    requested, and its reviewers' approvals elsewhere and how many of those projects were
    later suspended or rejected."""
    cases, history = poai_cases.c, poai_case_history.c
    project_id: sa.BindParameter[str] = sa.bindparam("project_id")

    def count(query: sa.Select[Any]) -> sa.ScalarSelect[Any]:
        return query.scalar_subquery()

    reviewers = sa.select(poai_assignments.c.reviewer_id).where(
        poai_assignments.c.case_id.in_(sa.select(cases.id).where(cases.project_id == project_id))
    )
    approvals = sa.select(cases.project_id).where(
        cases.decision == "approve", cases.decided_by.in_(reviewers)
    )
    return sa.select(
        count(
            sa.select(sa.func.count()).where(
                cases.project_id == project_id, cases.decision.is_not(None)
            )
        ).label("decided"),
        count(
            sa.select(sa.func.count())
            .select_from(poai_case_history.join(poai_cases, cases.id == history.case_id))
            .where(cases.project_id == project_id, history.to_status == "changes_requested")
        ).label("rounds"),
        count(sa.select(sa.func.count()).select_from(approvals.subquery())).label("approved"),
        count(
            sa.select(sa.func.count()).where(
                projects.c.id.in_(approvals), projects.c.status.in_(("suspended", "rejected"))
            )
        ).label("revoked"),
    )


def _market_activity() -> sa.Select[Any]:
    """Listed and available kilograms of similar credits (same project type and vintage,
    active listings) and the kilograms ordered of them since `since`, in one statement."""
    listings, orders = market_listings.c, market_orders.c
    vintage: sa.BindParameter[int] = sa.bindparam("vintage")
    similar = listings.project_id.in_(
        sa.select(projects.c.id).where(projects.c.type == sa.bindparam("project_type"))
    )
    ordered = sa.select(sa.func.coalesce(sa.func.sum(orders.quantity_kg), 0)).where(
        orders.listing_id.in_(sa.select(listings.id).where(similar, listings.vintage == vintage)),
        orders.created_at >= sa.bindparam("since"),
        orders.status.not_in(("cancelled", "expired")),
    )
    return sa.select(
        sa.func.coalesce(sa.func.sum(listings.quantity_kg), 0).label("listed"),
        sa.func.coalesce(
            sa.func.sum(listings.quantity_kg - listings.reserved_kg - listings.sold_kg), 0
        ).label("available"),
        ordered.scalar_subquery().label("ordered"),
    ).where(similar, listings.vintage == vintage, listings.status == "active")


_REVIEW_RECORD = _review_record()
_MARKET_ACTIVITY = _market_activity()
