"""Repositories of payments, and the embedded sandbox provider's own store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from app.domain.payments.model import CreditTerms, Invoice, Payment, ProcessedEvent, Refund
from app.domain.shared.money import Money
from app.ports.repositories.auth import AuthUoW
from app.ports.repositories.chain import ChainUoW
from app.ports.repositories.marketplace import MarketLedgerUoW
from app.ports.uow import UnitOfWork


@dataclass(frozen=True)
class PaymentScope:
    """Whose payments a list shows: None for every payment (platform admins), else the
    buyer's own and those of the organizations given."""

    buyer_id: str
    organization_ids: tuple[str, ...] = ()


class PaymentsRepository(Protocol):
    def add_payment(self, payment: Payment) -> None:
        """With its deposit, for a crypto payment (one payment per deposit address)."""
        ...

    def get_payment(self, payment_id: str) -> Payment | None: ...

    def payment_for_update(self, payment_id: str) -> Payment | None: ...

    def payment_by_reference_for_update(self, reference: str) -> Payment | None:
        """The bank transfer payment of this RF reference, locked."""
        ...

    def save_payment(self, payment: Payment) -> None:
        """With what its deposit received, for a crypto payment."""
        ...

    def pending_crypto_payments(
        self, limit: int, after: tuple[datetime, str] | None = None
    ) -> list[Payment]:
        """Pending crypto payments with their deposits, oldest first, unlocked: a page of
        `limit`, of those after `after` (the `(created_at, id)` of the last one seen)."""
        ...

    def payment_of_key_for_update(self, order_id: str, idempotency_key: str) -> Payment | None:
        """The order's payment made under this Idempotency-Key, locked."""
        ...

    def open_payment_of(self, order_id: str) -> Payment | None:
        """The order's payment still waiting for its outcome, if any."""
        ...

    def list_payments(
        self, scope: PaymentScope | None, offset: int, limit: int
    ) -> tuple[list[Payment], int]:
        """Newest first: the page from `offset` and how many match in all."""
        ...

    def add_refund(self, refund: Refund) -> None: ...

    def refund_for_update(self, refund_id: str) -> Refund | None: ...

    def save_refund(self, refund: Refund) -> None: ...

    def refunds_of(self, payment_id: str) -> list[Refund]:
        """Oldest first."""
        ...

    def event_seen(self, provider: str, event_id: str) -> bool: ...

    def record_event(self, event: ProcessedEvent) -> None:
        """Unique by (provider, event id): a second record of one event is refused."""
        ...

    def credit_terms_for_update(self, organization_id: str) -> CreditTerms | None:
        """The organization's credit terms, locked (so is the room computed under it)."""
        ...

    def save_credit_terms(self, terms: CreditTerms) -> None:
        """Insert or replace the organization's terms."""
        ...

    def credit_used(self, organization_id: str, currency: str) -> Money:
        """The totals of the organization's unpaid invoices delivered on credit."""
        ...

    def next_invoice_number(self, year: int) -> int:
        """The year's next invoice number (1, 2, ...), its sequence row locked until the
        transaction ends, so a rolled-back invoice leaves no gap."""
        ...

    def add_invoice(self, invoice: Invoice) -> None: ...

    def get_invoice(self, invoice_id: str) -> Invoice | None: ...

    def invoice_for_update(self, invoice_id: str) -> Invoice | None: ...

    def invoice_of_payment_for_update(self, payment_id: str) -> Invoice | None: ...

    def save_invoice(self, invoice: Invoice) -> None:
        """Its status and when it was paid."""
        ...

    def overdue_invoice_ids(self, today: date, limit: int) -> list[str]:
        """Open invoices due before `today`, oldest due first."""
        ...


class PaymentsUoW(MarketLedgerUoW, ChainUoW, Protocol):
    """Payments beside the marketplace they pay orders of."""

    @property
    def payments(self) -> PaymentsRepository: ...


class InvoicesUoW(PaymentsUoW, AuthUoW, Protocol):
    """Payments with the organizations that credit terms are set for."""


@dataclass
class SandboxIntent:
    id: str
    reference: str
    amount: Money
    token: str | None
    idempotency_key: str
    status: str  # requires_action | processing | succeeded | failed
    created_at: datetime
    failure_code: str | None = None


@dataclass
class SandboxRefund:
    id: str
    reference: str
    intent_id: str
    amount: Money
    idempotency_key: str
    created_at: datetime


@dataclass
class SandboxEvent:
    id: str
    type: str
    body: bytes  # the exact bytes signed and delivered
    created_at: datetime
    delivered_at: datetime | None = None


class SandboxRepository(Protocol):
    def intent_by_key(self, idempotency_key: str) -> SandboxIntent | None: ...

    def intent_for_update(self, intent_id: str) -> SandboxIntent | None: ...

    def add_intent(self, intent: SandboxIntent) -> None: ...

    def save_intent(self, intent: SandboxIntent) -> None: ...

    def refund_by_key(self, idempotency_key: str) -> SandboxRefund | None: ...

    def refunded_of(self, intent_id: str) -> Money | None:
        """The sum of the intent's refunds, None when there is none."""
        ...

    def add_refund(self, refund: SandboxRefund) -> None: ...

    def add_event(self, event: SandboxEvent) -> None: ...

    def get_event(self, event_id: str) -> SandboxEvent | None: ...

    def mark_delivered(self, event_id: str, at: datetime) -> None: ...


class SandboxUoW(UnitOfWork, Protocol):
    """The sandbox provider's state, kept in the platform's database so that it survives a
    restart, with the outbox its webhook deliveries go through."""

    @property
    def sandbox_payments(self) -> SandboxRepository: ...
