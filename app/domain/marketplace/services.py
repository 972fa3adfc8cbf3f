"""Use cases of listings, prices and quotes (orders are in `orders`).

A listing reserves its kilograms in the seller's holding (see `model`); its price is the
pricing engine's, recomputed from the base price and the market whenever a quote is
asked, and every change of it is kept in the price history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from app.domain.auth.principal import Principal
from app.domain.credits.custody import Custody
from app.domain.credits.holdings import first_free_holding
from app.domain.marketplace.errors import InsufficientHolding
from app.domain.marketplace.factors import PricingInputs, QualityLabels
from app.domain.marketplace.fees import (
    DEFAULT_FEE_SCHEDULE,
    FeeSchedule,
)
from app.domain.marketplace.model import Listing
from app.domain.marketplace.pricing import Price, compute_price
from app.domain.marketplace.pricing_config import DEFAULT_PRICING_CONFIG, PricingConfig
from app.domain.projects.access import can_see, is_issuer_of
from app.domain.projects.model import Project
from app.domain.shared.audit import AuditRecord
from app.domain.shared.errors import NotFound, PermissionDenied, RuleViolation
from app.domain.shared.ids import new_id
from app.domain.shared.money import Money
from app.domain.shared.quantity import Quantity
from app.ports.clock import Clock
from app.ports.market_feed import ListingUpdate, MarketFeed
from app.ports.rates import ExchangeRates
from app.ports.repositories.marketplace import (
    ListingQuery,
    MarketUoW,
    PricePoint,
)


@dataclass(frozen=True)
class MarketSettings:
    """How the marketplace prices, and how long what it promises holds."""

    rates: ExchangeRates
    feed: MarketFeed
    pricing: PricingConfig = DEFAULT_PRICING_CONFIG
    quote_ttl: timedelta = timedelta(minutes=15)
    payment_ttl: timedelta = timedelta(hours=24)


def project_for(principal: Principal | None, project_id: str, uow: MarketUoW) -> Project:
    project = uow.projects.get(project_id)
    if project is None or not can_see(principal, project):
        raise NotFound("project not found")
    return project


def listing_for(listing_id: str, uow: MarketUoW, *, lock: bool = False) -> Listing:
    listing = (
        uow.market.listing_for_update(listing_id) if lock else uow.market.get_listing(listing_id)
    )
    if listing is None:
        raise NotFound("listing not found")
    return listing


def fee_schedule(uow: MarketUoW, organization_id: str | None) -> FeeSchedule:
    """The platform's schedule (an admin's, else the default), with the organization's
    enterprise rate when it has one."""
    stored = uow.market.platform_fees()
    schedule = DEFAULT_FEE_SCHEDULE
    if stored is not None:
        rate, processing = stored
        schedule = FeeSchedule(platform_rate=rate, processing_rates=processing)
    if organization_id is None:
        return schedule
    return schedule.for_organization(uow.market.organization_terms(organization_id).platform_rate)


def price_of(
    listing: Listing, project: Project, *, uow: MarketUoW, now: datetime, market: MarketSettings
) -> Price:
    """The engine's price per tonne for this listing now: its base price and every factor."""
    config = market.pricing
    inputs = PricingInputs(
        project_type=project.type.value,
        vintage=listing.vintage,
        current_year=now.year,
        reviews=uow.market.review_record(project.id),
        quality=QualityLabels(
            mitigation=project.mitigation,
            ccp_approved=project.ccp_approved,
            corsia_eligible=project.corsia_eligible,
            corresponding_adjustment=project.corresponding_adjustment,
        ),
        market=uow.market.market_activity(
            project.type.value, listing.vintage, now - timedelta(days=config.demand_window_days)
        ),
    )
    return compute_price(listing.base_price, inputs, floor=listing.floor_price, config=config)


def reprice(
    listing: Listing,
    project: Project,
    *,
    uow: MarketUoW,
    now: datetime,
    market: MarketSettings,
    reason: str,
) -> Price:
    price = price_of(listing, project, uow=uow, now=now, market=market)
    if price.unit_price != listing.unit_price or uow.market.last_price(listing.id) is None:
        listing.unit_price = price.unit_price
        uow.market.add_price_point(
            PricePoint(project.id, listing.vintage, now, price.unit_price, reason, listing.id)
        )
    return price


