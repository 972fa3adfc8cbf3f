"""Crypto payments: the payer sends the chain's native coin (ETH) to a deposit address of
the payment's own, and the payment succeeds once that address holds the whole amount
as of the safe block (`CHAIN_CONFIRMATIONS` deep).

Each payment gets a fresh key pair (`CustodialWallets.new_account`), its private key
sealed with the platform's envelope cipher and bound to the payment and the address, as
custodial keys are: no master secret exists whose leak would expose every deposit, and
the keys follow the master-key rotation like every sealed object. The amount is the
order's total at the rate quoted when the payment started (stored with it), rounded up
to a whole gwei, so the platform never asks for less than the total.

`watch_deposits` (a periodic job) reads each pending deposit address's balance at the
safe block without holding a lock, then locks the payment and applies it: paid in full
(at least the amount) -> `succeeded` through `services.succeed_payment`, the one path
every payment succeeds by (the order `paid`, its delivery asked, once); less -> it stays
`pending` and shows what was `received` and what `remaining`; more -> it shows what was
`overpaid`. A payment not paid in full by its expiry (at most the order's own) fails
`expired` (unless the rest is mined and only waits for its confirmations); what it
received stays shown."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_CEILING, Decimal, localcontext

from app.domain.auth.principal import Principal
from app.domain.marketplace.fx import check_rate, rate_text
from app.domain.payments.model import CryptoDeposit, Payment, PaymentStatus
from app.domain.payments.services import audit_payment, new_payment
from app.domain.payments.settlement import succeed_payment
from app.domain.shared.chain import safe_block
from app.domain.shared.json import JSON
from app.domain.shared.money import Money
from app.ports.chain import ChainReader, CustodialWallets
from app.ports.clock import Clock
from app.ports.rates import NativeRates
from app.ports.repositories.payments import PaymentsUoW
from app.ports.storage import EnvelopeCipher

CHAIN = "chain"  # the provider of crypto payments: the platform's own deposit addresses
WEI_PER_COIN = 10**18
QUANTUM_WEI = 10**9  # amounts are asked in whole gwei
EXPIRED = "expired"


@dataclass(frozen=True)
class CryptoDesk:
    """What starting a crypto payment needs: new keys, the cipher that seals them, the
    coin's rate, how long a payment waits, and the chain paid on."""

    wallets: CustodialWallets
    cipher: EnvelopeCipher
    rates: NativeRates
    ttl: timedelta
    chain_id: int
    native: str = "ETH"


