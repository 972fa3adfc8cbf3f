"""Paying orders through a provider whose outcomes arrive by signed webhook, once;
refunds within what is left; who sees which payments."""

from __future__ import annotations

import pytest

from app.domain.auth.permissions import OrgRole, Role
from app.domain.auth.principal import Principal
from app.domain.marketplace import orders
from app.domain.marketplace.model import OrderStatus
from app.domain.payments import jobs, services, webhooks
from app.domain.payments.errors import (
    InvalidSignature,
    PaymentInProgress,
    ProviderUnavailable,
    RefundExceedsRemaining,
)
from app.domain.payments.model import PaymentStatus, RefundStatus
from app.domain.shared.errors import NotFound, PermissionDenied
from tests.fakes.payments import SECRET
from tests.unit.ledger_world import ADMIN
from tests.unit.marketplace.market_world import BUYER, BUYER_FINANCE, BUYER_ORG
from tests.unit.payments.payments_world import PaymentsWorld

AUDITOR = Principal("u-auditor", "user", frozenset({Role.ENTERPRISE}), {BUYER_ORG: OrgRole.AUDITOR})
VIEWER = Principal("u-viewer-b", "user", frozenset({Role.ENTERPRISE}), {BUYER_ORG: OrgRole.VIEWER})


@pytest.fixture
def world() -> PaymentsWorld:
    return PaymentsWorld()


def _fulfil_jobs(world: PaymentsWorld) -> int:
    return sum(1 for job in world.uow.outbox.jobs.values() if job.name == "market.fulfil")


def test_the_order_is_paid_only_by_the_verified_webhook_and_only_once(world):
    order = world.open_order()
    payment = world.start(order, key="k1")
    assert (payment.status, payment.amount, payment.intent_id) == (
        PaymentStatus.PROCESSING,
        order.total,
        "pi_1",
    )
    assert world.provider.intents["pi_1"].idempotency_key == f"{order.id}:k1"
    assert world.order_now(order.id).status == OrderStatus.PENDING_PAYMENT
    assert _fulfil_jobs(world) == 0

    assert world.webhook("payment_succeeded", payment.id, event_id="evt_a") == "applied"
    assert world.order_now(order.id).status == OrderStatus.PAID
    assert world.order_now(order.id).payment_reference == payment.id
    assert world.webhook("payment_succeeded", payment.id, event_id="evt_a") == "duplicate"
    assert world.webhook("payment_succeeded", payment.id, event_id="evt_b") == "ignored"
    assert world.payment_now(payment.id).status == PaymentStatus.SUCCEEDED
    assert _fulfil_jobs(world) == 1
    assert "market.fulfil" in world.run_jobs()


def test_a_webhook_with_a_bad_signature_changes_nothing(world):
    order = world.open_order()
    payment = world.start(order)
    body, _ = world.provider.event("payment_succeeded", payment.id)
    forged = {"Sandbox-Signature": f"t=1,v1={SECRET}"}
    with pytest.raises(InvalidSignature):
        webhooks.receive_webhook(world.provider, body, forged, uow=world.uow, clock=world.clock)
    assert world.payment_now(payment.id).status == PaymentStatus.PROCESSING
    assert world.uow.payments.events == {}


def test_a_failed_payment_leaves_the_order_payable_again(world):
    order = world.open_order()
    first = world.start(order, "pm_card_chargeDeclined", key="k1")
    with pytest.raises(PaymentInProgress):
        world.start(order, key="k2")
    world.webhook("payment_failed", first.id, failure="card_declined")
    failed = world.payment_now(first.id)
    assert (failed.status, failed.failure_code) == (PaymentStatus.FAILED, "card_declined")
    assert world.order_now(order.id).status == OrderStatus.PENDING_PAYMENT
    second = world.start(order, key="k2")
    world.webhook("payment_succeeded", second.id)
    assert world.order_now(order.id).status == OrderStatus.PAID


