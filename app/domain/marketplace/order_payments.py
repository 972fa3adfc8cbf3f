"""What the payments module asks of an order: whether it may be paid now
(`payable_order`, before a payment), and what the provider reported (`settle_payment`,
`refund_order`). Each runs inside the caller's unit of work, which commits."""

from __future__ import annotations

from app.domain.auth.principal import Principal
from app.domain.marketplace.errors import ApprovalRequired, OrderStateConflict
from app.domain.marketplace.events import OrderPaid
from app.domain.marketplace.fees import PaymentMethod
from app.domain.marketplace.jobs import MarketChainUoW, transfer_intent
from app.domain.marketplace.model import Order, OrderStatus
from app.domain.marketplace.orders import audit_order, end_unpaid, find_order, may_act
from app.domain.shared.errors import PermissionDenied, RuleViolation
from app.domain.shared.jobs import Job
from app.ports.clock import Clock
from app.ports.repositories.marketplace import MarketLedgerUoW


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
    order = find_order(principal, order_id, uow, lock=True)
    if not may_act(principal, order):
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
    audit_order(uow, "market.order_paid", order, None, payment_id=reference)
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
        end_unpaid(order, OrderStatus.REFUNDED, uow, clock)
    elif order.status == OrderStatus.FULFILLED:
        order.move(OrderStatus.REFUNDED, clock.now())
        uow.market.save_order(order)
    else:
        return False
    audit_order(uow, "market.order_refunded", order, None)
    return True
