"""Orders from quotes, their approval and cancellation (their payments are the payments
module's). A paid order is `fulfilled` once the indexer sees its on-chain transfer."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from app.domain.marketplace import orders
from app.domain.marketplace.model import Order
from app.http.common.auth import current_principal, requires
from app.http.common.blueprint import ApiBlueprint
from app.http.common.deps import platform, uow
from app.http.common.idempotency import idempotent
from app.http.common.openapi import rule_codes
from app.http.common.pagination import Page, paginated
from app.http.marketplace import order_schemas as s

blp = ApiBlueprint("orders", __name__, description="Orders of listed credits")


@blp.route("/orders", methods=["POST"])
@requires("market:buy")
@idempotent
@rule_codes("rate_unavailable", "unknown_wallet", "wallet_delivery")
@blp.arguments(s.OrderCreateSchema)
@blp.response(201, s.OrderSchema)
@blp.alt_response(404, description="No such quote or organization")
def create_order(body: dict[str, Any]) -> Order:
    """Order a live quote: its kilograms are reserved on the listing until the order is
    paid, cancelled or expires (`expires_at`). For an organization (its admin or
    finance), the quote must have been priced for it; above the organization's approval
    limit the order waits for its admin (`approval_required`). With `retire`, the credits
    are retired for the beneficiary once delivered (`retirement_id`). With `deliver_to`
    (one of your linked wallets, else 422 `unknown_wallet`), they are transferred there
    instead of to your custodial holding. An expired quote
    -> 409 `quote_expired`; a quote ordered before -> 409 `quote_used`; not enough left
    -> 409 `insufficient_inventory`. Accepts Idempotency-Key."""
    retire = body["retire"]
    p = platform()
    return orders.create_order(
        current_principal(),
        quote_id=body["quote_id"],
        organization_id=body["organization_id"],
        retire=None if retire is None else orders.RetireOnDelivery(**retire),
        uow=uow(),
        clock=p.clock,
        custody=p.custody,
        market=p.market,
        deliver_to=body["deliver_to"],
    )


@blp.route("/orders", methods=["GET"])
@requires("market:read")
@blp.response(200, s.OrderSchema(many=True))
@paginated(blp)
def list_orders(page: Page) -> tuple[Sequence[Order], int]:
    """Your orders and your organizations', newest first (every order, for admins)."""
    return orders.list_orders(current_principal(), offset=page.offset, limit=page.limit, uow=uow())


@blp.route("/orders/<order_id>", methods=["GET"])
@requires("market:read")
@blp.response(200, s.OrderSchema)
def get_order(order_id: str) -> Order:
    """One order, with its delivery transaction and retirement once they exist."""
    return orders.get_order(current_principal(), order_id, uow=uow())


@blp.route("/orders/<order_id>/cancel", methods=["POST"])
@requires("market:buy")
@idempotent
@blp.response(200, s.OrderSchema)
def cancel_order(order_id: str) -> Order:
    """Cancel an unpaid order (its buyer, or its organization's admin or finance): its
    kilograms are available on the listing again. Not `pending_payment` -> 409
    `order_state`. Accepts Idempotency-Key."""
    p = platform()
    return orders.cancel_order(
        current_principal(), order_id, uow=uow(), clock=p.clock, market=p.market
    )


@blp.route("/orders/<order_id>/approve", methods=["POST"])
@requires("orders:approve")
@blp.response(200, s.OrderSchema)
def approve_order(order_id: str) -> Order:
    """Approve an order above the organization's approval limit (its admin), so it can be
    paid. An order that waits for no approval -> 409 `order_state`."""
    return orders.approve_order(current_principal(), order_id, uow=uow())
