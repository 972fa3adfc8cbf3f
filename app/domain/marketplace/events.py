"""Facts the marketplace publishes (notifications subscribe to them)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from app.domain.marketplace.model import Order
from app.domain.shared.events import DomainEvent


@dataclass(frozen=True)
class OrderPaid(DomainEvent):
    """An order's payment succeeded: the purchase is confirmed to its buyer."""

    name: ClassVar[str] = "marketplace.order_paid"
    order_id: str
    buyer_id: str
    project_id: str
    quantity_kg: int
    total: str  # decimal text, in `currency`
    currency: str

    @classmethod
    def of(cls, order: Order) -> OrderPaid:
        total = order.total
        return cls(
            order.id, order.buyer_id, order.project_id, order.quantity_kg, str(total.amount),
            total.currency,
        )  # fmt: skip
