"""Use cases of quotes: a listing's price for a buyer, with fees and the exchange rate,
locked until `expires_at`; and the price history of a project's vintages."""

from __future__ import annotations

from app.domain.auth.principal import Principal
from app.domain.marketplace.errors import InsufficientInventory, ListingClosed
from app.domain.marketplace.fees import (
    PaymentMethod,
    compute_charge,
)
from app.domain.marketplace.fx import convert_with
from app.domain.marketplace.model import ListingStatus, Quote
from app.domain.marketplace.services import (
    MarketSettings,
    fee_schedule,
    listing_for,
    project_for,
    reprice,
    update_of,
)
from app.domain.shared.errors import NotFound, RuleViolation
from app.domain.shared.ids import new_id
from app.domain.shared.quantity import Quantity
from app.ports.clock import Clock
from app.ports.repositories.marketplace import (
    MarketUoW,
    PricePoint,
)


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
        listing = listing_for(listing_id, uow, lock=True)
        if listing.status == ListingStatus.WITHDRAWN:
            raise ListingClosed("the listing is withdrawn")
        if quantity.kg > listing.available_kg:
            raise InsufficientInventory(
                f"{Quantity(max(listing.available_kg, 0)).tonnes_str()} t left on this listing,"
                f" {quantity.tonnes_str()} t asked"
            )
        project = project_for(principal, listing.project_id, uow)
        now = clock.now()
        before = listing.unit_price
        price = reprice(listing, project, uow=uow, now=now, market=market, reason="market")
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
        project_for(None, project_id, uow)
        return uow.market.price_history(project_id, vintage, offset, limit)
