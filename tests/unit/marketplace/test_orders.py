"""Listings reserve the seller's holding, orders reserve the listing, payment sends one
transfer, and the indexer's CreditsTransferred fulfils the order (and, asked for, the
retirement follows)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.domain.auth.model import User
from app.domain.auth.principal import Principal
from app.domain.credits.model import RetirementStatus
from app.domain.marketplace import order_payments, orders, services
from app.domain.marketplace.errors import (
    ApprovalRequired,
    InsufficientHolding,
    InsufficientInventory,
    QuoteExpired,
    UnknownWallet,
    WalletDelivery,
)
from app.domain.marketplace.model import ListingStatus, OrderStatus
from app.domain.shared.errors import Conflict, NotFound, PermissionDenied, RuleViolation
from app.domain.shared.money import Money
from app.domain.shared.quantity import Quantity
from app.ports.repositories.marketplace import OrganizationTerms
from tests.unit.builders import PID
from tests.unit.ledger_world import ISSUER, STRANGER
from tests.unit.marketplace.market_world import (
    BUYER,
    BUYER_ADMIN,
    BUYER_FINANCE,
    BUYER_ORG,
    MarketWorld,
)


@pytest.fixture
def world() -> MarketWorld:
    return MarketWorld()


def test_a_listing_reserves_the_sellers_holding_and_prices_itself(world: MarketWorld):
    listing = world.list(10_000, base="12.00")

    assert world.holding(world.org_address).pending_out_kg == 10_000
    assert world.holding(world.org_address).available_kg == 40_000
    assert listing.available_kg == 10_000
    assert listing.unit_price.currency == "EUR"
    assert [p.reason for p in world.uow.market.prices] == ["listed"]
    assert world.feed.updates[-1].listing_id == listing.id
    with pytest.raises(InsufficientHolding):
        world.list(40_001)


def test_a_quote_explains_its_price_and_fees_add_up(world: MarketWorld):
    listing = world.list(10_000)
    quote = world.quote(listing, 2_500, currency="USD")

    names = [f.name for f in quote.factors]
    assert {"project_type", "vintage", "reputation", "quality", "supply_demand"} <= set(names)
    assert quote.currency == "USD"
    assert quote.fx_rate == world.market.rates.rate("EUR", "USD")
    assert quote.total == quote.subtotal + quote.fees[0].amount + quote.fees[1].amount
    assert quote.expires_at - quote.created_at == timedelta(minutes=15)


def test_orders_never_take_more_than_the_listing_has(world: MarketWorld):
    listing = world.list(3_000)
    first = world.order(world.quote(listing, 2_000))
    late = world.quote(listing, 1_000)
    with pytest.raises(InsufficientInventory):
        world.quote(listing, 1_001)
    world.order(late)
    assert world.listing(listing.id).available_kg == 0
    assert world.listing(listing.id).status == ListingStatus.SOLD_OUT
    assert first.status == OrderStatus.PENDING_PAYMENT


def test_an_expired_quote_is_refused_and_a_quote_orders_once(world: MarketWorld):
    listing = world.list(3_000)
    quote = world.quote(listing, 1_000)
    world.order(quote)
    with pytest.raises(Conflict):
        world.order(quote)
    stale = world.quote(listing, 1_000)
    world.clock.advance(minutes=16)
    with pytest.raises(QuoteExpired):
        world.order(stale)


def test_unpaid_orders_expire_and_give_the_listing_back(world: MarketWorld):
    listing = world.list(3_000)
    order = world.order(world.quote(listing, 3_000))
    world.clock.advance(hours=25)

    assert orders.expire_orders(uow=world.uow, clock=world.clock, market=world.market) == 1
    assert world.order_now(order.id).status == OrderStatus.EXPIRED
    assert world.listing(listing.id).available_kg == 3_000


def test_cancel_and_withdraw_give_kilograms_back(world: MarketWorld):
    listing = world.list(3_000)
    order = world.order(world.quote(listing, 1_000))
    with pytest.raises(NotFound):
        orders.cancel_order(
            STRANGER, order.id, uow=world.uow, clock=world.clock, market=world.market
        )
    services.withdraw_listing(
        ISSUER, listing.id, uow=world.uow, clock=world.clock, market=world.market
    )
    assert world.holding(world.org_address).pending_out_kg == 1_000  # the open order's
    orders.cancel_order(BUYER, order.id, uow=world.uow, clock=world.clock, market=world.market)
    assert world.holding(world.org_address).pending_out_kg == 0
    assert world.order_now(order.id).status == OrderStatus.CANCELLED


def test_a_paid_order_is_delivered_on_chain_and_fulfilled_by_the_indexer(world: MarketWorld):
    listing = world.list(10_000)
    order = world.pay(world.order(world.quote(listing, 2_500)))
    assert order.status == OrderStatus.PAID

    world.settle()

    done = world.order_now(order.id)
    assert done.status == OrderStatus.FULFILLED
    assert done.transfer_tx is not None
    assert done.buyer_address is not None
    assert world.holding(done.buyer_address).onchain_kg == 2_500
    seller = world.holding(world.org_address)
    assert (seller.onchain_kg, seller.pending_out_kg) == (47_500, 7_500)
    after = world.listing(listing.id)
    assert (after.sold_kg, after.reserved_kg, after.available_kg) == (2_500, 0, 7_500)
    assert [
        tx.intent for tx in world.uow.chain_txs.recent(0, 100)[0] if "transfer" in tx.action
    ] == [f"market.transfer:{order.id}"]
    world.settle()  # a second run changes nothing
    assert world.holding(done.buyer_address).onchain_kg == 2_500


def test_buy_and_retire_ends_in_a_confirmed_retirement(world: MarketWorld):
    listing = world.list(10_000)
    order = world.order(
        world.quote(listing, 1_000),
        retire=orders.RetireOnDelivery("Acme Ltd", "2026 travel"),
    )
    world.pay(order)
    world.settle()  # the transfer, indexed: fulfilled
    world.settle()  # the retirement asked for
    world.settle()  # the retirement on chain, indexed: confirmed

    done = world.order_now(order.id)
    assert done.retirement_id is not None
    retirement = world.uow.credits.get_retirement(done.retirement_id)
    assert retirement is not None
    assert retirement.status == RetirementStatus.CONFIRMED
    assert (retirement.owner_kind, retirement.beneficiary) == ("user", "Acme Ltd")


def test_an_organization_order_above_its_limit_waits_for_its_admin(world: MarketWorld):
    world.uow.market.set_organization_terms(
        OrganizationTerms(BUYER_ORG, approval_limit=Money.of("10.00", "EUR"))
    )
    listing = world.list(10_000)
    quote = world.quote(listing, 2_000, buyer=BUYER_FINANCE, organization_id=BUYER_ORG)
    order = world.order(quote, buyer=BUYER_FINANCE, organization_id=BUYER_ORG)
    assert order.approval_required
    with pytest.raises(ApprovalRequired):
        world.pay(order, buyer=BUYER_FINANCE)
    with pytest.raises(PermissionDenied):
        orders.approve_order(BUYER_FINANCE, order.id, uow=world.uow)
    orders.approve_order(BUYER_ADMIN, order.id, uow=world.uow)
    assert world.pay(order, buyer=BUYER_FINANCE).status == OrderStatus.PAID


def test_only_the_projects_issuers_list(world: MarketWorld):
    with pytest.raises(PermissionDenied):
        services.create_listing(
            BUYER,
            project_id=PID,
            vintage=2024,
            quantity=Quantity(1_000),
            base_price=Money.of("1", "EUR"),
            floor_price=None,
            organization_id=None,
            uow=world.uow,
            clock=world.clock,
            custody=world.custody,
            market=world.market,
        )


def test_an_order_is_paid_by_the_method_it_was_quoted_for(world: MarketWorld):
    listing = world.list(3_000)
    order = world.order(world.quote(listing, 1_000))  # quoted for card
    with pytest.raises(RuleViolation) as refused:
        order_payments.payable_order(
            BUYER, order.id, method="bank_transfer", uow=world.uow, clock=world.clock
        )
    assert refused.value.code == "payment_method_mismatch"
    assert world.order_now(order.id).status == OrderStatus.PENDING_PAYMENT


WALLET = "0x00000000000000000000000000000000000000Aa"


def test_a_user_takes_delivery_in_a_linked_wallet(world: MarketWorld):
    world.uow.users.add(
        User(BUYER.id, "b@x.test", "Buyer", None, world.clock.now(), wallets=[WALLET])
    )
    listing = world.list(10_000)
    with pytest.raises(UnknownWallet):
        world.order(world.quote(listing, 1_000), deliver_to="0x" + "b" * 40)
    with pytest.raises(WalletDelivery):
        world.order(
            world.quote(listing, 1_000),
            deliver_to=WALLET,
            retire=orders.RetireOnDelivery("Acme", "offset"),
        )
    order = world.order(world.quote(listing, 1_500), deliver_to=WALLET.lower())
    assert order.buyer_address == WALLET  # as linked
    world.pay(order)
    world.settle()
    assert world.order_now(order.id).status == OrderStatus.FULFILLED
    assert world.holding(WALLET).onchain_kg == 1_500


def test_the_order_list_shows_what_a_single_order_shows(world: MarketWorld):
    listing = world.list(10_000)
    own = world.order(world.quote(listing, 1_000))
    org_order = world.order(
        world.quote(listing, 1_000, buyer=BUYER_FINANCE, organization_id=BUYER_ORG),
        buyer=BUYER_FINANCE,
        organization_id=BUYER_ORG,
    )
    key = Principal("k-buyer", "api_key", scopes=frozenset({"credits:read"}), api_key_org=BUYER_ORG)

    for caller, expected in (
        (BUYER, {own.id}),
        (BUYER_ADMIN, {org_order.id}),
        (key, {org_order.id}),
    ):
        listed, total = orders.list_orders(caller, offset=0, limit=50, uow=world.uow)
        assert {order.id for order in listed} == expected
        assert total == len(expected)
        for order_id in expected:
            assert orders.get_order(caller, order_id, uow=world.uow).id == order_id
    with pytest.raises(NotFound):
        orders.get_order(key, own.id, uow=world.uow)