def wei_for(amount: Money, rate: Decimal) -> int:
    """`amount` in wei at `rate` (units of its currency per coin), rounded up to a gwei."""
    check_rate(rate)
    with localcontext(prec=80):
        gwei = (amount.amount * (WEI_PER_COIN // QUANTUM_WEI) / rate).to_integral_value(
            ROUND_CEILING
        )
    return int(gwei) * QUANTUM_WEI


def coin_text(wei: int) -> str:
    """Wei as a plain decimal string of coins, without trailing zeros (`"0.0123"`)."""
    if wei == 0:
        return "0"
    return format(Decimal(wei).scaleb(-18).normalize(), "f")


def key_binding(payment_id: str, address: str) -> bytes:
    """What a deposit key's seal is bound to: its payment and its address."""
    return f"payment-deposit:{payment_id}:{address}".encode()


def deposit_view(deposit: CryptoDeposit) -> dict[str, JSON]:
    """A deposit as shown on its payment (amounts in coins, as decimal strings)."""
    return {
        "pay_to": deposit.address,
        "currency": deposit.currency,
        "chain_id": deposit.chain_id,
        "amount": coin_text(deposit.amount_wei),
        "amount_wei": str(deposit.amount_wei),
        "rate": rate_text(deposit.rate),
        "rate_as_of": deposit.rate_as_of.isoformat(),
        "expires_at": deposit.expires_at.isoformat(),
        "received": coin_text(deposit.received_wei),
        "remaining": coin_text(deposit.remaining_wei),
        "overpaid": coin_text(deposit.overpaid_wei),
        "checked_block": deposit.checked_block,
    }


def instructions(deposit: CryptoDeposit) -> dict[str, JSON]:
    """A pending crypto payment's `next_action`: what to send, where, and by when."""
    return {
        "type": "crypto_transfer",
        "pay_to": deposit.address,
        "amount": coin_text(deposit.remaining_wei),
        "amount_wei": str(deposit.remaining_wei),
        "currency": deposit.currency,
        "chain_id": deposit.chain_id,
        "expires_at": deposit.expires_at.isoformat(),
    }


def start_crypto(
    principal: Principal,
    order_id: str,
    idempotency_key: str | None,
    *,
    uow: PaymentsUoW,
    clock: Clock,
    desk: CryptoDesk,
) -> Payment:
    """A crypto payment of the order's total: `pending`, with a new deposit address and
    the amount in the coin in `next_action`. No rate for the order's currency -> 422
    `rate_unavailable`."""
    with uow:
        payment = new_payment(
            principal,
            order_id,
            "crypto",
            provider=CHAIN,
            idempotency_key=idempotency_key,
            uow=uow,
            clock=clock,
        )
        rate = check_rate(desk.rates.native_rate(desk.native, payment.amount.currency))
        order = uow.market.get_order(order_id)
        assert order is not None  # locked by new_payment
        now = clock.now()
        address, private_key = desk.wallets.new_account()
        sealed = desk.cipher.seal(private_key, key_binding(payment.id, address))
        payment.deposit = CryptoDeposit(
            address=address,
            sealed_key=sealed.ciphertext,
            wrapped_key=sealed.wrapped_key,
            key_id=sealed.key_id,
            chain_id=desk.chain_id,
            currency=desk.native,
            amount_wei=wei_for(payment.amount, rate),
            rate=rate,
            rate_as_of=desk.rates.as_of,
            expires_at=min(now + desk.ttl, order.expires_at),
        )
        payment.move(PaymentStatus.PENDING, now)
        payment.next_action = instructions(payment.deposit)
        uow.payments.add_payment(payment)
        audit_payment(
            uow,
            "payments.payment_started",
            payment,
            principal.id,
            order_id=order_id,
            pay_to=address,
            amount_wei=str(payment.deposit.amount_wei),
        )
        uow.commit()
        return payment


def watch_deposits(
    *, uow: PaymentsUoW, clock: Clock, reader: ChainReader, confirmations: int, limit: int = 100
) -> int:
    """Apply the balances of every pending crypto payment's deposit address at the safe
    block, `limit` payments a page; how many payments succeeded or expired. Safe in
    several processes at once: each payment is locked and checked again before anything
    changes."""
    head: int | None = None
    ended = 0
    after: tuple[datetime, str] | None = None
    while True:
        with uow:
            page = uow.payments.pending_crypto_payments(limit, after)
        if not page:
            return ended
        if head is None:
            head = reader.head()
        ended += _watch_page(page, head, confirmations, uow=uow, clock=clock, reader=reader)
        if len(page) < limit:
            return ended
        after = (page[-1].created_at, page[-1].id)


def _watch_page(
    pending: list[Payment],
    head: int,
    confirmations: int,
    *,
    uow: PaymentsUoW,
    clock: Clock,
    reader: ChainReader,
) -> int:
    safe = safe_block(head, confirmations)
    ended = 0
    for payment in pending:
        deposit = payment.deposit
        assert deposit is not None
        balance = reader.native_balance(deposit.address, safe)
        arriving = None
        if clock.now() >= deposit.expires_at and balance < deposit.amount_wei:
            arriving = reader.native_balance(deposit.address, head)
        ended += apply_balance(payment.id, balance, safe, arriving=arriving, uow=uow, clock=clock)
    return ended


def apply_balance(
    payment_id: str,
    balance: int,
    block: int,
    *,
    arriving: int | None = None,
    uow: PaymentsUoW,
    clock: Clock,
) -> int:
    """What the deposit address of a pending crypto payment holds as of `block`: 1 when the
    payment succeeded or expired, else 0 (it stays pending). Past its expiry, a payment
    whose address holds the whole amount at the head (`arriving`: mined, not yet deep
    enough) waits for those confirmations instead of expiring."""
    with uow:
        payment = uow.payments.payment_for_update(payment_id)
        if payment is None or payment.deposit is None or payment.status != PaymentStatus.PENDING:
            return 0
        deposit = payment.deposit
        if deposit.checked_block is not None and block < deposit.checked_block:
            return 0  # an older look than the one applied already
        deposit.received_wei, deposit.checked_block = balance, block
        if deposit.paid_in_full:
            payment.next_action = None
            succeed_payment(
                payment,
                uow,
                clock,
                actor=None,
                action="payments.crypto_received",
                received_wei=str(balance),
                block=block,
            )
            ended = 1
        elif clock.now() >= deposit.expires_at and (arriving or 0) < deposit.amount_wei:
            payment.failure_code = EXPIRED
            payment.next_action = None
            payment.move(PaymentStatus.FAILED, clock.now())
            uow.payments.save_payment(payment)
            audit_payment(
                uow,
                "payments.payment_failed",
                payment,
                None,
                failure_code=EXPIRED,
                received_wei=str(balance),
            )
            ended = 1
        else:
            payment.next_action = instructions(deposit)
            uow.payments.save_payment(payment)
            ended = 0
        uow.commit()
        return ended
