"""Use cases of orders: from a quote, with the listing's kilograms reserved in the same
transaction as the order row (the listing row is locked, so concurrent orders queue on
it and none can take what another took), paid, then fulfilled on chain.

`pending_payment -> paid -> fulfilled`, or `cancelled` and `expired` (the reservation
goes back to the listing), or `refunded`. The payments module takes the money: it asks
`payable_order` before a payment and tells `settle_payment` and `refund_order` what the
provider reported. An organization's order above its approval
limit waits for an organization admin's approval before it can be paid."""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.auth.permissions import OrgRole
from app.domain.auth.principal import Principal
from app.domain.credits.custody import Custody
from app.domain.credits.services import authorize_holding
from app.domain.marketplace.errors import (
    ApprovalRequired,
    OrderStateConflict,
    QuoteExpired,
    UnknownWallet,
    WalletDelivery,
)
from app.domain.marketplace.events import OrderPaid
from app.domain.marketplace.fees import PaymentMethod, compute_charge
from app.domain.marketplace.fx import convert_with
from app.domain.marketplace.jobs import MarketChainUoW, transfer_intent
from app.domain.marketplace.model import OPEN_ORDER_STATUSES, ListingStatus, Order, OrderStatus
from app.domain.marketplace.services import MarketSettings, fee_schedule, update_of
from app.domain.shared.audit import AuditRecord
from app.domain.shared.errors import Conflict, NotFound, PermissionDenied, RuleViolation
from app.domain.shared.ids import new_id
from app.domain.shared.jobs import Job
from app.domain.shared.quantity import Quantity
from app.ports.clock import Clock
from app.ports.repositories.marketplace import MarketLedgerUoW, MarketUoW


@dataclass(frozen=True)
class RetireOnDelivery:
    beneficiary: str
    purpose: str


def _audit(
    uow: MarketLedgerUoW, action: str, order: Order, actor: str | None, **after: object
) -> None:
    uow.audit(
        AuditRecord(
            action,
            "order",
            order.id,
            actor,
            after={"status": order.status.value, **after},
            organization_id=order.organization_id,
        )
    )


def create_order(
    principal: Principal,
    *,
    quote_id: str,
    organization_id: str | None,
    retire: RetireOnDelivery | None,
    uow: MarketUoW,
    clock: Clock,
    custody: Custody,
    market: MarketSettings,
    deliver_to: str | None = None,
) -> Order:
    """Turn a live quote into an order and reserve its kilograms on the listing. The
    credits go to the buyer's custodial holding, or to `deliver_to`, one of the buying
    user's linked wallets."""
    owner_kind, owner_id = authorize_holding(principal, organization_id)
    if deliver_to is not None and (organization_id is not None or retire is not None):
        raise WalletDelivery(
            "a wallet delivery is a user's own purchase, which the platform does not retire"
            " (it holds no key of the wallet): leave out organization_id and retire"
        )
    with uow:
        quote = uow.market.get_quote(quote_id)
        if quote is None or quote.buyer_id != principal.id:
            raise NotFound("quote not found")
        now = clock.now()
        if quote.expired(now):
            raise QuoteExpired("the quote expired: ask for a new one")
        if quote.organization_id != organization_id:
            raise Conflict(
                "order for the organization the quote was priced for", code="quote_mismatch"
            )
        if uow.market.order_of_quote(quote.id) is not None:
            raise Conflict("this quote was already ordered", code="quote_used")
        listing = uow.market.listing_for_update(quote.listing_id)
        if listing is None:
            raise NotFound("listing not found")
        listing.reserve(quote.quantity_kg)
        buyer_address = (
            custody(owner_kind, owner_id, uow)
            if deliver_to is None
            else _linked_wallet(principal, deliver_to, uow)
        )
        charge = compute_charge(
            Quantity(quote.quantity_kg),
            quote.unit_price,
            fee_schedule(uow, organization_id),
            quote.payment_method,
        )
        approval_required = False
        if organization_id is not None:
            limit = uow.market.organization_terms(organization_id).approval_limit
            if limit is not None:
                total = convert_with(quote.total, limit.currency, market.rates).amount
                approval_required = limit < total
        order = Order(
            id=new_id(),
            quote_id=quote.id,
            listing_id=listing.id,
            project_id=listing.project_id,
            vintage=listing.vintage,
            token_id=listing.token_id,
            seller_organization_id=listing.seller_organization_id,
            seller_address=listing.seller_address,
            quantity_kg=quote.quantity_kg,
            unit_price=quote.unit_price,
            subtotal=quote.subtotal,
            fees=quote.fees,
            total=quote.total,
            fx_rate=quote.fx_rate,
            payment_method=quote.payment_method,
            buyer_id=principal.id,
            buyer_kind="organization" if owner_kind == "organization" else "user",
            owner_id=owner_id,
            organization_id=organization_id,
            created_at=now,
            expires_at=now + market.payment_ttl,
            seller_proceeds=charge.distribution.issuer_proceeds,
            platform_amount=charge.distribution.platform,
            processor_amount=charge.distribution.processor,
            approval_required=approval_required,
            retire_beneficiary=retire.beneficiary if retire else None,
            retire_purpose=retire.purpose if retire else None,
            buyer_address=buyer_address,
        )
        uow.market.add_order(order)
        uow.market.save_listing(listing)
        _audit(
            uow,
            "market.order_created",
            order,
            principal.id,
            quantity=Quantity(order.quantity_kg).tonnes_str(),
            total=str(order.total),
            listing_id=listing.id,
        )
        uow.commit()
    market.feed.publish(update_of(listing, now))
    return order


