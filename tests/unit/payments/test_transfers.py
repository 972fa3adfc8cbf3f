"""Bank transfers: RF references, statements, confirmation and matching."""

from __future__ import annotations

import pytest

from app.domain.marketplace.model import OrderStatus
from app.domain.payments import reference, transfers
from app.domain.payments.errors import PaymentStateConflict
from app.domain.payments.model import PaymentStatus
from app.domain.payments.statement import parse_statement
from app.domain.shared.errors import InvalidValue, PermissionDenied, RuleViolation
from tests.unit.ledger_world import ADMIN
from tests.unit.marketplace.market_world import BUYER
from tests.unit.payments.payments_world import PaymentsWorld

BANK = transfers.BankDetails("Carbon Ltd", "DE89370400440532013000", "COBADEFFXXX")


def test_a_new_reference_checks_and_a_typo_does_not():
    made = {reference.new_reference() for _ in range(200)}
    assert len(made) == 200
    for ref in made:
        assert reference.is_valid(ref)
        assert reference.is_valid(reference.grouped(ref).lower())
        for position in range(4, len(ref)):  # one character for another of its kind
            kind = "0123456789" if ref[position].isdigit() else "ABCDEFGHJKMNPQRSTVWXYZ"
            typo = next(c for c in kind if c != ref[position])
            assert not reference.is_valid(ref[:position] + typo + ref[position + 1 :])
    assert reference.is_valid("RF18 5390 0754 7034")  # the standard's example
    assert not reference.is_valid("RF18 5390 0754 7043")
    assert not reference.is_valid("XX18539007547034")


def test_a_statement_needs_its_columns_and_keeps_lines_it_cannot_read():
    with pytest.raises(InvalidValue):
        parse_statement("date,amount\n2026-12-01,1.00\n")
    lines = parse_statement(
        "Date,Reference,Amount,Currency\n"
        "2026-12-01,Payment RF18 5390 0754 7034 thanks,12.50,eur\n"
        "2026-12-01,RF18539007547034,12.5.0,EUR\n"
        "2026-12-01,no reference,3.00,EUR\n"
    )
    assert [(line.reference, str(line.amount) if line.amount else None) for line in lines] == [
        ("RF18539007547034", "12.50 EUR"),
        ("RF18539007547034", None),
        (None, "3.00 EUR"),
    ]
    compact = parse_statement("reference,amount,currency\nRF18539007547034 ,1.00,EUR\n")
    assert compact[0].reference == "RF18539007547034"


def _transfer_order(world: PaymentsWorld):
    return world.open_order(method="bank_transfer")


def _start(world: PaymentsWorld, order, bank=BANK):
    return transfers.start_transfer(
        BUYER, order.id, None, uow=world.uow, clock=world.clock, bank=bank
    )


def test_a_transfer_waits_with_the_bank_details_and_its_reference():
    world = PaymentsWorld()
    order = _transfer_order(world)
    with pytest.raises(RuleViolation):
        _start(world, order, bank=None)
    payment = _start(world, order)
    assert payment.status == PaymentStatus.PENDING
    assert world.provider.intents == {}
    action = payment.next_action
    assert action is not None
    assert (action["type"], action["iban"], action["amount"]) == (
        "bank_transfer",
        BANK.iban,
        str(order.total.amount),
    )
    assert reference.is_valid(str(action["reference"]))
    with pytest.raises(PermissionDenied):
        transfers.confirm_transfer(BUYER, payment.id, uow=world.uow, clock=world.clock)
    confirmed = transfers.confirm_transfer(ADMIN, payment.id, uow=world.uow, clock=world.clock)
    assert confirmed.status == PaymentStatus.SUCCEEDED
    assert world.order_now(order.id).status == OrderStatus.PAID
    with pytest.raises(PaymentStateConflict):
        transfers.confirm_transfer(ADMIN, payment.id, uow=world.uow, clock=world.clock)


def test_a_statement_pays_the_exact_amount_and_reports_the_rest():
    world = PaymentsWorld()
    partial_order, exact_order = _transfer_order(world), _transfer_order(world)
    partial, exact = _start(world, partial_order), _start(world, exact_order)
    less = partial.amount.amount - 1
    statement = (
        "reference,amount,currency\n"
        f"{partial.reference},{less},EUR\n"
        f"{exact.reference},{exact.amount.amount},EUR\n"
        f"{exact.reference},{exact.amount.amount},EUR\n"
        "RF18539007547034,1.00,EUR\n"
        f"{partial.reference},{partial.amount.amount + 1},EUR\n"
    )
    results = transfers.import_statement(
        parse_statement(statement), uow=world.uow, clock=world.clock
    )
    assert [r.outcome for r in results] == [
        "partial",
        "matched",
        "already_paid",
        "unmatched",
        "overpaid",
    ]
    assert world.order_now(exact_order.id).status == OrderStatus.PAID
    assert world.order_now(partial_order.id).status == OrderStatus.PENDING_PAYMENT
    assert world.payment_now(partial.id).status == PaymentStatus.PENDING
    assert sum(1 for j in world.uow.outbox.jobs.values() if j.name == "market.fulfil") == 1