def update_of(listing: Listing, at: datetime) -> ListingUpdate:
    return ListingUpdate(
        listing_id=listing.id,
        unit_price=listing.unit_price,
        available_kg=listing.available_kg,
        status=listing.status.value,
        at=at,
    )


def create_listing(
    principal: Principal,
    *,
    project_id: str,
    vintage: int,
    quantity: Quantity,
    base_price: Money | None,
    floor_price: Money | None,
    organization_id: str | None,
    uow: MarketUoW,
    clock: Clock,
    custody: Custody,
    market: MarketSettings,
) -> Listing:
    """List part of the seller organization's free holding of a project vintage."""
    if quantity.kg <= 0:
        raise RuleViolation("quantity must be positive", code="invalid_quantity")
    with uow:
        project = project_for(principal, project_id, uow)
        seller = project.organization_id
        if organization_id is not None and organization_id != seller:
            raise PermissionDenied("credits are listed by the project's own organization")
        if not (principal.is_admin or is_issuer_of(principal, seller)):
            raise PermissionDenied("only the project's issuers list its credits")
        base = base_price or uow.market.base_price(project_id, vintage)
        if base is None:
            raise RuleViolation(
                "no base price is set for this project and vintage: give base_price",
                code="base_price_required",
            )
        if floor_price is not None and floor_price.currency != base.currency:
            raise RuleViolation(
                "the floor price must be in the base price's currency", code="currency_mismatch"
            )
        address = custody("organization", seller, uow)
        now = clock.now()
        free = first_free_holding(
            uow, address, project_id, vintage, quantity.kg, confirmed_only=True
        )
        if free is None:
            raise InsufficientHolding(
                f"no confirmed batch of {project_id} vintage {vintage} has"
                f" {quantity.tonnes_str()} t free in the organization's holding (minted, not"
                " promised to a retirement or another listing)"
            )
        batch, holding = free
        holding.reserve(quantity.kg)
        uow.credits.save_holding(holding)
        listing = Listing(
            id=new_id(),
            project_id=project_id,
            vintage=vintage,
            batch_id=batch.id,
            token_id=batch.token_id,
            seller_organization_id=seller,
            seller_address=address,
            quantity_kg=quantity.kg,
            base_price=base,
            floor_price=floor_price,
            unit_price=base,
            created_by=principal.id,
            created_at=now,
        )
        reprice(listing, project, uow=uow, now=now, market=market, reason="listed")
        uow.market.add_listing(listing)
        uow.audit(
            AuditRecord(
                "market.listing_created",
                "listing",
                listing.id,
                principal.id,
                after={
                    "project_id": project_id,
                    "vintage": vintage,
                    "token_id": batch.token_id,
                    "quantity": quantity.tonnes_str(),
                    "base_price": str(base),
                },
                organization_id=seller,
            )
        )
        uow.commit()
        market.feed.publish(update_of(listing, now))
        return listing


def withdraw_listing(
    principal: Principal, listing_id: str, *, uow: MarketUoW, clock: Clock, market: MarketSettings
) -> Listing:
    """Stop selling: what no open order holds goes back to the seller now; what open
    orders hold follows their outcome."""
    with uow:
        listing = listing_for(listing_id, uow, lock=True)
        if not (principal.is_admin or is_issuer_of(principal, listing.seller_organization_id)):
            raise PermissionDenied("only the seller's issuers withdraw its listings")
        now = clock.now()
        free = listing.withdraw(now)
        if free:
            holding = uow.credits.holding_for_update(listing.seller_address, listing.token_id)
            holding.release(free)
            uow.credits.save_holding(holding)
        uow.market.save_listing(listing)
        uow.audit(
            AuditRecord(
                "market.listing_withdrawn",
                "listing",
                listing.id,
                principal.id,
                after={"returned": Quantity(free).tonnes_str()},
                organization_id=listing.seller_organization_id,
            )
        )
        uow.commit()
    market.feed.publish(update_of(listing, now))
    return listing


def get_listing(listing_id: str, *, uow: MarketUoW) -> Listing:
    with uow:
        return listing_for(listing_id, uow)


def list_listings(
    query: ListingQuery, *, offset: int, limit: int, uow: MarketUoW
) -> tuple[list[Listing], int]:
    with uow:
        return uow.market.list_listings(query, offset, limit)
