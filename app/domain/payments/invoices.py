"""Enterprise invoices: an organization pays an order on an invoice, by bank transfer to
the platform's account with the invoice's RF reference.

An invoice is numbered `INV-<year>-<000001>` from a sequence per year taken in the same
transaction as the invoice (a rolled-back invoice gives its number back: no gaps). Its
lines are the order's credits and each fee; it is due `net_days` after it was issued.

Status semantics: the invoice's payment stays `pending` until the money is seen (a
bank-transfer confirmation or a statement line with its reference and exact amount:
`transfers`), then `succeeded` and the invoice `paid`. An order is delivered only once
paid or on credit: when the organization has approved credit terms in the order's
currency and its unpaid invoices delivered on credit plus this one fit the limit, the
order becomes `paid` at once (its payment is owed on the invoice, its credits
delivered); otherwise the order stays `pending_payment`, the invoice is due before the
order expires, and the credits are delivered when the invoice is paid. The credit terms'
row is locked while the room is computed, so two invoices of one organization never
together pass its limit. A periodic job flags open invoices past their due date
`overdue` (still payable), or `void` when their credits were never delivered and the
order ended unpaid."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from app.domain.auth.principal import Principal
from app.domain.marketplace import order_payments
from app.domain.marketplace.model import Order, OrderStatus
from app.domain.payments.model import (
    CreditTerms,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    Payment,
    PaymentStatus,
)
from app.domain.payments.reference import grouped
from app.domain.payments.services import SEEING_ROLES, audit_payment
from app.domain.payments.transfers import BankDetails, account, pending_to_account
from app.domain.shared.audit import AuditRecord
from app.domain.shared.errors import NotFound, PermissionDenied, RuleViolation
from app.domain.shared.ids import new_id
from app.domain.shared.json import JSON
from app.domain.shared.money import Money
from app.domain.shared.quantity import Quantity
from app.ports.clock import Clock
from app.ports.repositories.payments import InvoicesUoW, PaymentsUoW

MAX_NET_DAYS = 365


@dataclass(frozen=True)
class CreditView:
    terms: CreditTerms
    used: Money  # unpaid invoices delivered on credit

    @property
    def room(self) -> Money:
        left = self.terms.limit - self.used
        return left if left.amount > 0 else Money.zero(left.currency)


def set_credit_terms(
    principal: Principal,
    organization_id: str,
    *,
    limit: Money,
    net_days: int,
    uow: InvoicesUoW,
    clock: Clock,
) -> CreditView:
    """An organization's approved credit limit and net terms (platform admins)."""
    if not principal.is_admin:
        raise PermissionDenied("credit terms are set by platform admins")
    if limit.amount < 0:
        raise RuleViolation("a credit limit cannot be negative", code="invalid_amount")
    if not 0 <= net_days <= MAX_NET_DAYS:
        raise RuleViolation(f"net terms are 0 to {MAX_NET_DAYS} days", code="invalid_net_days")
    with uow:
        if uow.organizations.get(organization_id) is None:
            raise NotFound("organization not found")
        terms = CreditTerms(organization_id, limit.rounded(), net_days, principal.id, clock.now())
        uow.payments.save_credit_terms(terms)
        uow.audit(
            AuditRecord(
                "payments.credit_terms_set",
                "organization",
                organization_id,
                principal.id,
                after={"credit_limit": str(terms.limit), "net_days": net_days},
                organization_id=organization_id,
            )
        )
        view = CreditView(terms, uow.payments.credit_used(organization_id, limit.currency))
        uow.commit()
        return view


def invoice_instructions(invoice: Invoice) -> dict[str, JSON]:
    return {
        "type": "invoice",
        "invoice_id": invoice.id,
        "number": invoice.number,
        "due_date": invoice.due_date.isoformat(),
        "delivered_on_credit": invoice.on_credit,
        "reference": invoice.reference,
        "reference_printed": grouped(invoice.reference),
        **invoice.bank,
        "amount": format(invoice.total.rounded().amount, "f"),
        "currency": invoice.total.currency,
    }


def _lines(order: Order) -> list[InvoiceLine]:
    credits = InvoiceLine(
        f"{Quantity(order.quantity_kg).tonnes_str()} t of carbon credits, project"
        f" {order.project_id}, vintage {order.vintage}, at {order.unit_price} per tonne",
        order.subtotal,
    )
    return [credits, *(InvoiceLine(f"Fee: {fee.kind}", fee.amount) for fee in order.fees)]


