"""Enterprise invoices: gap-free numbers per year, lines and totals, credit terms that
deliver at once within the room and after payment beyond it, payment by the invoice's
reference, overdue flags and who sees an invoice."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.domain.auth.model import Organization
from app.domain.marketplace import orders
from app.domain.marketplace.model import OrderStatus
from app.domain.payments import invoices, transfers
from app.domain.payments.model import InvoiceStatus, PaymentStatus
from app.domain.payments.statement import StatementLine
from app.domain.shared.errors import NotFound, PermissionDenied, RuleViolation
from app.domain.shared.money import Money
from tests.unit.builders import NOW
from tests.unit.ledger_world import ADMIN
from tests.unit.marketplace.market_world import BUYER, BUYER_FINANCE, BUYER_ORG
from tests.unit.payments.payments_world import PaymentsWorld

BANK = transfers.BankDetails("Carbon Ltd", "DE89370400440532013000", "COBADEFFXXX")


class InvoiceWorld(PaymentsWorld):
    def __init__(self) -> None:
        super().__init__()
        self.uow.organizations.add(Organization(BUYER_ORG, "Buyer Co", NOW, ADMIN.id))

    def credit(self, limit: str, net_days: int = 30, currency: str = "EUR"):
        return invoices.set_credit_terms(
            ADMIN,
            BUYER_ORG,
            limit=Money.of(limit, currency),
            net_days=net_days,
            uow=self.uow,
            clock=self.clock,
        )

    def invoice(self, kg: int = 2_000):
        order = self.open_order(
            kg, buyer=BUYER_FINANCE, organization_id=BUYER_ORG, method="invoice"
        )
        payment = invoices.start_invoice(
            BUYER_FINANCE, order.id, None, uow=self.uow, clock=self.clock, bank=BANK
        )
        assert payment.next_action is not None
        invoice = self.uow.payments.get_invoice(str(payment.next_action["invoice_id"]))
        assert invoice is not None
        return order, payment, invoice


@pytest.fixture
def world() -> InvoiceWorld:
    return InvoiceWorld()


def test_an_invoice_is_numbered_without_gaps_and_lists_the_order(world):
    order, payment, first = world.invoice()
    _, _, second = world.invoice()
    year = world.clock.now().year
    assert (first.number, second.number) == (f"INV-{year}-000001", f"INV-{year}-000002")
    assert first.total == order.total == payment.amount
    assert sum((line.amount for line in first.lines), Money.zero("EUR")) == first.total
    assert first.lines[0].amount == order.subtotal
    assert [fee.amount for fee in first.fees] == [fee.amount for fee in order.fees]
    assert first.reference == payment.reference
    assert (first.on_credit, first.due_date) == (False, order.expires_at.date())
    assert payment.status == PaymentStatus.PENDING
    assert world.order_now(order.id).status == OrderStatus.PENDING_PAYMENT
    own = world.open_order(method="invoice")
    with pytest.raises(RuleViolation, match="organization"):
        invoices.start_invoice(BUYER, own.id, None, uow=world.uow, clock=world.clock, bank=BANK)
    _, _, third = world.invoice()
    assert third.number == f"INV-{year}-000003"  # the refused one took no number


def test_within_the_credit_room_the_order_is_delivered_at_once(world):
    view = world.credit("1000.00", net_days=45)
    assert (view.used, view.room) == (Money.zero("EUR"), Money.of("1000.00", "EUR"))
    order, payment, invoice = world.invoice()
    assert invoice.on_credit
    assert invoice.due_date == world.clock.now().date() + timedelta(days=45)
    assert payment.next_action["delivered_on_credit"] is True
    assert world.order_now(order.id).status == OrderStatus.PAID
    assert world.order_now(order.id).payment_reference == payment.id
    assert world.payment_now(payment.id).status == PaymentStatus.PENDING  # money still owed
    fulfil = [job for job in world.uow.outbox.jobs.values() if job.name == "market.fulfil"]
    assert len(fulfil) == 1


def test_beyond_the_room_the_credits_wait_for_the_invoice_to_be_paid(world):
    world.credit("40.00")
    first_order, _, first = world.invoice()  # 2 t at about 12 EUR: within 40
    assert first.on_credit
    order, payment, invoice = world.invoice()  # the two together exceed 40
    assert not invoice.on_credit
    assert world.order_now(order.id).status == OrderStatus.PENDING_PAYMENT
    line = StatementLine(1, invoice.reference, invoice.reference, invoice.total)
    results = transfers.import_statement([line], uow=world.uow, clock=world.clock)
    assert [r.outcome for r in results] == ["matched"]
    assert world.uow.payments.get_invoice(invoice.id).status == InvoiceStatus.PAID
    assert world.payment_now(payment.id).status == PaymentStatus.SUCCEEDED
    assert world.order_now(order.id).status == OrderStatus.PAID
    assert world.order_now(first_order.id).status == OrderStatus.PAID


def test_paying_an_invoice_delivered_on_credit_frees_its_room(world):
    world.credit("40.00")
    _, payment, invoice = world.invoice()
    assert world.credit("40.00").used == invoice.total
    transfers.confirm_transfer(ADMIN, payment.id, uow=world.uow, clock=world.clock)
    assert world.uow.payments.get_invoice(invoice.id).status == InvoiceStatus.PAID
    assert world.credit("40.00").used == Money.zero("EUR")
    _, _, next_one = world.invoice()
    assert next_one.on_credit


def test_a_limit_in_another_currency_gives_no_credit(world):
    world.credit("1000000.00", currency="USD")
    order, _, invoice = world.invoice()
    assert not invoice.on_credit
    assert world.order_now(order.id).status == OrderStatus.PENDING_PAYMENT


def test_only_admins_set_terms_for_organizations_that_exist_within_bounds(world):
    with pytest.raises(PermissionDenied):
        invoices.set_credit_terms(
            BUYER_FINANCE,
            BUYER_ORG,
            limit=Money.of("1", "EUR"),
            net_days=30,
            uow=world.uow,
            clock=world.clock,
        )
    with pytest.raises(NotFound):
        invoices.set_credit_terms(
            ADMIN, "org-none", limit=Money.of("1", "EUR"), net_days=30, uow=world.uow,
            clock=world.clock,
        )  # fmt: skip
    with pytest.raises(RuleViolation):
        world.credit("-1.00")
    with pytest.raises(RuleViolation):
        world.credit("1.00", net_days=366)


def test_open_invoices_past_due_are_flagged_overdue_once_and_stay_payable(world):
    world.credit("1000.00", net_days=10)
    _, payment, invoice = world.invoice()
    assert invoices.flag_overdue(uow=world.uow, clock=world.clock) == 0
    world.clock.advance(days=11)
    assert invoices.flag_overdue(uow=world.uow, clock=world.clock) == 1
    assert invoices.flag_overdue(uow=world.uow, clock=world.clock) == 0
    assert world.uow.payments.get_invoice(invoice.id).status == InvoiceStatus.OVERDUE
    transfers.confirm_transfer(BUYER_FINANCE, payment.id, uow=world.uow, clock=world.clock)
    assert world.uow.payments.get_invoice(invoice.id).status == InvoiceStatus.PAID


def test_an_invoice_whose_order_expired_unpaid_is_void_and_takes_no_money(world):
    order, payment, invoice = world.invoice()
    assert not invoice.on_credit
    world.clock.advance(days=2)
    assert orders.expire_orders(uow=world.uow, clock=world.clock, market=world.market) == 1
    assert world.order_now(order.id).status == OrderStatus.EXPIRED
    assert invoices.flag_overdue(uow=world.uow, clock=world.clock) == 1
    assert world.uow.payments.get_invoice(invoice.id).status == InvoiceStatus.VOID
    failed = world.payment_now(payment.id)
    assert (failed.status, failed.failure_code) == (PaymentStatus.FAILED, "order_ended")
    line = StatementLine(1, invoice.reference, invoice.reference, invoice.total)
    results = transfers.import_statement([line], uow=world.uow, clock=world.clock)
    assert [r.outcome for r in results] == ["already_paid"]


def test_an_invoice_is_seen_by_its_buyer_its_organization_and_admins(world):
    _, _, invoice = world.invoice()
    for who in (ADMIN, BUYER_FINANCE):
        assert invoices.get_invoice(who, invoice.id, uow=world.uow).number == invoice.number
    with pytest.raises(NotFound):
        invoices.get_invoice(BUYER, invoice.id, uow=world.uow)
    with pytest.raises(NotFound):
        invoices.get_invoice(ADMIN, "missing", uow=world.uow)
