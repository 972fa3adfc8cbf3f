"""How a payment succeeds: one code path for every method."""

from __future__ import annotations

from app.domain.marketplace import order_payments
from app.domain.payments.model import Payment, PaymentStatus
from app.domain.payments.services import audit_payment
from app.ports.clock import Clock
from app.ports.repositories.payments import PaymentsUoW


def succeed_payment(
    payment: Payment,
    uow: PaymentsUoW,
    clock: Clock,
    *,
    actor: str | None,
    action: str,
    **after: object,
) -> bool:
    """The one way a payment succeeds, whatever told it (a provider's webhook, a bank
    transfer seen, a crypto deposit confirmed): `succeeded`, its order paid and its
    delivery asked (`order_payments.settle_payment`, once), saved and audited. False when the
    order takes no payment any more."""
    payment.move(PaymentStatus.SUCCEEDED, clock.now())
    paid = order_payments.settle_payment(payment.order_id, payment.id, uow=uow, clock=clock)
    uow.payments.save_payment(payment)
    audit_payment(uow, action, payment, actor, order_paid=paid, **after)
    return paid
