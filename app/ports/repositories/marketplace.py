"""Repositories of the marketplace."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from app.domain.marketplace.factors import MarketActivity, ReviewRecord
from app.domain.marketplace.fees import PaymentMethod
from app.domain.marketplace.model import Listing, ListingStatus, Order, Quote
from app.domain.shared.money import Money
from app.ports.repositories.auth import AuthUoW
from app.ports.repositories.credits import CreditsUoW
from app.ports.repositories.projects import ProjectsUoW


@dataclass(frozen=True)
class ListingQuery:
    project_id: str | None = None
    project_type: str | None = None
    country: str | None = None
    vintage: int | None = None
    status: ListingStatus | None = None


@dataclass(frozen=True)
class PricePoint:
    project_id: str
    vintage: int
    at: datetime
    unit_price: Money
    reason: str
    listing_id: str | None = None


@dataclass(frozen=True)
class OrganizationTerms:
    """An organization's enterprise schedule and its approval limit (None: none)."""

    organization_id: str
    platform_rate: Decimal | None = None
    approval_limit: Money | None = None


class MarketRepository(Protocol):
    def add_listing(self, listing: Listing) -> None: ...

    def get_listing(self, listing_id: str) -> Listing | None: ...

    def listing_for_update(self, listing_id: str) -> Listing | None: ...

    def save_listing(self, listing: Listing) -> None: ...

    def list_listings(
        self, query: ListingQuery, offset: int, limit: int
    ) -> tuple[list[Listing], int]:
        """Newest first: the page from `offset` and how many match in all."""
        ...

    def listings_of(self, project_id: str, vintage: int) -> list[Listing]:
        """The project's open listings of that vintage, locked (their price follows the
        vintage's base price)."""
        ...

    def add_quote(self, quote: Quote) -> None: ...

    def get_quote(self, quote_id: str) -> Quote | None: ...

    def add_order(self, order: Order) -> None: ...

    def get_order(self, order_id: str) -> Order | None: ...

    def order_for_update(self, order_id: str) -> Order | None: ...

    def order_of_quote(self, quote_id: str) -> Order | None: ...

    def save_order(self, order: Order) -> None: ...

    def list_orders(
        self, owner_ids: list[str] | None, offset: int, limit: int
    ) -> tuple[list[Order], int]:
        """Newest first; `owner_ids` None means every order (platform admins)."""
        ...

    def unpaid_expired(self, now: datetime, limit: int) -> list[str]:
        """Ids of orders still awaiting payment after their expiry."""
        ...

    def order_for_transfer(
        self, token_id: int, sender: str, receiver: str, kg: int, *, fulfilled: bool
    ) -> Order | None:
        """The order this transfer delivers, locked: the oldest paid one (`fulfilled`
        False) or, to undo a transfer after a reorganization, the newest fulfilled one."""
        ...

    def base_price(self, project_id: str, vintage: int) -> Money | None: ...

    def set_base_price(self, project_id: str, vintage: int, price: Money) -> None: ...

    def platform_fees(self) -> tuple[Decimal, dict[PaymentMethod, Decimal]] | None:
        """The platform rate and processing rates by method, when set by an admin."""
        ...

    def set_platform_fees(
        self, platform_rate: Decimal, processing: dict[PaymentMethod, Decimal]
    ) -> None: ...

    def organization_terms(self, organization_id: str) -> OrganizationTerms: ...

    def set_organization_terms(self, terms: OrganizationTerms) -> None: ...

    def add_price_point(self, point: PricePoint) -> None: ...

    def last_price(self, listing_id: str) -> Money | None: ...

    def price_history(
        self, project_id: str, vintage: int | None, offset: int, limit: int
    ) -> tuple[list[PricePoint], int]:
        """Oldest first."""
        ...

    def review_record(self, project_id: str) -> ReviewRecord:
        """The project's PoAI record: decided cases, rounds of changes requested, and its
        reviewers' track record."""
        ...

    def market_activity(self, project_type: str, vintage: int, since: datetime) -> MarketActivity:
        """Listed and available kilograms of similar credits (same type and vintage), and
        kilograms ordered since `since`."""
        ...


class MarketLedgerUoW(CreditsUoW, Protocol):
    """The market beside the ledger: what its jobs and its projection work in."""

    @property
    def market(self) -> MarketRepository: ...


class MarketUoW(MarketLedgerUoW, ProjectsUoW, AuthUoW, Protocol):
    """What the marketplace's use cases work in: listings price and sell projects' credits."""
