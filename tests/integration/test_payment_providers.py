"""The payment providers' contract, through HTTP: the embedded sandbox and the stripe
adapter (the official `stripe` library talking to a Stripe-like peer on loopback) pass
the same tests. Card payments are learnt from verified webhooks only: the sandbox's
worker posts its events through the application; the peer posts Stripe's to the
platform served over HTTP on loopback, as Stripe would."""

from __future__ import annotations

import contextlib
import json
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest

from app.domain.payments import signature
from tests.integration import stripe_peer
from tests.integration.browser import served
from tests.integration.identity import wait_for
from tests.integration.market_support import Market, minted_market
from tests.integration.payment_support import delivered_events, open_order, order_status
from tests.integration.stripe_peer import StripePeer


@dataclass
class Provider:
    name: str
    app: Any
    client: Any
    peer: StripePeer | None = None

    @property
    def webhook(self) -> str:
        return f"/api/v1/payments/webhooks/{self.name}"

    def signed(self, body: bytes, *, secret: str | None = None, at: int | None = None) -> Any:
        """Post `body` to the webhook signed as this provider signs (with its secret)."""
        stamp = int(time.time()) if at is None else at
        if self.peer is None:
            key = secret or self.app.extensions["platform"].settings.payments_sandbox_webhook_secret
            header = (signature.HEADER, signature.sign(body, key.split(",")[0], stamp))
        else:
            key = secret or stripe_peer.WEBHOOK_SECRET
            header = ("Stripe-Signature", stripe_peer.sign(body, key, stamp))
        return self.client.post(
            self.webhook,
            data=body,
            headers={"Content-Type": "application/json", header[0]: header[1]},
        )

    def decide(self, url: str, *, approve: bool) -> None:
        """The payer's answer to 3-D Secure on the provider's page."""
        if self.peer is None:
            decision = "approve" if approve else "deny"
            answered = self.client.post(urlsplit(url).path, data={"decision": decision})
            assert answered.status_code == 200
            return
        data = urlencode({"outcome": "approve" if approve else "deny"}).encode()
        with urllib.request.urlopen(url, data=data, timeout=10) as page:  # noqa: S310 (loopback)
            assert page.status == 200

    def delivered(self) -> list[bytes]:
        """The event bodies the provider delivered to the webhook endpoint so far."""
        if self.peer is None:
            return [body for _, body in delivered_events(self.app)]
        return list(self.peer.sent)

    @contextlib.contextmanager
    def down(self) -> Iterator[None]:
        """The provider does not answer: the peer stopped; the sandbox swapped for one
        that times out."""
        if self.peer is not None:
            port = self.peer.stop()
            try:
                yield
            finally:
                self.peer.start(port)
            return
        platform = self.app.extensions["platform"]
        working = platform.payment_gateway
        platform.payment_gateway = _TimingOut(working)
        try:
            yield
        finally:
            platform.payment_gateway = working


class _TimingOut:
    def __init__(self, gateway: Any) -> None:
        self._gateway = gateway
        self.name = gateway.name

    def create_intent(self, request: Any) -> Any:
        from app.domain.payments.errors import ProviderUnavailable

        raise ProviderUnavailable("the provider did not answer in time")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._gateway, name)


@pytest.fixture(params=["sandbox", "stripe"])
def provider(request: pytest.FixtureRequest, make_app: Any, db_url: str) -> Iterator[Provider]:
    """Each provider on PostgreSQL when it is configured (SQLite otherwise)."""
    if request.param == "sandbox":
        app = make_app(database_url=db_url)
        yield Provider("sandbox", app, app.test_client())
        return
    peer = StripePeer().start()
    app = make_app(
        database_url=db_url,
        payments_backend="stripe",
        stripe_api_key=stripe_peer.API_KEY,
        # a rotation: the retired secret is still accepted, the peer signs with the other
        stripe_webhook_secrets=f"whsec_retired_one,{stripe_peer.WEBHOOK_SECRET}",
        stripe_api_base=peer.url,
    )
    try:
        with served(app) as base:
            peer.webhook_url = f"{base}/api/v1/payments/webhooks/stripe"
            yield Provider("stripe", app, app.test_client(), peer)
    finally:
        with contextlib.suppress(OSError, AssertionError):
            peer.stop()


def _market(provider: Provider) -> Market:
    return minted_market(provider.app, provider.client, "50")


def test_a_card_is_paid_by_its_webhook_and_the_order_fulfilled(provider: Provider):
    market = _market(provider)
    buyer = market.buyer()
    order = open_order(market, buyer)
    paid = market.pay(buyer, order["id"])
    assert paid.status_code == 201
    payment = paid.get_json()
    assert (payment["status"], payment["amount"], payment["currency"]) == (
        "succeeded",
        order["total"],
        "EUR",
    )
    market.index_until(lambda: order_status(buyer, order["id"]) == "fulfilled")
    assert [p["id"] for p in buyer.get("/api/v1/payments").get_json()] == [payment["id"]]
    if provider.peer is not None:  # the amount Stripe was asked for, in cents
        (intent,) = provider.peer.intents.values()
        assert intent["amount"] == round(float(order["total"]) * 100)
        assert intent["metadata"]["reference"] == payment["id"]


def test_declined_cards_leave_the_order_payable(provider: Provider):
    market = _market(provider)
    buyer = market.buyer()
    order = open_order(market, buyer)
    declined = market.pay(buyer, order["id"], "pm_card_chargeDeclined").get_json()
    assert (declined["status"], declined["failure_code"]) == ("failed", "card_declined")
    short = market.pay(
        buyer, order["id"], "pm_card_insufficientFunds", **{"Idempotency-Key": "funds"}
    ).get_json()
    assert (short["status"], short["failure_code"]) == ("failed", "insufficient_funds")
    assert order_status(buyer, order["id"]) == "pending_payment"
    paid = market.pay(buyer, order["id"], **{"Idempotency-Key": "good-card"}).get_json()
    assert paid["status"] == "succeeded"
    assert order_status(buyer, order["id"]) in {"paid", "fulfilled"}


