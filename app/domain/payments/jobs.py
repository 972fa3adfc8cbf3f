"""Background jobs of payments: giving back a payment that arrived for an order that no
longer took one (cancelled or expired while the payer authenticated, or paid by another
payment meanwhile). Its whole amount is refunded through its provider, once: a rerun
finds the refund recorded and only asks the provider again for one it never heard of
(the refund id is the provider's idempotency key)."""

from __future__ import annotations

from collections.abc import Mapping

from app.domain.payments import services
from app.domain.payments.model import PaymentStatus, RefundStatus
from app.ports.clock import Clock
from app.ports.payment_gateway import PaymentGateway
from app.ports.repositories.payments import PaymentsUoW

REFUND_UNAPPLIED = "payments.refund_unapplied"
PLATFORM = "platform"
REASON = "the order no longer took this payment"


def refund_unapplied(
    payment_id: str, *, uow: PaymentsUoW, clock: Clock, gateways: Mapping[str, PaymentGateway]
) -> None:
    with uow:
        payment = uow.payments.payment_for_update(payment_id)
        if payment is None or payment.intent_id is None:
            return
        gateway = services.gateway_named(gateways, payment.provider)
        unsent = [
            r
            for r in uow.payments.refunds_of(payment.id)
            if r.status == RefundStatus.PENDING and r.provider_refund_id is None
        ]
        if unsent:
            refund = unsent[0]
        elif payment.status == PaymentStatus.SUCCEEDED and payment.committed.amount == 0:
            refund = services.commit_refund(
                payment, payment.amount, REASON, PLATFORM, uow=uow, clock=clock
            )
            uow.commit()
        else:
            return
    services.send_refund(payment, refund, gateway, uow=uow)