def test_three_d_secure_waits_for_the_payer(world):
    order = world.open_order()
    payment = world.start(order, "pm_card_threeDSecureRequired")
    assert payment.status == PaymentStatus.REQUIRES_ACTION
    assert payment.next_action == {"type": "redirect_to_url", "url": "https://fake.test/pi_1"}
    world.webhook("payment_succeeded", payment.id)
    paid = world.payment_now(payment.id)
    assert (paid.status, paid.next_action) == (PaymentStatus.SUCCEEDED, None)


def test_a_provider_that_does_not_answer_fails_the_payment_and_the_order_stays_unpaid(world):
    order = world.open_order()
    world.provider.down = True
    with pytest.raises(ProviderUnavailable):
        world.start(order)
    (payment,) = world.uow.payments.payments.values()
    assert (payment.status, payment.failure_code) == (PaymentStatus.FAILED, "provider_unavailable")
    assert world.order_now(order.id).status == OrderStatus.PENDING_PAYMENT
    world.provider.down = False
    assert world.start(order).status == PaymentStatus.PROCESSING


def test_a_retry_under_the_same_key_tries_the_unanswered_payment_again_once(world):
    order = world.open_order()
    world.provider.down = True
    with pytest.raises(ProviderUnavailable):
        world.start(order, key="checkout-1")
    world.provider.down = False
    retried = world.start(order, key="checkout-1")
    (payment,) = world.uow.payments.payments.values()  # the same payment, reopened
    assert (retried.id, retried.status, retried.failure_code) == (
        payment.id,
        PaymentStatus.PROCESSING,
        None,
    )
    assert [r.reference for r in world.provider.intents.values()] == [payment.id]
    with pytest.raises(PaymentInProgress):  # it waits for its outcome now
        world.start(order, key="checkout-1")


def test_a_full_refund_before_delivery_gives_the_credits_back_to_the_listing(world):
    order = world.open_order(2_000)
    payment = world.start(order)
    world.webhook("payment_succeeded", payment.id)
    listing_before = world.listing(order.listing_id)
    assert listing_before.reserved_kg == 2_000

    with pytest.raises(PermissionDenied):
        world.refund(payment, "1.00", BUYER)
    refund = world.refund(payment, str(order.total.amount), ADMIN)
    assert (refund.status, refund.provider_refund_id) == (RefundStatus.PENDING, "re_1")
    assert world.order_now(order.id).status == OrderStatus.PAID  # until the provider says
    world.webhook("refund_succeeded", refund.id)
    assert world.payment_now(payment.id).status == PaymentStatus.REFUNDED
    assert world.order_now(order.id).status == OrderStatus.REFUNDED
    assert world.listing(order.listing_id).reserved_kg == 0
    assert world.listing(order.listing_id).available_kg == listing_before.quantity_kg
    world.run_jobs()  # the delivery asked for at payment finds the order refunded
    assert world.order_now(order.id).transfer_tx is None


def test_a_refund_completing_while_the_delivery_is_on_its_way_moves_only_the_money(world):
    from app.domain.chain.errors import NotMinedYet
    from app.domain.marketplace import jobs as market_jobs

    order = world.open_order(2_000)
    payment = world.start(order)
    world.webhook("payment_succeeded", payment.id)
    world.node.automine = False
    with pytest.raises(NotMinedYet):  # the transfer is signed and sent, not mined yet
        market_jobs.deliver_order(order.id, uow=world.uow, chain=world.chain_writes)
    refund = world.refund(payment, str(order.total.amount), ADMIN)
    world.webhook("refund_succeeded", refund.id)
    assert world.payment_now(payment.id).status == PaymentStatus.REFUNDED
    assert world.order_now(order.id).status == OrderStatus.PAID  # it will be fulfilled
    assert world.listing(order.listing_id).reserved_kg == 2_000  # nothing given back
    world.node.mine_pending()
    world.index()
    assert world.order_now(order.id).status == OrderStatus.FULFILLED
    assert world.listing(order.listing_id).sold_kg == 2_000


