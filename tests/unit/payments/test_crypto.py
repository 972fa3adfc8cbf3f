"""Crypto payments: a deposit address per payment with its key sealed, the amount in wei
at the quoted rate, and the deposit applied at the safe block: under-, full and
over-payment, expiry, and the order paid exactly once."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from app.domain.marketplace.fx import RateUnavailable
from app.domain.marketplace.model import OrderStatus
from app.domain.payments import crypto
from app.domain.payments.errors import PaymentInProgress
from app.domain.payments.model import PaymentStatus
from app.domain.shared.money import Money
from app.ports.storage import SealedObject
from tests.fakes.credits import FakeCustodialWallets
from tests.fakes.documents import FakeEnvelopeCipher
from tests.fakes.registry import FakeChain
from tests.unit.marketplace.market_world import BUYER
from tests.unit.payments.payments_world import PaymentsWorld

ETH = 10**18


class FakeCoinRates:
    """ETH at 2000 EUR; no other currency."""

    as_of = date(2026, 11, 30)

    def native_rate(self, native: str, currency: str) -> Decimal:
        if (native, currency) != ("ETH", "EUR"):
            raise RateUnavailable(f"no price for {native} in {currency}")
        return Decimal(2000)


class CryptoWorld(PaymentsWorld):
    def __init__(self) -> None:
        super().__init__()
        self.chain = FakeChain()
        self.cipher = FakeEnvelopeCipher()
        self.desk = crypto.CryptoDesk(
            wallets=FakeCustodialWallets(),
            cipher=self.cipher,
            rates=FakeCoinRates(),
            ttl=timedelta(hours=1),
            chain_id=31337,
        )

    def start_crypto(self, currency: str = "EUR"):
        listing = self.list()
        quote = self.quote(listing, 2_000, currency=currency, payment_method="crypto")
        order = self.order(quote)
        return order, crypto.start_crypto(
            BUYER, order.id, None, uow=self.uow, clock=self.clock, desk=self.desk
        )

    def watch(self, confirmations: int = 2) -> int:
        return crypto.watch_deposits(
            uow=self.uow, clock=self.clock, reader=self.chain, confirmations=confirmations
        )

    def fulfil_jobs(self) -> int:
        return sum(1 for job in self.uow.outbox.jobs.values() if job.name == "market.fulfil")


@pytest.fixture
def world() -> CryptoWorld:
    return CryptoWorld()


def test_the_amount_is_the_total_at_the_rate_rounded_up_to_a_gwei():
    assert crypto.wei_for(Money.of("24.60", "EUR"), Decimal(2000)) == 12_300_000 * 10**9
    assert crypto.wei_for(Money.of("1.00", "EUR"), Decimal(3)) == 333_333_334 * 10**9
    assert crypto.coin_text(12_300_000 * 10**9) == "0.0123"
    assert crypto.coin_text(2 * ETH) == "2"
    assert crypto.coin_text(0) == "0"


def test_a_crypto_payment_waits_at_an_address_of_its_own_with_its_key_sealed(world):
    order, payment = world.start_crypto()
    deposit = payment.deposit
    assert deposit is not None
    assert (payment.status, payment.method, payment.provider) == (
        PaymentStatus.PENDING,
        "crypto",
        crypto.CHAIN,
    )
    assert deposit.amount_wei == crypto.wei_for(order.total, Decimal(2000))
    assert (deposit.rate, deposit.rate_as_of) == (Decimal(2000), FakeCoinRates.as_of)
    assert deposit.expires_at == world.clock.now() + timedelta(hours=1)
    action = payment.next_action
    assert action is not None
    assert (action["type"], action["pay_to"], action["currency"]) == (
        "crypto_transfer",
        deposit.address,
        "ETH",
    )
    assert action["amount"] == crypto.coin_text(deposit.amount_wei)
    sealed = SealedObject(deposit.sealed_key, deposit.wrapped_key, deposit.key_id)
    key = world.cipher.open(sealed, crypto.key_binding(payment.id, deposit.address))
    assert len(key) == 32
    with pytest.raises(ValueError, match="not bound"):
        world.cipher.open(sealed, crypto.key_binding("another", deposit.address))
    with pytest.raises(PaymentInProgress):
        crypto.start_crypto(
            BUYER, order.id, None, uow=world.uow, clock=world.clock, desk=world.desk
        )
    _, other = world.start_crypto()
    assert other.deposit is not None
    assert other.deposit.address != deposit.address


def test_an_under_payment_waits_for_the_rest_and_the_order_is_paid_once(world):
    order, payment = world.start_crypto()
    assert payment.deposit is not None
    address, amount = payment.deposit.address, payment.deposit.amount_wei
    world.chain.send_native(address, amount // 4)
    assert world.watch() == 0
    assert world.payment_now(payment.id).deposit.received_wei == 0  # not 2 blocks deep yet
    world.chain.mine_empty(2)
    assert world.watch() == 0
    short = world.payment_now(payment.id)
    assert short.status == PaymentStatus.PENDING
    assert (short.deposit.received_wei, short.deposit.remaining_wei) == (
        amount // 4,
        amount - amount // 4,
    )
    assert short.next_action["amount_wei"] == str(amount - amount // 4)

    world.chain.send_native(address, amount - amount // 4)
    world.chain.mine_empty(2)
    assert world.watch() == 1
    paid = world.payment_now(payment.id)
    assert (paid.status, paid.next_action, paid.deposit.overpaid_wei) == (
        PaymentStatus.SUCCEEDED,
        None,
        0,
    )
    assert world.order_now(order.id).status == OrderStatus.PAID
    assert world.order_now(order.id).payment_reference == payment.id
    world.chain.send_native(address, amount)
    world.chain.mine_empty(2)
    assert world.watch() == 0
    assert crypto.apply_balance(payment.id, amount, 99, uow=world.uow, clock=world.clock) == 0
    assert world.fulfil_jobs() == 1


def test_an_over_payment_pays_the_order_and_is_shown(world):
    order, payment = world.start_crypto()
    assert payment.deposit is not None
    world.chain.send_native(payment.deposit.address, payment.deposit.amount_wei + ETH // 100)
    assert world.watch(confirmations=0) == 1
    paid = world.payment_now(payment.id)
    assert paid.status == PaymentStatus.SUCCEEDED
    view = crypto.deposit_view(paid.deposit)
    assert (view["overpaid"], view["remaining"]) == ("0.01", "0")
    assert world.order_now(order.id).status == OrderStatus.PAID


def test_a_deposit_short_at_its_expiry_fails_and_the_order_takes_another_payment(world):
    order, payment = world.start_crypto()
    assert payment.deposit is not None
    world.chain.send_native(payment.deposit.address, 5)
    world.clock.advance(minutes=61)
    assert world.watch(confirmations=0) == 1
    expired = world.payment_now(payment.id)
    assert (expired.status, expired.failure_code, expired.deposit.received_wei) == (
        PaymentStatus.FAILED,
        "expired",
        5,
    )
    assert world.order_now(order.id).status == OrderStatus.PENDING_PAYMENT
    again = crypto.start_crypto(
        BUYER, order.id, "again", uow=world.uow, clock=world.clock, desk=world.desk
    )
    assert again.status == PaymentStatus.PENDING
    assert world.watch(confirmations=0) == 0
    assert world.fulfil_jobs() == 0


def test_a_deposit_mined_before_the_expiry_waits_for_its_confirmations(world):
    order, payment = world.start_crypto()
    assert payment.deposit is not None
    world.chain.send_native(payment.deposit.address, payment.deposit.amount_wei)
    world.clock.advance(minutes=61)
    assert world.watch(confirmations=2) == 0
    assert world.payment_now(payment.id).status == PaymentStatus.PENDING
    world.chain.mine_empty(2)
    assert world.watch(confirmations=2) == 1
    assert world.payment_now(payment.id).status == PaymentStatus.SUCCEEDED
    assert world.order_now(order.id).status == OrderStatus.PAID


def test_a_currency_without_a_coin_rate_is_refused_and_nothing_is_recorded(world):
    with pytest.raises(RateUnavailable):
        world.start_crypto(currency="USD")
    assert world.uow.payments.payments == {}


def test_every_pending_payment_is_watched_page_after_page(world):
    started = [world.start_crypto()[1] for _ in range(5)]
    for payment in started:
        assert payment.deposit is not None
        world.chain.send_native(payment.deposit.address, payment.deposit.amount_wei)
    watched = crypto.watch_deposits(
        uow=world.uow, clock=world.clock, reader=world.chain, confirmations=0, limit=2
    )
    assert watched == 5  # pages of 2, 2 and 1: none is left out
    assert {world.payment_now(p.id).status for p in started} == {PaymentStatus.SUCCEEDED}
