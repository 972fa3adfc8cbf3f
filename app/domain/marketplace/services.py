"""Use cases of listings, prices and quotes (orders are in `orders`).

A listing reserves its kilograms in the seller's holding (see `model`); its price is the
pricing engine's, recomputed from the base price and the market whenever a quote is
asked, and every change of it is kept in the price history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Protocol

from app.domain.auth.principal import Principal
from app.domain.credits.custody import Custody
from app.domain.credits.model import BatchStatus
from app.domain.marketplace.errors import InsufficientHolding, InsufficientInventory, ListingClosed
from app.domain.marketplace.fees import (
    DEFAULT_FEE_SCHEDULE,
    FeeSchedule,
    PaymentMethod,
    check_rate,
    compute_charge,
)
from app.domain.marketplace.fx import convert_with
from app.domain.marketplace.model import Listing, ListingStatus, Quote
from app.domain.marketplace.pricing import (
    DEFAULT_PRICING_CONFIG,
    Price,
    PricingConfig,
    PricingInputs,
    QualityLabels,
    compute_price,
)
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
from app.ports.repositories.auth import AuthUoW
from app.ports.repositories.marketplace import (
    ListingQuery,
    MarketUoW,
    OrganizationTerms,
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


def _project(principal: Principal | None, project_id: str, uow: MarketUoW) -> Project:
    project = uow.projects.get(project_id)
    if project is None or not can_see(principal, project):
        raise NotFound("project not found")
    return project


def _listing(listing_id: str, uow: MarketUoW, *, lock: bool = False) -> Listing:
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


def _reprice(
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
        project = _project(principal, project_id, uow)
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
        for batch in uow.credits.batches_for(project_id, vintage):
            if batch.status != BatchStatus.CONFIRMED:
                continue
            holding = uow.credits.holding_for_update(address, batch.token_id)
            if holding.available_kg < quantity.kg:
                continue
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
            _reprice(listing, project, uow=uow, now=now, market=market, reason="listed")
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
    raise InsufficientHolding(
        f"no confirmed batch of {project_id} vintage {vintage} has {quantity.tonnes_str()} t"
        " free in the organization's holding (minted, not promised to a retirement or"
        " another listing)"
    )


def withdraw_listing(
    principal: Principal, listing_id: str, *, uow: MarketUoW, clock: Clock, market: MarketSettings
) -> Listing:
    """Stop selling: what no open order holds goes back to the seller now; what open
    orders hold follows their outcome."""
    with uow:
        listing = _listing(listing_id, uow, lock=True)
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
        return _listing(listing_id, uow)


def list_listings(
    query: ListingQuery, *, offset: int, limit: int, uow: MarketUoW
) -> tuple[list[Listing], int]:
    with uow:
        return uow.market.list_listings(query, offset, limit)


def create_quote(
    principal: Principal,
    *,
    listing_id: str,
    quantity: Quantity,
    currency: str,
    payment_method: PaymentMethod,
    organization_id: str | None,
    uow: MarketUoW,
    clock: Clock,
    market: MarketSettings,
) -> Quote:
    """Price `quantity` of a listing for this buyer, with fees and the exchange rate, and
    lock it until `expires_at`."""
    if quantity.kg <= 0:
        raise RuleViolation("quantity must be positive", code="invalid_quantity")
    if organization_id is not None and not principal.sees_org(organization_id):
        raise NotFound("organization not found")
    with uow:
        listing = _listing(listing_id, uow, lock=True)
        if listing.status == ListingStatus.WITHDRAWN:
            raise ListingClosed("the listing is withdrawn")
        if quantity.kg > listing.available_kg:
            raise InsufficientInventory(
                f"{Quantity(max(listing.available_kg, 0)).tonnes_str()} t left on this listing,"
                f" {quantity.tonnes_str()} t asked"
            )
        project = _project(principal, listing.project_id, uow)
        now = clock.now()
        before = listing.unit_price
        price = _reprice(listing, project, uow=uow, now=now, market=market, reason="market")
        conversion = convert_with(price.unit_price, currency, market.rates)
        charge = compute_charge(
            quantity, conversion.amount, fee_schedule(uow, organization_id), payment_method
        )
        quote = Quote(
            id=new_id(),
            listing_id=listing.id,
            buyer_id=principal.id,
            organization_id=organization_id,
            quantity_kg=quantity.kg,
            currency=currency,
            payment_method=payment_method,
            unit_price=conversion.amount,
            subtotal=charge.subtotal,
            fees=charge.fees,
            total=charge.total,
            fx_rate=conversion.rate,
            fx_as_of=market.rates.as_of.isoformat(),
            factors=price.factors,
            listing_unit_price=price.unit_price,
            created_at=now,
            expires_at=now + market.quote_ttl,
        )
        uow.market.add_quote(quote)
        if listing.unit_price != before:
            uow.market.save_listing(listing)
        uow.commit()
    if listing.unit_price != before:
        market.feed.publish(update_of(listing, now))
    return quote


def get_quote(principal: Principal, quote_id: str, *, uow: MarketUoW) -> Quote:
    with uow:
        quote = uow.market.get_quote(quote_id)
    if quote is None or not (principal.is_admin or quote.buyer_id == principal.id):
        raise NotFound("quote not found")
    return quote


def price_history(
    project_id: str, vintage: int | None, *, offset: int, limit: int, uow: MarketUoW
) -> tuple[list[PricePoint], int]:
    with uow:
        _project(None, project_id, uow)
        return uow.market.price_history(project_id, vintage, offset, limit)


def _admin(principal: Principal) -> None:
    if not principal.is_admin:
        raise PermissionDenied("pricing is set by platform admins")


def set_base_price(
    principal: Principal,
    project_id: str,
    vintage: int,
    price: Money,
    *,
    uow: MarketUoW,
    clock: Clock,
    market: MarketSettings,
) -> Money:
    """The base price of a project vintage; its open listings follow it."""
    _admin(principal)
    if price.amount <= 0:
        raise RuleViolation("a base price is positive", code="invalid_price")
    with uow:
        project = uow.projects.get(project_id)
        if project is None:
            raise NotFound("project not found")
        uow.market.set_base_price(project_id, vintage, price)
        now = clock.now()
        changed = []
        for listing in uow.market.listings_of(project_id, vintage):
            if listing.floor_price is not None and listing.floor_price.currency != price.currency:
                continue  # a seller's floor in another currency keeps the listing's own base
            listing.base_price = price
            _reprice(listing, project, uow=uow, now=now, market=market, reason="base price")
            uow.market.save_listing(listing)
            changed.append(listing)
        uow.audit(
            AuditRecord(
                "market.base_price_set",
                "project",
                project_id,
                principal.id,
                after={"vintage": vintage, "price": str(price)},
            )
        )
        uow.commit()
    for listing in changed:
        market.feed.publish(update_of(listing, now))
    return price


def set_platform_fees(
    principal: Principal,
    platform_rate: Decimal,
    processing_rates: dict[PaymentMethod, Decimal],
    *,
    uow: MarketUoW,
) -> FeeSchedule:
    _admin(principal)
    schedule = FeeSchedule(platform_rate=platform_rate, processing_rates=processing_rates)
    with uow:
        uow.market.set_platform_fees(platform_rate, dict(schedule.processing_rates))
        uow.audit(
            AuditRecord(
                "market.fees_set",
                "platform",
                "fees",
                principal.id,
                after={
                    "platform_rate": str(platform_rate),
                    "processing_rates": {k: str(v) for k, v in processing_rates.items()},
                },
            )
        )
        uow.commit()
    return schedule


class MarketTermsUoW(MarketUoW, AuthUoW, Protocol):
    """The marketplace beside the organizations whose terms it keeps."""


def set_organization_terms(
    principal: Principal,
    organization_id: str,
    *,
    platform_rate: Decimal | None,
    approval_limit: Money | None,
    uow: MarketTermsUoW,
) -> OrganizationTerms:
    """An organization's enterprise schedule (its platform rate, None: the platform's) and
    the total above which its orders wait for its admin's approval (None: no limit)."""
    _admin(principal)
    if platform_rate is not None:
        check_rate(platform_rate, "platform_rate")
    if approval_limit is not None and approval_limit.amount < 0:
        raise RuleViolation("an approval limit cannot be negative", code="invalid_amount")
    terms = OrganizationTerms(organization_id, platform_rate, approval_limit)
    with uow:
        if uow.organizations.get(organization_id) is None:
            raise NotFound("organization not found")
        uow.market.set_organization_terms(terms)
        uow.audit(
            AuditRecord(
                "market.organization_terms_set",
                "organization",
                organization_id,
                principal.id,
                after={
                    "platform_rate": None if platform_rate is None else str(platform_rate),
                    "approval_limit": None if approval_limit is None else str(approval_limit),
                },
                organization_id=organization_id,
            )
        )
        uow.commit()
    return terms
