"""Bank transfers: the payer is given the platform's bank details and a unique RF
reference (`next_action`), the payment waits `pending`, and it succeeds when the money
is seen: confirmed by a platform admin or the buyer organization's finance, or matched
on an imported bank statement by its reference and its exact amount. A line with the
reference and less than the amount is reported `partial` (nothing is applied: the payer
sends the rest, or an admin settles it); more than the amount is reported `overpaid`
(nothing applied either); lines whose reference matches no payment are `unmatched`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from app.domain.auth.permissions import OrgRole
from app.domain.auth.principal import Principal
from app.domain.marketplace.fees import PaymentMethod
from app.domain.payments.errors import PaymentStateConflict
from app.domain.payments.model import InvoiceStatus, Payment, PaymentStatus
from app.domain.payments.reference import grouped, new_reference
from app.domain.payments.services import (
    audit_payment,
    find_payment,
    new_payment,
)
from app.domain.payments.settlement import succeed_payment
from app.domain.payments.statement import StatementLine
from app.domain.shared.errors import PermissionDenied, RuleViolation
from app.domain.shared.json import JSON
from app.ports.clock import Clock
from app.ports.repositories.payments import PaymentsUoW

Match = Literal["matched", "partial", "overpaid", "unmatched", "already_paid"]


BANK = "bank"  # the provider of bank transfers: the platform's own account


@dataclass(frozen=True)
class BankDetails:
    """The platform's account that bank transfers are paid to."""

    beneficiary: str
    iban: str
    bic: str


def transfer_instructions(payment: Payment, bank: BankDetails) -> dict[str, JSON]:
    assert payment.reference is not None
    return {
        "type": "bank_transfer",
        "reference": payment.reference,
        "reference_printed": grouped(payment.reference),
        "beneficiary": bank.beneficiary,
        "iban": bank.iban,
        "bic": bank.bic,
        "amount": format(payment.amount.rounded().amount, "f"),
        "currency": payment.amount.currency,
    }


def account(bank: BankDetails | None) -> BankDetails:
    """The platform's account, when bank transfers are set up (else 422)."""
    if bank is None:
        raise RuleViolation("bank transfers are not set up", code="bank_transfer_unavailable")
    return bank


def pending_to_account(
    principal: Principal,
    order_id: str,
    method: PaymentMethod,
    idempotency_key: str | None,
    *,
    uow: PaymentsUoW,
    clock: Clock,
) -> Payment:
    """A new payment of the order to the platform's account (a bank transfer, an
    invoice), `pending` with a new RF reference; inside the caller's unit of work."""
    payment = new_payment(
        principal,
        order_id,
        method,
        provider=BANK,
        idempotency_key=idempotency_key,
        uow=uow,
        clock=clock,
    )
    payment.reference = new_reference()
    payment.move(PaymentStatus.PENDING, clock.now())
    return payment


def start_transfer(
    principal: Principal,
    order_id: str,
    idempotency_key: str | None,
    *,
    uow: PaymentsUoW,
    clock: Clock,
    bank: BankDetails | None,
) -> Payment:
    """A bank transfer of the order's total: `pending`, with the bank details and a new
    RF reference in `next_action`."""
    details = account(bank)
    with uow:
        payment = pending_to_account(
            principal, order_id, "bank_transfer", idempotency_key, uow=uow, clock=clock
        )
        payment.next_action = transfer_instructions(payment, details)
        uow.payments.add_payment(payment)
        audit_payment(uow, "payments.payment_started", payment, principal.id, order_id=order_id)
        uow.commit()
        return payment


BY_TRANSFER = frozenset({"bank_transfer", "invoice"})  # both paid to the platform's account


def _succeed(payment: Payment, uow: PaymentsUoW, clock: Clock, actor: str | None, how: str) -> None:
    if payment.method == "invoice":
        invoice = uow.payments.invoice_of_payment_for_update(payment.id)
        assert invoice is not None
        invoice.status, invoice.paid_at = InvoiceStatus.PAID, clock.now()
        uow.payments.save_invoice(invoice)
    succeed_payment(payment, uow, clock, actor=actor, action="payments.transfer_received", by=how)


def confirm_transfer(
    principal: Principal, payment_id: str, *, uow: PaymentsUoW, clock: Clock
) -> Payment:
    """The transfer arrived: a platform admin, or the buyer organization's finance."""
    with uow:
        payment = find_payment(principal, payment_id, uow, lock=True)
        if not principal.admin_or_role_in(payment.organization_id, {OrgRole.FINANCE}):
            raise PermissionDenied(
                "a transfer is confirmed by platform admins or the organization's finance"
            )
        if payment.method not in BY_TRANSFER or payment.status != PaymentStatus.PENDING:
            raise PaymentStateConflict("only a pending bank transfer or invoice is confirmed")
        _succeed(payment, uow, clock, principal.id, "confirmation")
        uow.commit()
        return payment


@dataclass(frozen=True)
class LineResult:
    line: int
    reference: str
    outcome: Match
    payment_id: str | None = None
    amount: str | None = None
    expected: str | None = None


def import_statement(
    lines: Sequence[StatementLine], *, uow: PaymentsUoW, clock: Clock
) -> list[LineResult]:
    """Apply a bank statement; one result per line, each line in its own transaction."""
    results: list[LineResult] = []
    for line in lines:
        results.append(_apply_line(line, uow, clock))
    return results


def _outcome(line: StatementLine, payment: Payment) -> Match:
    assert line.amount is not None
    if payment.status != PaymentStatus.PENDING:
        return "already_paid"
    if line.amount.currency != payment.amount.currency:
        return "unmatched"
    if line.amount.amount < payment.amount.amount:
        return "partial"
    if payment.amount.amount < line.amount.amount:
        return "overpaid"
    return "matched"


def _apply_line(line: StatementLine, uow: PaymentsUoW, clock: Clock) -> LineResult:
    shown = None if line.amount is None else str(line.amount)
    if line.reference is None or line.amount is None:
        return LineResult(line.line, line.text, "unmatched", amount=shown)
    with uow:
        payment = uow.payments.payment_by_reference_for_update(line.reference)
        if payment is None or payment.method not in BY_TRANSFER:
            return LineResult(line.line, line.reference, "unmatched", amount=shown)
        outcome = _outcome(line, payment)
        if outcome == "matched":
            _succeed(payment, uow, clock, None, f"statement line {line.line}")
            uow.commit()
        return LineResult(
            line.line, line.reference, outcome, payment.id, shown, str(payment.amount)
        )
