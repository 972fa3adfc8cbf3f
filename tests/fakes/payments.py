"""In-memory payments repository (checked like the SQL tables: one open and one paid
payment per order, one record per provider event), the ledger's fake unit of work with
it, and a provider that takes no money and tells outcomes by signed events."""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from datetime import date, datetime

from app.domain.payments import signature
from app.domain.payments.errors import InvalidEvent, ProviderUnavailable
from app.domain.payments.model import (
    OPEN_PAYMENT_STATUSES,
    PAID_STATUSES,
    CreditTerms,
    Invoice,
    InvoiceStatus,
    Payment,
    PaymentStatus,
    ProcessedEvent,
    Refund,
)
from app.domain.shared.money import Money
from app.ports.payment_gateway import (
    EventKind,
    Intent,
    IntentRequest,
    ProviderEvent,
    ProviderRefund,
    RefundRequest,
)
from app.ports.repositories.payments import PaymentScope
from tests.fakes.clock import FakeClock
from tests.fakes.credits import ConstraintViolation
from tests.fakes.ledger import FakeLedgerUoW

SECRET = "whsec_test"


class FakePaymentsRepository:
    def __init__(self) -> None:
        self.payments: dict[str, Payment] = {}
        self.refunds: dict[str, Refund] = {}
        self.events: dict[tuple[str, str], ProcessedEvent] = {}
        self.terms: dict[str, CreditTerms] = {}
        self.invoices: dict[str, Invoice] = {}
        self.sequences: dict[int, int] = {}

    def _check(self, payment: Payment) -> None:
        for other in self.payments.values():
            if other.id == payment.id:
                continue
            if payment.reference and other.reference == payment.reference:
                raise ConstraintViolation("one payment per reference")
            if (
                payment.deposit
                and other.deposit
                and other.deposit.address == payment.deposit.address
            ):
                raise ConstraintViolation("one payment per deposit address")
            if other.order_id != payment.order_id:
                continue
            if other.idempotency_key == payment.idempotency_key:
                raise ConstraintViolation("one payment per order and idempotency key")
            for group in (OPEN_PAYMENT_STATUSES, PAID_STATUSES):
                if payment.status in group and other.status in group:
                    raise ConstraintViolation("one open and one paid payment per order")
        if payment.amount < payment.committed or payment.committed < payment.refunded_total:
            raise ConstraintViolation("refunds beyond the payment")

    def add_payment(self, payment: Payment) -> None:
        self._check(payment)
        self.payments[payment.id] = copy.deepcopy(payment)

    def get_payment(self, payment_id: str) -> Payment | None:
        found = self.payments.get(payment_id)
        return copy.deepcopy(found) if found else None

    payment_for_update = get_payment

    def payment_by_reference_for_update(self, reference: str) -> Payment | None:
        for payment in self.payments.values():
            if payment.reference == reference:
                return copy.deepcopy(payment)
        return None

    def save_payment(self, payment: Payment) -> None:
        self._check(payment)
        self.payments[payment.id] = copy.deepcopy(payment)

    def payment_of_key_for_update(self, order_id: str, idempotency_key: str) -> Payment | None:
        for payment in self.payments.values():
            if payment.order_id == order_id and payment.idempotency_key == idempotency_key:
                return copy.deepcopy(payment)
        return None

    def pending_crypto_payments(
        self, limit: int, after: tuple[datetime, str] | None = None
    ) -> list[Payment]:
        found = sorted(
            (
                p
                for p in self.payments.values()
                if p.method == "crypto"
                and p.status == PaymentStatus.PENDING
                and (after is None or (p.created_at, p.id) > after)
            ),
            key=lambda p: (p.created_at, p.id),
        )
        return copy.deepcopy(found[:limit])

    def open_payment_of(self, order_id: str) -> Payment | None:
        for payment in self.payments.values():
            if payment.order_id == order_id and payment.status in OPEN_PAYMENT_STATUSES:
                return copy.deepcopy(payment)
        return None

    def list_payments(
        self, scope: PaymentScope | None, offset: int, limit: int
    ) -> tuple[list[Payment], int]:
        found = [
            p
            for p in sorted(self.payments.values(), key=lambda p: (p.created_at, p.id))[::-1]
            if scope is None
            or p.buyer_id == scope.buyer_id
            or p.organization_id in scope.organization_ids
        ]
        return copy.deepcopy(found[offset : offset + limit]), len(found)

    def add_refund(self, refund: Refund) -> None:
        self.refunds[refund.id] = copy.deepcopy(refund)

    def refund_for_update(self, refund_id: str) -> Refund | None:
        found = self.refunds.get(refund_id)
        return copy.deepcopy(found) if found else None

    def save_refund(self, refund: Refund) -> None:
        self.refunds[refund.id] = copy.deepcopy(refund)

    def refunds_of(self, payment_id: str) -> list[Refund]:
        return [copy.deepcopy(r) for r in self.refunds.values() if r.payment_id == payment_id]

    def event_seen(self, provider: str, event_id: str) -> bool:
        return (provider, event_id) in self.events

    def record_event(self, event: ProcessedEvent) -> None:
        key = (event.provider, event.event_id)
        if key in self.events:
            raise ConstraintViolation("one record per provider event")
        self.events[key] = event

    def credit_terms_for_update(self, organization_id: str) -> CreditTerms | None:
        return copy.deepcopy(self.terms.get(organization_id))

    def save_credit_terms(self, terms: CreditTerms) -> None:
        if not 0 <= terms.net_days <= 365:
            raise ConstraintViolation("net days 0 to 365")
        self.terms[terms.organization_id] = copy.deepcopy(terms)

    def credit_used(self, organization_id: str, currency: str) -> Money:
        return sum(
            (
                i.total
                for i in self.invoices.values()
                if i.organization_id == organization_id
                and i.total.currency == currency
                and i.on_credit
                and i.status != InvoiceStatus.PAID
            ),
            Money.zero(currency),
        )

    def next_invoice_number(self, year: int) -> int:
        self.sequences[year] = self.sequences.get(year, 0) + 1
        return self.sequences[year]

    def add_invoice(self, invoice: Invoice) -> None:
        for other in self.invoices.values():
            if invoice.number == other.number or invoice.payment_id == other.payment_id:
                raise ConstraintViolation("one invoice per number and per payment")
        self.invoices[invoice.id] = copy.deepcopy(invoice)

    def get_invoice(self, invoice_id: str) -> Invoice | None:
        return copy.deepcopy(self.invoices.get(invoice_id))

    invoice_for_update = get_invoice

    def invoice_of_payment_for_update(self, payment_id: str) -> Invoice | None:
        for invoice in self.invoices.values():
            if invoice.payment_id == payment_id:
                return copy.deepcopy(invoice)
        return None

    def save_invoice(self, invoice: Invoice) -> None:
        self.invoices[invoice.id] = copy.deepcopy(invoice)

    def overdue_invoice_ids(self, today: date, limit: int) -> list[str]:
        due = sorted(
            (
                i
                for i in self.invoices.values()
                if i.status == InvoiceStatus.OPEN and i.due_date < today
            ),
            key=lambda i: (i.due_date, i.id),
        )
        return [i.id for i in due[:limit]]


