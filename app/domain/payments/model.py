"""Payments of orders, their refunds and the provider events already applied.

A payment is created `processing` (or `requires_action` when the payer must authenticate,
`pending` while a bank transfer is awaited) and learns its outcome only from the
provider's verified webhook: `succeeded` or `failed`. A succeeded payment is refunded in
parts (`partially_refunded`) or whole (`refunded`). `refund_committed` counts the refunds
asked for and not failed, so no two concurrent refunds can together exceed the amount;
`refunded` counts those the provider completed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Literal

from app.domain.payments.errors import PaymentStateConflict, RefundExceedsRemaining
from app.domain.shared.json import JSON
from app.domain.shared.money import Money

Method = Literal["card", "bank_transfer", "crypto", "invoice"]


UNANSWERED = "provider_unavailable"  # the failure code of a payment the provider never answered


class PaymentStatus(StrEnum):
    REQUIRES_ACTION = "requires_action"
    PROCESSING = "processing"
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    REFUNDED = "refunded"
    PARTIALLY_REFUNDED = "partially_refunded"


PAYMENT_TRANSITIONS: dict[PaymentStatus, frozenset[PaymentStatus]] = {
    PaymentStatus.PROCESSING: frozenset(
        {
            PaymentStatus.REQUIRES_ACTION,
            PaymentStatus.PENDING,
            PaymentStatus.SUCCEEDED,
            PaymentStatus.FAILED,
        }
    ),
    PaymentStatus.REQUIRES_ACTION: frozenset(
        {PaymentStatus.PROCESSING, PaymentStatus.SUCCEEDED, PaymentStatus.FAILED}
    ),
    PaymentStatus.PENDING: frozenset({PaymentStatus.SUCCEEDED, PaymentStatus.FAILED}),
    PaymentStatus.SUCCEEDED: frozenset({PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.REFUNDED}),
    PaymentStatus.PARTIALLY_REFUNDED: frozenset(
        {PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.REFUNDED}
    ),
    PaymentStatus.FAILED: frozenset(),
    PaymentStatus.REFUNDED: frozenset(),
}
OPEN_PAYMENT_STATUSES = frozenset(
    {PaymentStatus.PROCESSING, PaymentStatus.REQUIRES_ACTION, PaymentStatus.PENDING}
)
PAID_STATUSES = frozenset(
    {PaymentStatus.SUCCEEDED, PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.REFUNDED}
)


@dataclass
class Payment:
    id: str
    order_id: str
    buyer_id: str
    organization_id: str | None
    method: Method
    amount: Money
    provider: str
    idempotency_key: str
    created_at: datetime
    status: PaymentStatus = PaymentStatus.PROCESSING
    intent_id: str | None = None
    next_action: dict[str, JSON] | None = None
    failure_code: str | None = None
    reference: str | None = None  # a bank transfer's RF reference
    refund_committed: Money | None = None
    refunded: Money | None = None
    succeeded_at: datetime | None = None
    updated_at: datetime | None = None

    def __post_init__(self) -> None:
        zero = Money.zero(self.amount.currency)
        self.refund_committed = self.refund_committed or zero
        self.refunded = self.refunded or zero

    @property
    def committed(self) -> Money:
        assert self.refund_committed is not None
        return self.refund_committed

    @property
    def refunded_total(self) -> Money:
        assert self.refunded is not None
        return self.refunded

    @property
    def refundable(self) -> Money:
        """What is left to refund: the amount less every refund asked for and not failed."""
        return self.amount - self.committed

    @property
    def unanswered(self) -> bool:
        """Failed because the provider never answered: it may not have seen it at all."""
        return self.status == PaymentStatus.FAILED and self.failure_code == UNANSWERED

    def reopen(self, at: datetime) -> None:
        """Try an unanswered payment again (the same Idempotency-Key): it is `processing`
        once more, and the provider is asked again under the same idempotency key, so it
        charges at most once whether or not the first request reached it."""
        if not self.unanswered:
            raise PaymentStateConflict(f"a {self.status.value} payment is not tried again")
        self.status, self.failure_code, self.updated_at = PaymentStatus.PROCESSING, None, at

    def move(self, to: PaymentStatus, at: datetime) -> None:
        """The one check of a payment's lifecycle."""
        if to not in PAYMENT_TRANSITIONS[self.status]:
            raise PaymentStateConflict(f"a {self.status.value} payment cannot become {to.value}")
        self.status = to
        self.updated_at = at
        if to == PaymentStatus.SUCCEEDED:
            self.succeeded_at = at

    def commit_refund(self, amount: Money) -> None:
        if self.status not in {PaymentStatus.SUCCEEDED, PaymentStatus.PARTIALLY_REFUNDED}:
            raise PaymentStateConflict(f"a {self.status.value} payment cannot be refunded")
        if amount.amount <= 0:
            raise RefundExceedsRemaining("a refund is a positive amount", code="invalid_amount")
        if self.refundable < amount:
            raise RefundExceedsRemaining(
                f"{self.refundable} is left to refund of this payment, {amount} asked"
            )
        self.refund_committed = self.committed + amount

    def refund_completed(self, amount: Money, at: datetime) -> None:
        self.refunded = self.refunded_total + amount
        done = self.refunded_total.amount >= self.amount.amount
        self.move(PaymentStatus.REFUNDED if done else PaymentStatus.PARTIALLY_REFUNDED, at)

    def refund_failed(self, amount: Money) -> None:
        self.refund_committed = self.committed - amount


class RefundStatus(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


@dataclass
class Refund:
    id: str
    payment_id: str
    amount: Money
    reason: str
    created_by: str
    created_at: datetime
    status: RefundStatus = RefundStatus.PENDING
    provider_refund_id: str | None = None
    failure_code: str | None = None
    completed_at: datetime | None = None


@dataclass(frozen=True)
class ProcessedEvent:
    """A provider event applied (or acknowledged and ignored), kept by its id."""

    provider: str
    event_id: str
    type: str
    received_at: datetime
    payment_id: str | None = None
    outcome: str = "applied"