def test_partial_refunds_add_up_and_never_exceed_the_payment(world):
    order = world.open_order(2_000)
    payment = world.start(order)
    world.webhook("payment_succeeded", payment.id)
    first = world.refund(payment, "5.00", ADMIN)
    with pytest.raises(RefundExceedsRemaining):
        world.refund(payment, str(order.total.amount - 4), ADMIN)
    world.webhook("refund_succeeded", first.id)
    partly = world.payment_now(payment.id)
    assert (partly.status, str(partly.refunded_total)) == (
        PaymentStatus.PARTIALLY_REFUNDED,
        "5.00 EUR",
    )
    assert world.order_now(order.id).status == OrderStatus.PAID  # only money moved
    failing = world.refund(payment, "1.00", ADMIN)
    world.webhook("refund_failed", failing.id, failure="expired_card")
    assert world.payment_now(payment.id).refundable == order.total - partly.refunded_total
    rest = world.refund(payment, str(order.total.amount - 5), ADMIN)
    world.webhook("refund_succeeded", rest.id)
    assert world.payment_now(payment.id).refunded_total == order.total
    assert world.order_now(order.id).status == OrderStatus.REFUNDED


def test_an_organizations_finance_and_auditor_see_its_payments_and_its_viewer_does_not(world):
    own = world.start(world.open_order())
    org_order = world.open_order(buyer=BUYER_FINANCE, organization_id=BUYER_ORG)
    org_payment = world.start(org_order, buyer=BUYER_FINANCE)

    def seen(principal):
        payments, total = services.list_payments(principal, offset=0, limit=10, uow=world.uow)
        assert total == len(payments)
        return {p.id for p in payments}

    assert seen(BUYER) == {own.id}
    assert seen(BUYER_FINANCE) == seen(AUDITOR) == {org_payment.id}
    assert seen(VIEWER) == set()
    assert seen(ADMIN) == {own.id, org_payment.id}
    with pytest.raises(NotFound):
        services.get_payment(VIEWER, org_payment.id, uow=world.uow)
    assert services.get_payment(AUDITOR, org_payment.id, uow=world.uow).id == org_payment.id


def test_a_receipt_exists_once_the_payment_succeeded(world):
    order = world.open_order()
    payment = world.start(order)
    with pytest.raises(NotFound):
        services.receipt_of(BUYER, payment.id, uow=world.uow)
    world.webhook("payment_succeeded", payment.id)
    paid, of_order, refunds = services.receipt_of(BUYER, payment.id, uow=world.uow)
    assert (paid.status, of_order.id, refunds) == (PaymentStatus.SUCCEEDED, order.id, [])


def test_a_payment_for_an_order_that_ended_meanwhile_is_refunded_in_full_once(world):
    order = world.open_order()
    payment = world.start(order, "pm_card_threeDSecureRequired")
    orders.cancel_order(BUYER, order.id, uow=world.uow, clock=world.clock, market=world.market)
    world.webhook("payment_succeeded", payment.id)
    assert world.order_now(order.id).status == OrderStatus.CANCELLED
    (job,) = [j for j in world.uow.outbox.jobs.values() if j.name == jobs.REFUND_UNAPPLIED]
    gateways = {world.provider.name: world.provider}
    for _ in range(2):
        jobs.refund_unapplied(
            str(job.payload["payment_id"]), uow=world.uow, clock=world.clock, gateways=gateways
        )
    (asked,) = world.provider.refunds
    assert asked.amount == order.total
    world.webhook("refund_succeeded", asked.reference)
    assert world.payment_now(payment.id).status == PaymentStatus.REFUNDED
    assert world.order_now(order.id).status == OrderStatus.CANCELLED
    assert _fulfil_jobs(world) == 0


def test_a_refund_the_provider_did_not_answer_is_failed_and_can_be_asked_again(world):
    order = world.open_order()
    payment = world.start(order)
    world.webhook("payment_succeeded", payment.id)
    world.provider.down = True
    with pytest.raises(ProviderUnavailable):
        world.refund(payment, "2.00", ADMIN)
    (failed,) = world.uow.payments.refunds.values()
    assert (failed.status, failed.failure_code) == (RefundStatus.FAILED, "provider_unavailable")
    assert world.payment_now(payment.id).refundable == order.total
    world.provider.down = False
    assert world.refund(payment, "2.00", ADMIN).status == RefundStatus.PENDING
