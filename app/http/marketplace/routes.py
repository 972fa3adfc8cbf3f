"""Listings of minted credits, quotes that lock a price, and the price history."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from app.domain.marketplace import quotes, services
from app.domain.marketplace.model import Listing, ListingStatus, Quote
from app.http.common.auth import current_principal, public, requires
from app.http.common.deps import platform, uow
from app.http.common.idempotency import idempotent
from app.http.common.openapi import rule_codes
from app.http.common.pagination import Page, paginated
from app.http.marketplace import schemas as s
from app.http.marketplace.blueprint import blp
from app.ports.repositories.marketplace import ListingQuery, PricePoint


@blp.route("/market/listings", methods=["GET"])
@public
@blp.arguments(s.ListingArgs, location="query")
@blp.response(200, s.ListingSchema(many=True))
@paginated(blp)
def list_listings(args: dict[str, Any], page: Page) -> tuple[Sequence[Listing], int]:
    """Listings, newest first, by project, project type, country, vintage and status."""
    query = ListingQuery(
        project_id=args.get("project_id"),
        project_type=args.get("type"),
        country=(args.get("country") or "").upper() or None,
        vintage=args.get("vintage"),
        status=ListingStatus(args["status"]) if "status" in args else None,
    )
    return services.list_listings(query, offset=page.offset, limit=page.limit, uow=uow())


@blp.route("/market/listings/<listing_id>", methods=["GET"])
@public
@blp.response(200, s.ListingSchema)
def get_listing(listing_id: str) -> Listing:
    """One listing with what is available, reserved by open orders and sold."""
    return services.get_listing(listing_id, uow=uow())


@blp.route("/market/listings", methods=["POST"])
@requires("market:sell")
@idempotent
@rule_codes("invalid_amount", "base_price_required", "currency_mismatch", "invalid_vintage")
@blp.arguments(s.ListingCreateSchema)
@blp.response(201, s.ListingSchema)
@blp.alt_response(404, description="No such project")
def create_listing(body: dict[str, Any]) -> Listing:
    """List part of the project organization's free holding of a vintage (its issuers):
    the kilograms are reserved at once, so no retirement or other listing can promise
    them; beyond the free holding -> 409 `insufficient_holding`. Without `base_price`,
    the vintage's base price set by the platform. Accepts Idempotency-Key."""
    p = platform()
    return services.create_listing(
        current_principal(),
        project_id=body["project_id"],
        vintage=body["vintage"],
        quantity=body["quantity"],
        base_price=body["base_price"],
        floor_price=body["floor_price"],
        organization_id=body["organization_id"],
        uow=uow(),
        clock=p.clock,
        custody=p.custody,
        market=p.market,
    )


@blp.route("/market/listings/<listing_id>", methods=["DELETE"])
@requires("market:sell")
@blp.response(204)
def withdraw_listing(listing_id: str) -> None:
    """Withdraw a listing: what no open order holds goes back to the seller at once; what
    open orders hold follows their outcome."""
    p = platform()
    services.withdraw_listing(
        current_principal(), listing_id, uow=uow(), clock=p.clock, market=p.market
    )


@blp.route("/market/quotes", methods=["POST"])
@requires("market:buy")
@rule_codes("rate_unavailable", "amount_out_of_range", "invalid_vintage")
@blp.arguments(s.QuoteCreateSchema)
@blp.response(201, s.QuoteSchema)
@blp.alt_response(404, description="No such listing or organization")
def create_quote(body: dict[str, Any]) -> Quote:
    """Price a quantity of a listing in a currency: the engine's unit price with every
    factor that made it, the fees of the payment method (and the organization's
    enterprise rate), the exchange rate; locked until `expires_at`. More than the listing
    has available -> 409 `insufficient_inventory`; a withdrawn listing -> 409
    `listing_closed`; a currency without an exchange rate -> 422 `rate_unavailable`."""
    p = platform()
    return quotes.create_quote(
        current_principal(),
        listing_id=body["listing_id"],
        quantity=body["quantity"],
        currency=body["currency"],
        payment_method=body["payment_method"],
        organization_id=body["organization_id"],
        uow=uow(),
        clock=p.clock,
        market=p.market,
    )


@blp.route("/market/quotes/<quote_id>", methods=["GET"])
@requires("market:read")
@blp.response(200, s.QuoteSchema)
def get_quote(quote_id: str) -> Quote:
    """One of your quotes (any, for platform admins)."""
    return quotes.get_quote(current_principal(), quote_id, uow=uow())


@blp.route("/market/prices/<project_id>/history", methods=["GET"])
@public
@blp.arguments(s.HistoryArgs, location="query")
@blp.response(200, s.PricePointSchema(many=True))
@paginated(blp)
def price_history(
    args: dict[str, Any], project_id: str, page: Page
) -> tuple[Sequence[PricePoint], int]:
    """Every change of the project's listed prices, oldest first: when, the unit price,
    and why (`listed`, `market`, `base price`)."""
    return quotes.price_history(
        project_id, args.get("vintage"), offset=page.offset, limit=page.limit, uow=uow()
    )
