"""The marketplace's stand-in for a payment gateway, until the payments module replaces it
behind the same `OrderPayments` port: a payment succeeds at once, except with the test
token `pm_card_chargeDeclined`, which fails as a declined card would. No money moves."""

from __future__ import annotations

from app.domain.marketplace.fees import PaymentMethod
from app.domain.marketplace.model import Order
from app.domain.shared.ids import new_id
from app.ports.clock import Clock
from app.ports.payments import PaymentResult

DECLINED = "pm_card_chargeDeclined"


class StandInPayments:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def charge(
        self, order: Order, *, method: PaymentMethod, payment_method: str | None
    ) -> PaymentResult:
        declined = payment_method == DECLINED
        return PaymentResult(
            id=f"pay_{new_id()}",
            order_id=order.id,
            method=method,
            status="failed" if declined else "succeeded",
            amount=order.total,
            created_at=self._clock.now(),
            failure="card_declined" if declined else None,
        )