def _linked_wallet(principal: Principal, address: str, uow: MarketUoW) -> str:
    """The caller's linked wallet `address` (as linked, checksummed)."""
    user = uow.users.get(principal.user_id) if principal.user_id else None
    for wallet in user.wallets if user else []:
        if wallet.lower() == address.lower():
            return wallet
    raise UnknownWallet("deliver_to is not one of your linked wallets (link it: POST /me/wallets)")


def _may_see(principal: Principal, order: Order) -> bool:
    if principal.is_admin or order.buyer_id == principal.id:
        return True
    return order.organization_id is not None and principal.sees_org(order.organization_id)


def _order(
    principal: Principal, order_id: str, uow: MarketLedgerUoW, *, lock: bool = False
) -> Order:
    order = uow.market.order_for_update(order_id) if lock else uow.market.get_order(order_id)
    if order is None or not _may_see(principal, order):
        raise NotFound("order not found")
    return order


def _may_act(principal: Principal, order: Order) -> bool:
    """The buyer, a platform admin, or for an organization's order its admin or finance."""
    if principal.is_admin or order.buyer_id == principal.id:
        return True
    if order.organization_id is None:
        return False
    return principal.role_in(order.organization_id) in {OrgRole.ADMIN, OrgRole.FINANCE}


def get_order(principal: Principal, order_id: str, *, uow: MarketUoW) -> Order:
    with uow:
        return _order(principal, order_id, uow)


def list_orders(
    principal: Principal, *, offset: int, limit: int, uow: MarketUoW
) -> tuple[list[Order], int]:
    """The caller's own orders and its organizations' (everything for admins)."""
    organizations = [
        *principal.memberships,
        *([principal.api_key_org] if principal.api_key_org else []),
    ]
    owners = None if principal.is_admin else [principal.id, *organizations]
    with uow:
        return uow.market.list_orders(owners, offset, limit)


def _end_unpaid(order: Order, to: OrderStatus, uow: MarketLedgerUoW, clock: Clock) -> None:
    listing = uow.market.listing_for_update(order.listing_id)
    order.move(to, clock.now())
    if listing is not None:
        listing.release(order.quantity_kg)
        if listing.status == ListingStatus.WITHDRAWN:  # back to the seller's free holding
            holding = uow.credits.holding_for_update(listing.seller_address, listing.token_id)
            holding.release(order.quantity_kg)
            uow.credits.save_holding(holding)
        uow.market.save_listing(listing)
    uow.market.save_order(order)


def cancel_order(
    principal: Principal, order_id: str, *, uow: MarketUoW, clock: Clock, market: MarketSettings
) -> Order:
    with uow:
        order = _order(principal, order_id, uow, lock=True)
        if not _may_act(principal, order):
            raise PermissionDenied("only the buyer or its organization's admin or finance cancel")
        if order.status != OrderStatus.PENDING_PAYMENT:
            raise OrderStateConflict(f"a {order.status.value} order cannot be cancelled")
        _end_unpaid(order, OrderStatus.CANCELLED, uow, clock)
        _audit(uow, "market.order_cancelled", order, principal.id)
        uow.commit()
        listing = uow.market.get_listing(order.listing_id)
    if listing is not None:
        market.feed.publish(update_of(listing, clock.now()))
    return order


