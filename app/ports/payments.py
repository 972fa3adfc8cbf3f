"""Taking an order's payment. The marketplace needs only this much: charge the order's
total by a method and say whether it succeeded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

from app.domain.marketplace.fees import PaymentMethod
from app.domain.marketplace.model import Order
from app.domain.shared.money import Money


@dataclass(frozen=True)
class PaymentResult:
    id: str
    order_id: str
    method: PaymentMethod
    status: Literal["succeeded", "failed"]
    amount: Money
    created_at: datetime
    failure: str | None = None


class OrderPayments(Protocol):
    def charge(
        self, order: Order, *, method: PaymentMethod, payment_method: str | None
    ) -> PaymentResult: ...
