"""A payment's lifecycle and the bounds of its refunds."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.domain.payments.errors import PaymentStateConflict, RefundExceedsRemaining
from app.domain.payments.model import Payment, PaymentStatus
from app.domain.shared.money import Money

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def _payment(status: PaymentStatus = PaymentStatus.PROCESSING) -> Payment:
    return Payment(
        id="p1",
        order_id="o1",
        buyer_id="u1",
        organization_id=None,
        method="card",
        amount=Money.of("30.90", "EUR"),
        provider="sandbox",
        idempotency_key="k",
        created_at=NOW,
        status=status,
    )


def test_an_outcome_is_final():
    payment = _payment()
    payment.move(PaymentStatus.REQUIRES_ACTION, NOW)
    payment.move(PaymentStatus.SUCCEEDED, NOW)
    assert payment.succeeded_at == NOW
    with pytest.raises(PaymentStateConflict):
        payment.move(PaymentStatus.FAILED, NOW)
    failed = _payment()
    failed.move(PaymentStatus.FAILED, NOW)
    for to in PaymentStatus:
        with pytest.raises(PaymentStateConflict):
            failed.move(to, NOW)


def test_refunds_are_bounded_by_what_is_left_and_add_up_to_refunded():
    payment = _payment(PaymentStatus.SUCCEEDED)
    payment.commit_refund(Money.of("10.00", "EUR"))
    payment.commit_refund(Money.of("20.00", "EUR"))
    assert payment.refundable == Money.of("0.90", "EUR")
    with pytest.raises(RefundExceedsRemaining):
        payment.commit_refund(Money.of("0.91", "EUR"))
    payment.refund_completed(Money.of("10.00", "EUR"), NOW)
    assert payment.status == PaymentStatus.PARTIALLY_REFUNDED
    payment.refund_failed(Money.of("20.00", "EUR"))
    assert payment.refundable == Money.of("20.90", "EUR")
    payment.commit_refund(Money.of("20.90", "EUR"))
    payment.refund_completed(Money.of("20.90", "EUR"), NOW)
    assert (payment.status, payment.refunded_total) == (
        PaymentStatus.REFUNDED,
        Money.of("30.90", "EUR"),
    )
    with pytest.raises(PaymentStateConflict):
        payment.commit_refund(Money.of("0.01", "EUR"))


@pytest.mark.parametrize("amount", ["0", "-1.00"])
def test_a_refund_is_a_positive_amount(amount):
    with pytest.raises(RefundExceedsRemaining):
        _payment(PaymentStatus.SUCCEEDED).commit_refund(Money.of(amount, "EUR"))


def test_an_unpaid_payment_takes_no_refund():
    with pytest.raises(PaymentStateConflict):
        _payment().commit_refund(Money.of("1.00", "EUR"))