class FakePaymentsUoW(FakeLedgerUoW):
    """The ledger's fake (projects, credits, chain, marketplace) with payments."""

    REPOSITORIES = (*FakeLedgerUoW.REPOSITORIES, "payments")

    def __init__(self, clock: FakeClock | None = None) -> None:
        self.payments = FakePaymentsRepository()
        super().__init__(clock)


class FakeProvider:
    """Answers intents `processing` (`requires_action` for `pm_card_threeDSecureRequired`)
    and keeps what it was asked; `event` makes the signed webhook of an outcome."""

    name = "fake"

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.down = False
        self.intents: dict[str, IntentRequest] = {}
        self.refunds: list[RefundRequest] = []
        self._count = 0

    def create_intent(self, request: IntentRequest) -> Intent:
        if self.down:
            raise ProviderUnavailable("the provider did not answer")
        for intent_id, known in self.intents.items():
            if known.idempotency_key == request.idempotency_key:
                return Intent(intent_id, "processing")
        intent_id = f"pi_{len(self.intents) + 1}"
        self.intents[intent_id] = request
        if request.token == "pm_card_threeDSecureRequired":
            url = f"https://fake.test/{intent_id}"
            return Intent(intent_id, "requires_action", {"type": "redirect_to_url", "url": url})
        return Intent(intent_id, "processing")

    def confirm(self, intent_id: str) -> Intent:
        return Intent(intent_id, "processing")

    def refund(self, request: RefundRequest) -> ProviderRefund:
        if self.down:
            raise ProviderUnavailable("the provider did not answer")
        self.refunds.append(request)
        return ProviderRefund(f"re_{len(self.refunds)}", "pending")

    def event(
        self, kind: EventKind, reference: str, *, failure: str | None = None, event_id: str = ""
    ) -> tuple[bytes, dict[str, str]]:
        """A webhook (body and headers) signed now."""
        self._count += 1
        body = json.dumps(
            {
                "id": event_id or f"evt_{self._count}",
                "kind": kind,
                "reference": reference,
                "failure": failure,
            }
        ).encode()
        stamp = int(self.clock.now().timestamp())
        return body, {signature.HEADER: signature.sign(body, SECRET, stamp)}

    def parse_event(self, body: bytes, headers: Mapping[str, str]) -> ProviderEvent:
        now = int(self.clock.now().timestamp())
        signature.verify(body, headers.get(signature.HEADER), [SECRET], now)
        try:
            event = json.loads(body)
            return ProviderEvent(
                event_id=event["id"],
                type=event["kind"],
                kind=event["kind"],
                reference=event["reference"],
                failure_code=event["failure"],
            )
        except (ValueError, KeyError) as exc:
            raise InvalidEvent("not an event") from exc
