"""What a `CreditsTransferred` event changes in the marketplace: the paid order it
delivers becomes `fulfilled`, its kilograms count as sold on the listing, and the
seller's reservation of them ends (the credits projection moves the on-chain amounts).
Undone after a reorganization, the order is paid again and waits for the transfer."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import cast

from app.domain.marketplace.model import OrderStatus
from app.domain.shared.chain import ChainEvent
from app.domain.shared.jobs import Job
from app.ports.repositories.marketplace import MarketLedgerUoW


def apply_market_events(
    events: Sequence[ChainEvent], uow: MarketLedgerUoW, sign: int, now: datetime
) -> None:
    released: dict[tuple[str, int], int] = {}
    for event in events:
        if event.name != "CreditsTransferred":
            continue
        token_id = int(cast(int | str, event.args["tokenId"]))
        sender, receiver = str(event.args["from"]), str(event.args["to"])
        kg = int(cast(int | str, event.args["amountKg"]))
        order = uow.market.order_for_transfer(token_id, sender, receiver, kg, fulfilled=sign < 0)
        if order is None:
            continue
        listing = uow.market.listing_for_update(order.listing_id)
        if sign > 0:
            order.move(OrderStatus.FULFILLED, now)
            order.transfer_tx = order.transfer_tx or event.transaction_hash
            if listing is not None:
                listing.sell(kg)
            if order.retire_beneficiary is not None:
                uow.enqueue(Job("market.retire", {"order_id": order.id}))
        else:
            order.status, order.fulfilled_at = OrderStatus.PAID, None
            order.history.append((OrderStatus.PAID.value, now))
            if listing is not None:
                listing.sold_kg -= kg
                listing.reserved_kg += kg
        key = (sender, token_id)
        released[key] = released.get(key, 0) - sign * kg
        uow.market.save_order(order)
        if listing is not None:
            uow.market.save_listing(listing)
    changed = {key: kg for key, kg in released.items() if kg}
    if changed:
        uow.credits.add_to_holdings({}, changed)
