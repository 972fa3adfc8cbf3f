"""A payment the provider never answered (down, or slower than the timeout): it is failed
with `provider_unavailable`, and a checkout retried under the same Idempotency-Key tries
that very payment again, under the same idempotency key at the provider, so the money
is taken once at most whether or not the first request reached the provider."""

from __future__ import annotations

from collections.abc import Callable

from app.domain.auth.principal import Principal
from app.domain.marketplace import order_payments
from app.domain.marketplace.fees import PaymentMethod
from app.domain.payments.errors import PaymentInProgress
from app.domain.payments.model import UNANSWERED, Payment, PaymentStatus
from app.ports.clock import Clock
from app.ports.repositories.payments import PaymentsUoW

Audit = Callable[..., None]  # services.audit_payment


def reopened(
    principal: Principal,
    order_id: str,
    method: PaymentMethod,
    idempotency_key: str | None,
    *,
    uow: PaymentsUoW,
    clock: Clock,
) -> Payment | None:
    """The payment a retry under the same Idempotency-Key tries again, reopened (inside
    the caller's unit of work): one the provider never answered, of an order that may
    still be paid. None when there is no such payment."""
    if idempotency_key is None:
        return None
    earlier = uow.payments.payment_of_key_for_update(order_id, idempotency_key)
    if earlier is None or not earlier.unanswered:
        return None
    order_payments.payable_order(principal, order_id, method=method, uow=uow, clock=clock)
    if uow.payments.open_payment_of(order_id) is not None:
        raise PaymentInProgress("the order has a payment waiting for its outcome")
    earlier.reopen(clock.now())
    return earlier


def fail_unanswered(payment_id: str, *, uow: PaymentsUoW, clock: Clock, audit: Audit) -> None:
    """The provider did not answer: the payment fails, the order stays payable."""
    with uow:
        payment = uow.payments.payment_for_update(payment_id)
        if payment is None or payment.status != PaymentStatus.PROCESSING:
            return
        payment.failure_code = UNANSWERED
        payment.move(PaymentStatus.FAILED, clock.now())
        uow.payments.save_payment(payment)
        audit(uow, "payments.payment_failed", payment, None, failure_code=UNANSWERED)
        uow.commit()