def start_invoice(
    principal: Principal,
    order_id: str,
    idempotency_key: str | None,
    *,
    uow: PaymentsUoW,
    clock: Clock,
    bank: BankDetails | None,
) -> Payment:
    """Invoice an organization's order: the payment `pending` with the invoice in
    `next_action`; the order `paid` and delivered at once when it fits the
    organization's credit room."""
    details = account(bank)
    with uow:
        payment = pending_to_account(
            principal, order_id, "invoice", idempotency_key, uow=uow, clock=clock
        )
        order = uow.market.get_order(order_id)
        assert order is not None  # locked by new_payment
        org = order.organization_id
        if org is None:
            raise RuleViolation(
                "invoices are for orders of an organization", code="invoice_requires_organization"
            )
        now = clock.now()
        terms = uow.payments.credit_terms_for_update(org)
        on_credit = (
            terms is not None
            and terms.limit.currency == order.total.currency
            and uow.payments.credit_used(org, order.total.currency) + order.total <= terms.limit
        )
        due = now.date() + timedelta(days=terms.net_days) if on_credit and terms else None
        assert payment.reference is not None
        invoice = Invoice(
            id=new_id(),
            number=f"INV-{now.year}-{uow.payments.next_invoice_number(now.year):06d}",
            payment_id=payment.id,
            order_id=order.id,
            organization_id=org,
            buyer_id=order.buyer_id,
            lines=_lines(order),
            subtotal=order.subtotal,
            total=order.total,
            reference=payment.reference,
            bank={"beneficiary": details.beneficiary, "iban": details.iban, "bic": details.bic},
            on_credit=on_credit,
            issued_at=now,
            due_date=due or order.expires_at.date(),
        )
        payment.next_action = invoice_instructions(invoice)
        uow.payments.add_payment(payment)
        uow.payments.add_invoice(invoice)
        delivered = on_credit and order_payments.settle_payment(
            order.id, payment.id, uow=uow, clock=clock
        )
        audit_payment(
            uow,
            "payments.invoice_issued",
            payment,
            principal.id,
            invoice=invoice.number,
            on_credit=on_credit,
            order_paid=delivered,
        )
        uow.commit()
        return payment


def get_invoice(principal: Principal, invoice_id: str, *, uow: PaymentsUoW) -> Invoice:
    """The invoice if `principal` may see it: platform admins, its buyer, its
    organization's admin, finance or auditor."""
    with uow:
        invoice = uow.payments.get_invoice(invoice_id)
    if invoice is None or not (
        invoice.buyer_id == principal.id
        or principal.admin_or_role_in(invoice.organization_id, SEEING_ROLES)
    ):
        raise NotFound("invoice not found")
    return invoice


ORDER_ENDED = "order_ended"
ENDED = frozenset({OrderStatus.EXPIRED, OrderStatus.CANCELLED})


def flag_overdue(*, uow: PaymentsUoW, clock: Clock, limit: int = 500) -> int:
    """Open invoices past their due date become `overdue` (still payable); those not
    delivered on credit whose order ended unpaid (expired, cancelled) become `void`, their
    payment `failed` (`order_ended`), so that no money is taken for credits given back.
    How many changed. The payment is locked before its invoice, as when one is paid."""
    today = clock.now().date()
    with uow:
        due = uow.payments.overdue_invoice_ids(today, limit)
    changed = 0
    for invoice_id in due:
        with uow:
            seen = uow.payments.get_invoice(invoice_id)
            payment = None if seen is None else uow.payments.payment_for_update(seen.payment_id)
            invoice = uow.payments.invoice_for_update(invoice_id)
            if invoice is None or invoice.status != InvoiceStatus.OPEN or invoice.due_date >= today:
                continue
            order = uow.market.get_order(invoice.order_id)
            ended = not invoice.on_credit and order is not None and order.status in ENDED
            if ended and payment is not None and payment.status == PaymentStatus.PENDING:
                invoice.status = InvoiceStatus.VOID
                payment.failure_code = ORDER_ENDED
                payment.move(PaymentStatus.FAILED, clock.now())
                uow.payments.save_payment(payment)
            else:
                invoice.status = InvoiceStatus.OVERDUE
            uow.payments.save_invoice(invoice)
            uow.audit(
                AuditRecord(
                    f"payments.invoice_{invoice.status.value}",
                    "invoice",
                    invoice.id,
                    None,
                    after={"number": invoice.number, "due_date": invoice.due_date.isoformat()},
                    organization_id=invoice.organization_id,
                )
            )
            uow.commit()
            changed += 1
    return changed