def test_three_d_secure_is_decided_by_the_payer(provider: Provider):
    market = _market(provider)
    buyer = market.buyer()
    order = open_order(market, buyer)
    first = market.pay(buyer, order["id"], "pm_card_threeDSecureRequired").get_json()
    assert first["status"] == "requires_action"
    assert first["next_action"]["type"] == "redirect_to_url"
    provider.decide(first["next_action"]["url"], approve=False)
    denied = market.settled(buyer, first["id"])
    assert (denied["status"], denied["failure_code"]) == (
        "failed",
        "payment_intent_authentication_failure",
    )
    assert order_status(buyer, order["id"]) == "pending_payment"

    second = market.pay(
        buyer, order["id"], "pm_card_threeDSecureRequired", **{"Idempotency-Key": "3ds-again"}
    ).get_json()
    provider.decide(second["next_action"]["url"], approve=True)
    assert market.settled(buyer, second["id"])["status"] == "succeeded"
    assert order_status(buyer, order["id"]) in {"paid", "fulfilled"}


def test_forged_stale_and_replayed_webhooks_change_nothing(provider: Provider):
    market = _market(provider)
    buyer = market.buyer()
    order = open_order(market, buyer)
    waiting = market.pay(buyer, order["id"], "pm_card_threeDSecureRequired").get_json()
    obj = {"id": "pi_forged", "object": "payment_intent", "metadata": {"reference": waiting["id"]}}
    body = json.dumps(
        {"id": "evt_forged", "object": "event", "type": "payment_intent.succeeded",
         "data": {"object": obj}}
    ).encode()  # fmt: skip

    forged = provider.signed(body, secret="whsec_not_the_secret")
    assert (forged.status_code, forged.get_json()["code"]) == (400, "invalid_signature")
    stale = provider.signed(body, at=int(time.time()) - 301)
    assert (stale.status_code, stale.get_json()["code"]) == (400, "invalid_signature")
    assert buyer.get(f"/api/v1/payments/{waiting['id']}").get_json()["status"] == (
        "requires_action"
    )
    assert order_status(buyer, order["id"]) == "pending_payment"

    provider.decide(waiting["next_action"]["url"], approve=True)
    assert market.settled(buyer, waiting["id"])["status"] == "succeeded"
    # The worker marks the event delivered after the webhook answered: wait for that mark.
    succeeded = wait_for(
        lambda: [b for b in provider.delivered() if b"payment_intent.succeeded" in b],
        timeout=30,
        interval=0.05,
    )
    replayed = provider.signed(succeeded[-1])
    assert (replayed.status_code, replayed.get_json()["outcome"]) == (200, "duplicate")
    payments = buyer.get("/api/v1/payments").get_json()
    assert [p["status"] for p in payments] == ["succeeded"]


def test_refunds_add_up_and_never_exceed_the_payment(provider: Provider):
    market = _market(provider)
    buyer = market.buyer()
    order = open_order(market, buyer)
    payment = market.pay(buyer, order["id"]).get_json()
    market.index_until(lambda: order_status(buyer, order["id"]) == "fulfilled")
    url = f"/api/v1/payments/{payment['id']}/refunds"

    def status_is(status: str) -> Any:
        def check() -> Any:
            now = buyer.get(f"/api/v1/payments/{payment['id']}").get_json()
            return now if now["status"] == status else None

        return check

    assert market.admin.post(url, json={"amount": "1.00", "reason": "late"}).status_code == 201
    from tests.integration.identity import wait_for

    assert wait_for(status_is("partially_refunded"), timeout=30)["refunded"] == "1.00"
    total = payment["amount"]
    over = market.admin.post(url, json={"amount": f"{float(total) - 0.99:.2f}"})
    assert (over.status_code, over.get_json()["code"]) == (422, "refund_exceeds_remaining")
    rest = market.admin.post(url, json={"amount": f"{float(total) - 1:.2f}"})
    assert rest.status_code == 201, rest.get_json()
    assert wait_for(status_is("refunded"), timeout=30)["refunded"] == total
    if provider.peer is not None:
        cents = sorted(r["amount"] for r in provider.peer.refunds.values())
        assert sum(cents) == round(float(total) * 100)
        assert 100 in cents


def test_a_provider_that_does_not_answer_is_a_503_and_nothing_is_charged_twice(
    provider: Provider,
):
    market = _market(provider)
    buyer = market.buyer()
    order = open_order(market, buyer)
    with provider.down():
        down = market.pay(buyer, order["id"], **{"Idempotency-Key": "checkout-1"})
    assert down.status_code == 503
    assert down.get_json()["code"] == "provider_unavailable"
    assert order_status(buyer, order["id"]) == "pending_payment"
    # the checkout retried under the same key, once the provider is back: one charge
    again = market.pay(buyer, order["id"], **{"Idempotency-Key": "checkout-1"})
    assert again.status_code == 201, again.get_json()
    assert again.get_json()["status"] == "succeeded"
    twice = market.pay(buyer, order["id"], **{"Idempotency-Key": "checkout-1"})
    assert twice.get_json()["id"] == again.get_json()["id"]  # the first answer, again
    if provider.peer is not None:
        assert [i["status"] for i in provider.peer.intents.values()] == ["succeeded"]
