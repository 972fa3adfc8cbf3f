"""Payments of orders, their refunds and the provider events already applied.

A payment is created `processing` (or `requires_action` when the payer must authenticate,
`pending` while a bank transfer or a crypto deposit is awaited) and learns its outcome only from the
provider's verified webhook: `succeeded` or `failed`. A succeeded payment is refunded in
parts (`partially_refunded`) or whole (`refunded`). `refund_committed` counts the refunds
asked for and not failed, so no two concurrent refunds can together exceed the amount;
`refunded` counts those the provider completed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
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
class CryptoDeposit:
    """Where and how much a crypto payment is paid: a deposit address of its own (its key
    sealed by the platform's envelope cipher, opened only to move the coins on), the
    amount in the chain's native coin (integer wei) at the rate quoted when it started,
    and what the address holds as of the last block deep enough to count."""

    address: str
    sealed_key: bytes
    wrapped_key: bytes
    key_id: str
    chain_id: int
    currency: str  # the native coin, e.g. ETH
    amount_wei: int
    rate: Decimal  # units of the payment's currency one coin buys
    rate_as_of: date
    expires_at: datetime
    received_wei: int = 0
    checked_block: int | None = None

    @property
    def remaining_wei(self) -> int:
        return max(0, self.amount_wei - self.received_wei)

    @property
    def overpaid_wei(self) -> int:
        return max(0, self.received_wei - self.amount_wei)

    @property
    def paid_in_full(self) -> bool:
        return self.received_wei >= self.amount_wei


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
    deposit: CryptoDeposit | None = None  # a crypto payment's

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


class InvoiceStatus(StrEnum):
    OPEN = "open"
    OVERDUE = "overdue"  # still open, past its due date
    PAID = "paid"
    VOID = "void"  # its order ended unpaid before anything was delivered


@dataclass
class CreditTerms:
    """An organization's approved credit: invoices it owes may add up to `limit`, each due
    `net_days` after it was issued."""

    organization_id: str
    limit: Money
    net_days: int
    updated_by: str
    updated_at: datetime


@dataclass(frozen=True)
class InvoiceLine:
    description: str
    amount: Money


@dataclass
class Invoice:
    """What an organization owes for an order: numbered without gaps per year, its lines
    (the credits, then each fee), the total, the bank details and RF reference to pay it
    with, and whether its credits were delivered on credit before it was paid."""

    id: str
    number: str  # INV-<year>-<6 digits>
    payment_id: str
    order_id: str
    organization_id: str
    buyer_id: str
    lines: list[InvoiceLine]
    subtotal: Money
    total: Money
    reference: str
    bank: dict[str, str]
    on_credit: bool
    issued_at: datetime
    due_date: date
    status: InvoiceStatus = InvoiceStatus.OPEN
    paid_at: datetime | None = None

    @property
    def fees(self) -> list[InvoiceLine]:
        return self.lines[1:]
