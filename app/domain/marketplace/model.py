"""The marketplace: listings of minted credits, quotes that lock a price, and orders.

Listed credits are reserved off chain, not escrowed: a listing moves its kilograms into
the seller's holding's `pending_out_kg`, so neither a retirement nor another listing can
promise them again, and they stay on the seller's custodial address until an order is
paid. Only then does one transfer move exactly the ordered kilograms to the buyer. An
escrow transfer would cost a chain write per listing and another per withdrawal, and
the credits never leave the platform's custody before a sale either way.

Inventory of a listing: `quantity_kg = available + reserved (open orders) + sold`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Literal

from app.domain.marketplace.errors import InsufficientInventory, OrderStateConflict
from app.domain.marketplace.factors import Factor
from app.domain.marketplace.fees import Fee, PaymentMethod
from app.domain.shared.money import Money
from app.domain.shared.quantity import Quantity

BuyerKind = Literal["user", "organization"]


class ListingStatus(StrEnum):
    ACTIVE = "active"
    SOLD_OUT = "sold_out"
    WITHDRAWN = "withdrawn"


class OrderStatus(StrEnum):
    PENDING_PAYMENT = "pending_payment"
    PAID = "paid"
    FULFILLED = "fulfilled"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    REFUNDED = "refunded"


ORDER_TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.PENDING_PAYMENT: frozenset(
        {OrderStatus.PAID, OrderStatus.CANCELLED, OrderStatus.EXPIRED}
    ),
    OrderStatus.PAID: frozenset({OrderStatus.FULFILLED, OrderStatus.REFUNDED}),
    OrderStatus.FULFILLED: frozenset({OrderStatus.REFUNDED}),
    OrderStatus.CANCELLED: frozenset(),
    OrderStatus.EXPIRED: frozenset(),
    OrderStatus.REFUNDED: frozenset(),
}
OPEN_ORDER_STATUSES = frozenset({OrderStatus.PENDING_PAYMENT, OrderStatus.PAID})


@dataclass
class Listing:
    id: str
    project_id: str
    vintage: int
    batch_id: str
    token_id: int
    seller_organization_id: str
    seller_address: str
    quantity_kg: int
    base_price: Money
    floor_price: Money | None
    unit_price: Money  # the engine's price for one tonne when last computed
    created_by: str
    created_at: datetime
    reserved_kg: int = 0
    sold_kg: int = 0
    status: ListingStatus = ListingStatus.ACTIVE
    withdrawn_at: datetime | None = None

    @property
    def available_kg(self) -> int:
        if self.status == ListingStatus.WITHDRAWN:
            return 0
        return self.quantity_kg - self.reserved_kg - self.sold_kg

    @property
    def unlisted_kg(self) -> int:
        """What is neither reserved by an order nor sold (given back on withdrawal)."""
        return self.quantity_kg - self.reserved_kg - self.sold_kg

    def reserve(self, kg: int) -> None:
        if kg <= 0 or kg > self.available_kg:
            raise InsufficientInventory(
                f"{_t(max(self.available_kg, 0))} t left on this listing, {_t(kg)} t asked"
            )
        self.reserved_kg += kg
        self._settle_status()

    def release(self, kg: int) -> None:
        """An open order ended unpaid: its kilograms are available again (or, on a
        withdrawn listing, go back to the seller)."""
        self.reserved_kg -= min(kg, self.reserved_kg)
        self._settle_status()

    def sell(self, kg: int) -> None:
        """An order's reserved kilograms were delivered."""
        self.reserved_kg -= kg
        self.sold_kg += kg
        self._settle_status()

    def withdraw(self, at: datetime) -> int:
        """Withdraw; returns the kilograms to give back to the seller's holding now."""
        if self.status == ListingStatus.WITHDRAWN:
            return 0
        free = self.unlisted_kg
        self.status, self.withdrawn_at = ListingStatus.WITHDRAWN, at
        return free

    def _settle_status(self) -> None:
        if self.status == ListingStatus.WITHDRAWN:
            return
        self.status = ListingStatus.SOLD_OUT if self.available_kg <= 0 else ListingStatus.ACTIVE


@dataclass
class Quote:
    id: str
    listing_id: str
    buyer_id: str
    organization_id: str | None  # the organization whose fee schedule priced it
    quantity_kg: int
    currency: str
    payment_method: PaymentMethod
    unit_price: Money  # in the quote's currency
    subtotal: Money
    fees: list[Fee]
    total: Money
    fx_rate: Decimal  # listing currency -> quote currency
    fx_as_of: str
    factors: list[Factor]
    listing_unit_price: Money  # in the listing's currency, before conversion
    created_at: datetime
    expires_at: datetime

    def expired(self, now: datetime) -> bool:
        return now >= self.expires_at


@dataclass
class Order:
    id: str
    quote_id: str
    listing_id: str
    project_id: str
    vintage: int
    token_id: int
    seller_organization_id: str
    seller_address: str
    quantity_kg: int
    unit_price: Money
    subtotal: Money
    fees: list[Fee]
    total: Money
    fx_rate: Decimal
    payment_method: PaymentMethod
    buyer_id: str
    buyer_kind: BuyerKind
    owner_id: str  # the buying user, or the organization bought for
    organization_id: str | None
    created_at: datetime
    expires_at: datetime  # unpaid after this, the order expires
    seller_proceeds: Money
    platform_amount: Money
    processor_amount: Money
    status: OrderStatus = OrderStatus.PENDING_PAYMENT
    approval_required: bool = False
    approved_by: str | None = None
    retire_beneficiary: str | None = None
    retire_purpose: str | None = None
    retirement_id: str | None = None
    buyer_address: str | None = None
    transfer_tx: str | None = None
    payment_reference: str | None = None
    fulfilment_failure: str | None = None
    paid_at: datetime | None = None
    fulfilled_at: datetime | None = None
    closed_at: datetime | None = None
    history: list[tuple[str, datetime]] = field(default_factory=list)

    @property
    def awaiting_approval(self) -> bool:
        return self.approval_required and self.approved_by is None

    def move(self, to: OrderStatus, at: datetime) -> None:
        """The one check of an order's lifecycle."""
        if to not in ORDER_TRANSITIONS[self.status]:
            raise OrderStateConflict(f"a {self.status.value} order cannot become {to.value}")
        self.status = to
        if to == OrderStatus.PAID:
            self.paid_at = at
        elif to == OrderStatus.FULFILLED:
            self.fulfilled_at = at
        else:
            self.closed_at = at
        self.history.append((to.value, at))


def _t(kg: int) -> str:
    return Quantity(kg).tonnes_str()
