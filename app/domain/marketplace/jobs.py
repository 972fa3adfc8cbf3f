"""Background jobs of the marketplace: the on-chain delivery of a paid order, and the
retirement an order asked for once its credits arrived.

The delivery is one transfer from the seller's custodial address to the buyer's, sent
through `app.domain.chain.services.send_once` under the intent `market.transfer:<order>`,
so a rerun never signs a second one. The order becomes `fulfilled` when the indexer sees
the `CreditsTransferred` event (`projection`), not when the transaction is sent."""

from __future__ import annotations

from typing import Protocol

from app.domain.chain.errors import CallReverted
from app.domain.credits.jobs import ChainJobsUoW, ChainWrites
from app.domain.credits.retirements import reserve_retirement
from app.domain.marketplace.model import OrderStatus
from app.domain.shared.audit import AuditRecord
from app.domain.shared.errors import Conflict
from app.domain.shared.quantity import Quantity
from app.ports.clock import Clock
from app.ports.repositories.marketplace import MarketLedgerUoW


class MarketChainUoW(MarketLedgerUoW, ChainJobsUoW, Protocol):
    """The marketplace, the ledger and the chain write-ahead log in one unit of work."""


def transfer_intent(order_id: str) -> str:
    return f"market.transfer:{order_id}"


def deliver_order(order_id: str, *, uow: MarketChainUoW, chain: ChainWrites) -> None:
    """Send the paid order's transfer, once. The transfer is signed and stored in the
    same transaction that finds the order still `paid` under its row lock: a refund
    completing meanwhile either came first (the order is `refunded`, nothing is signed)
    or finds the transfer on its way (`order_payments.refund_order` leaves the order to be
    fulfilled)."""
    with uow:
        order = uow.market.order_for_update(order_id)
        if order is None or order.status != OrderStatus.PAID or order.transfer_tx:
            return
        if order.buyer_address is None:
            raise Conflict("a paid order without a delivery address", code="order_state")
        call = chain.calls.transfer(
            order.token_id, order.seller_address, order.buyer_address, order.quantity_kg
        )
        try:
            chain.stored(transfer_intent(order_id), call, uow)
        except CallReverted as exc:
            reverted: str | None = str(exc)
        else:
            reverted = None
        uow.commit()
    if reverted is not None:
        _delivery_failed(order_id, reverted, uow=uow)
        return
    tx = chain.mined(transfer_intent(order_id), call, uow)
    if isinstance(tx, str):
        _delivery_failed(order_id, tx, uow=uow)
        return
    with uow:
        locked = uow.market.order_for_update(order_id)
        if locked is not None and not locked.transfer_tx:
            locked.transfer_tx = tx.tx_hash
            uow.market.save_order(locked)
            uow.commit()


def _delivery_failed(order_id: str, reason: str, *, uow: MarketLedgerUoW) -> None:
    """The transfer did not happen: the order stays paid with the reason, for an admin to
    refund (the credits never left the seller)."""
    with uow:
        order = uow.market.order_for_update(order_id)
        if order is None or order.status != OrderStatus.PAID:
            return
        order.fulfilment_failure = reason[:1000]
        uow.market.save_order(order)
        uow.audit(
            AuditRecord(
                "market.delivery_failed",
                "order",
                order_id,
                None,
                after={"reason": reason[:300]},
                organization_id=order.organization_id,
            )
        )
        uow.commit()


def retire_delivered_order(order_id: str, *, uow: MarketLedgerUoW, clock: Clock) -> str | None:
    """Buy and retire: retire what a fulfilled order delivered, once; returns the
    retirement id."""
    with uow:
        order = uow.market.order_for_update(order_id)
        if (
            order is None
            or order.status != OrderStatus.FULFILLED
            or order.retire_beneficiary is None
            or order.buyer_address is None
        ):
            return None
        if order.retirement_id is not None:
            return order.retirement_id
        retirement = reserve_retirement(
            owner=(order.buyer_kind, order.owner_id),
            holder_address=order.buyer_address,
            project_id=order.project_id,
            vintage=order.vintage,
            quantity=Quantity(order.quantity_kg),
            beneficiary=order.retire_beneficiary,
            purpose=order.retire_purpose or "",
            created_by=order.buyer_id,
            uow=uow,
            clock=clock,
        )
        order.retirement_id = retirement.id
        uow.market.save_order(order)
        uow.commit()
        return retirement.id
