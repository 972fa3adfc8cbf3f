"""What a provider's verified webhook event changes, applied once per event id.

The payment's row is locked before the event id is looked up, so two deliveries of one
event at the same time queue on it and the second finds the first recorded; the unique
(provider, event id) key refuses a second record whatever happens upstream. A payment
that succeeds pays its order (`order_payments.settle_payment`: `paid`, delivery asked, once); a
failed one leaves the order `pending_payment` for another payment; one that arrives for
an order that no longer takes it is refunded in full by a job (`jobs.refund_unapplied`).
A refund that completes adds to what the payment refunded; once the whole amount is refunded, the
order is refunded too (`order_payments.refund_order`). Event types that change nothing here are
acknowledged and recorded as ignored."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from app.domain.marketplace import order_payments
from app.domain.payments.jobs import REFUND_UNAPPLIED
from app.domain.payments.model import (
    OPEN_PAYMENT_STATUSES,
    Payment,
    PaymentStatus,
    ProcessedEvent,
    RefundStatus,
)
from app.domain.payments.services import audit_payment
from app.domain.payments.settlement import succeed_payment
from app.domain.shared.jobs import Job
from app.ports.clock import Clock
from app.ports.payment_gateway import PaymentGateway, ProviderEvent
from app.ports.repositories.payments import PaymentsUoW

Outcome = Literal["applied", "duplicate", "ignored"]


def receive_webhook(
    gateway: PaymentGateway,
    body: bytes,
    headers: Mapping[str, str],
    *,
    uow: PaymentsUoW,
    clock: Clock,
) -> Outcome:
    """Verify and apply one webhook (`InvalidSignature` changes nothing)."""
    event = gateway.parse_event(body, headers)
    return apply_event(gateway.name, event, uow=uow, clock=clock)


def _payment_of(event: ProviderEvent, uow: PaymentsUoW) -> Payment | None:
    if event.reference is None:
        return None
    if event.kind in {"payment_succeeded", "payment_failed"}:
        return uow.payments.payment_for_update(event.reference)
    refund = uow.payments.refund_for_update(event.reference)
    return None if refund is None else uow.payments.payment_for_update(refund.payment_id)


def apply_event(provider: str, event: ProviderEvent, *, uow: PaymentsUoW, clock: Clock) -> Outcome:
    with uow:
        payment = None if event.kind == "ignored" else _payment_of(event, uow)
        if uow.payments.event_seen(provider, event.event_id):
            return "duplicate"
        outcome: Outcome = "ignored"
        if payment is not None:
            outcome = _apply(event, payment, uow, clock)
        uow.payments.record_event(
            ProcessedEvent(
                provider,
                event.event_id,
                event.type[:64],
                clock.now(),
                payment_id=None if payment is None else payment.id,
                outcome=outcome,
            )
        )
        uow.commit()
        return outcome


def _apply(event: ProviderEvent, payment: Payment, uow: PaymentsUoW, clock: Clock) -> Outcome:
    now = clock.now()
    if event.kind in {"payment_succeeded", "payment_failed"}:
        if payment.status not in OPEN_PAYMENT_STATUSES:
            return "ignored"  # its outcome is known already
        payment.intent_id = payment.intent_id or event.intent_id
        payment.next_action = None
        if event.kind == "payment_failed":
            payment.failure_code = (event.failure_code or "payment_failed")[:64]
            payment.move(PaymentStatus.FAILED, now)
            _audit(uow, "payments.payment_failed", payment, failure_code=payment.failure_code)
            uow.payments.save_payment(payment)
        else:
            paid = succeed_payment(
                payment, uow, clock, actor=None, action="payments.payment_succeeded"
            )
            if not paid:  # the order ended meanwhile: the money goes back
                uow.enqueue(Job(REFUND_UNAPPLIED, {"payment_id": payment.id}))
        return "applied"
    assert event.reference is not None
    refund = uow.payments.refund_for_update(event.reference)
    if refund is None or refund.status != RefundStatus.PENDING:
        return "ignored"
    refund.completed_at = now
    if event.kind == "refund_failed":
        refund.status, refund.failure_code = RefundStatus.FAILED, event.failure_code
        payment.refund_failed(refund.amount)
    else:
        refund.status = RefundStatus.SUCCEEDED
        payment.refund_completed(refund.amount, now)
        if payment.status == PaymentStatus.REFUNDED:
            order_payments.refund_order(payment.order_id, uow=uow, clock=clock)
    uow.payments.save_refund(refund)
    uow.payments.save_payment(payment)
    _audit(uow, f"payments.refund_{refund.status.value}", payment, refund_id=refund.id)
    return "applied"


def _audit(uow: PaymentsUoW, action: str, payment: Payment, **after: object) -> None:
    audit_payment(uow, action, payment, None, **after)