def expire_orders(*, uow: MarketUoW, clock: Clock, market: MarketSettings, limit: int = 100) -> int:
    """End the orders left unpaid past their expiry; returns how many."""
    with uow:
        due = uow.market.unpaid_expired(clock.now(), limit)
    expired = 0
    for order_id in due:
        with uow:
            order = uow.market.order_for_update(order_id)
            if order is None or order.status != OrderStatus.PENDING_PAYMENT:
                continue
            if order.expires_at > clock.now():
                continue
            _end_unpaid(order, OrderStatus.EXPIRED, uow, clock)
            _audit(uow, "market.order_expired", order, None)
            uow.commit()
            listing = uow.market.get_listing(order.listing_id)
        expired += 1
        if listing is not None:
            market.feed.publish(update_of(listing, clock.now()))
    return expired


def approve_order(principal: Principal, order_id: str, *, uow: MarketUoW) -> Order:
    """An organization admin lets an order above the approval limit be paid."""
    with uow:
        order = _order(principal, order_id, uow, lock=True)
        org = order.organization_id
        if not (
            principal.is_admin or (org is not None and principal.role_in(org) == OrgRole.ADMIN)
        ):
            raise PermissionDenied("orders are approved by the organization's admin")
        if order.status not in OPEN_ORDER_STATUSES or not order.approval_required:
            raise OrderStateConflict("the order does not wait for an approval")
        if order.approved_by is None:
            order.approved_by = principal.id
            uow.market.save_order(order)
            _audit(uow, "market.order_approved", order, principal.id)
            uow.commit()
        return order


def payable_order(
    principal: Principal,
    order_id: str,
    *,
    method: PaymentMethod,
    uow: MarketLedgerUoW,
    clock: Clock,
) -> Order:
    """The order, locked, when `principal` may pay it by `method` now (its buyer, or its
    organization's admin or finance): the payments module takes the money."""
    order = _order(principal, order_id, uow, lock=True)
    if not _may_act(principal, order):
        raise PermissionDenied("only the buyer or its organization's admin or finance pay")
    if order.status != OrderStatus.PENDING_PAYMENT:
        raise OrderStateConflict(f"a {order.status.value} order takes no payment")
    if order.awaiting_approval:
        raise ApprovalRequired("the order is above the approval limit: an admin approves it")
    if order.expires_at <= clock.now():
        raise OrderStateConflict("the order expired unpaid")
    if method != order.payment_method:
        raise RuleViolation(
            f"the order was quoted for {order.payment_method} (its processing fee is"
            f" that method's): pay by {order.payment_method}, or ask for a new quote",
            code="payment_method_mismatch",
        )
    return order


def settle_payment(order_id: str, reference: str, *, uow: MarketLedgerUoW, clock: Clock) -> bool:
    """A payment of the order succeeded: the order is `paid` and its on-chain delivery
    asked for, once. False when the order takes no payment any more (paid by another,
    cancelled or expired meanwhile)."""
    order = uow.market.order_for_update(order_id)
    if order is None or order.status != OrderStatus.PENDING_PAYMENT:
        return False
    order.payment_reference = reference
    order.move(OrderStatus.PAID, clock.now())
    uow.enqueue(Job("market.fulfil", {"order_id": order.id}))
    uow.market.save_order(order)
    _audit(uow, "market.order_paid", order, None, payment_id=reference)
    uow.publish(OrderPaid.of(order))
    return True


def refund_order(order_id: str, *, uow: MarketChainUoW, clock: Clock) -> bool:
    """The order's payment was refunded in full. Before its delivery was signed, the
    order's kilograms go back to the listing and the order is `refunded`; once
    fulfilled, only the money moved and the order is `refunded`. False when the order
    stays as it is (its transfer is signed and on its way: it will be fulfilled; the
    delivery job signs it under the order's row lock, so the two never cross)."""
    order = uow.market.order_for_update(order_id)
    if order is None:
        return False
    on_its_way = uow.chain_txs.get(transfer_intent(order.id)) is not None
    if order.status == OrderStatus.PAID and order.transfer_tx is None and not on_its_way:
        _end_unpaid(order, OrderStatus.REFUNDED, uow, clock)
    elif order.status == OrderStatus.FULFILLED:
        order.move(OrderStatus.REFUNDED, clock.now())
        uow.market.save_order(order)
    else:
        return False
    _audit(uow, "market.order_refunded", order, None)
    return True
