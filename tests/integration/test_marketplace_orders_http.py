"""Orders through HTTP on the embedded chain: an order reserves the listing, a payment
sends the delivery, the indexer fulfils it (and buy-and-retire retires it); expired
quotes, idempotent orders, cancellation and an organization's approval limit."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from app.domain.auth.permissions import OrgRole
from tests.integration.market_support import BUYER_ORG, minted_market, organization


def test_a_paid_order_is_delivered_on_chain_and_fulfilled(app, client):
    market = minted_market(app, client, "50")
    listing = market.listing("10")
    buyer = market.buyer()
    quote = market.quote(buyer, listing["id"], "2.5")
    order = market.order(buyer, quote["id"])

    assert order["status"] == "pending_payment"
    assert (order["quote_id"], order["listing_id"], order["project_id"]) == (
        quote["id"],
        listing["id"],
        market.project_id,
    )
    assert (order["quantity"], order["total"], order["currency"]) == (
        "2.5",
        quote["total"],
        "EUR",
    )
    assert order["fees"] == quote["fees"]
    assert (order["buyer_id"], order["organization_id"], order["retirement_id"]) == (
        buyer.user_id,
        None,
        None,
    )
    assert market.available(listing["id"]) == "7.5"

    declined = market.pay(buyer, order["id"], "pm_card_chargeDeclined")
    assert declined.status_code == 201, declined.get_json()
    assert (declined.get_json()["status"], declined.get_json()["failure_code"]) == (
        "failed",
        "card_declined",
    )
    assert buyer.get(f"/api/v1/orders/{order['id']}").get_json()["status"] == "pending_payment"

    paid = market.pay(buyer, order["id"])
    assert paid.status_code == 201, paid.get_json()
    payment = paid.get_json()
    assert (payment["status"], payment["next_action"]) == ("succeeded", None)
    assert buyer.get(f"/api/v1/orders/{order['id']}").get_json()["status"] in {
        "paid",
        "fulfilled",
    }
    assert (payment["order_id"], payment["amount"], payment["currency"], payment["method"]) == (
        order["id"],
        order["total"],
        "EUR",
        "card",
    )

    def fulfilled():
        now = buyer.get(f"/api/v1/orders/{order['id']}").get_json()
        return now if now["status"] == "fulfilled" else None

    done = market.index_until(fulfilled)
    assert done["transfer_tx"].startswith("0x")
    assert done["paid_at"] <= done["fulfilled_at"]
    balances = buyer.get(f"/api/v1/credits/balances?project_id={market.project_id}").get_json()
    assert [(b["quantity"], b["available"]) for b in balances] == [("2.5", "2.5")]
    sold = client.get(f"/api/v1/market/listings/{listing['id']}").get_json()
    assert (sold["sold"], sold["reserved"], sold["available"]) == ("2.5", "0", "7.5")
    assert [o["id"] for o in buyer.get("/api/v1/orders").get_json()] == [order["id"]]
    stranger = market.buyer("stranger@example.org")
    assert stranger.get("/api/v1/orders").get_json() == []
    assert stranger.get(f"/api/v1/orders/{order['id']}").status_code == 404
    again = market.pay(buyer, order["id"])
    assert (again.status_code, again.get_json()["code"]) == (409, "order_state")


def test_buy_and_retire_ends_in_a_confirmed_retirement(app, client):
    market = minted_market(app, client, "50")
    listing = market.listing("10")
    buyer = market.buyer()
    quote = market.quote(buyer, listing["id"], "1")
    retire = {"beneficiary": "Acme Ltd", "purpose": "2026 business travel"}
    order = market.order(buyer, quote["id"], retire=retire)
    assert order["retire"] == retire
    assert market.pay(buyer, order["id"]).status_code == 201

    retirement = market.retired_by(buyer, order["id"])
    assert (retirement["beneficiary"], retirement["purpose"], retirement["quantity"]) == (
        "Acme Ltd",
        "2026 business travel",
        "1",
    )
    assert buyer.get(f"/api/v1/orders/{order['id']}").get_json()["status"] == "fulfilled"
    balances = buyer.get(f"/api/v1/credits/balances?project_id={market.project_id}").get_json()
    assert all(b["available"] == "0" for b in balances)  # all of it retired


def test_an_expired_quote_is_refused(app, client):
    market = minted_market(app, client, "50")
    listing = market.listing("10")
    buyer = market.buyer()
    quote = market.quote(buyer, listing["id"], "1")
    platform = market.platform
    real_clock = platform.clock

    class Later:
        def now(self):
            return real_clock.now() + timedelta(minutes=16)

    platform.clock = Later()
    try:
        late = buyer.post("/api/v1/orders", json={"quote_id": quote["id"]})
    finally:
        platform.clock = real_clock
    assert late.status_code == 409
    assert late.get_json()["code"] == "quote_expired"
    assert market.available(listing["id"]) == "10"


def test_an_order_is_idempotent_and_a_quote_orders_once(app, client):
    market = minted_market(app, client, "50")
    listing = market.listing("10")
    buyer = market.buyer()
    quote = market.quote(buyer, listing["id"], "2")
    headers = {**buyer.headers, "Idempotency-Key": "order-1"}
    body = {"quote_id": quote["id"]}

    first = client.post("/api/v1/orders", json=body, headers=headers)
    assert first.status_code == 201, first.get_json()
    replay = client.post("/api/v1/orders", json=body, headers=headers)
    assert replay.status_code == 201
    assert replay.get_json() == first.get_json()
    assert replay.headers["Idempotent-Replayed"] == "true"
    other = market.quote(buyer, listing["id"], "1")
    mismatch = client.post("/api/v1/orders", json={"quote_id": other["id"]}, headers=headers)
    assert mismatch.status_code == 409
    assert mismatch.get_json()["code"] == "idempotency_mismatch"
    used = buyer.post("/api/v1/orders", json=body)
    assert (used.status_code, used.get_json()["code"]) == (409, "quote_used")
    assert market.available(listing["id"]) == "8"
    assert len(buyer.get("/api/v1/orders").get_json()) == 1


def test_cancelling_an_order_gives_the_listing_back(app, client):
    market = minted_market(app, client, "50")
    listing = market.listing("10")
    buyer = market.buyer()
    order = market.order(buyer, market.quote(buyer, listing["id"], "3")["id"])
    assert market.available(listing["id"]) == "7"
    stranger = market.buyer("stranger@example.org")
    assert stranger.post(f"/api/v1/orders/{order['id']}/cancel").status_code == 404

    cancelled = buyer.post(f"/api/v1/orders/{order['id']}/cancel")
    assert cancelled.status_code == 200, cancelled.get_json()
    assert cancelled.get_json()["status"] == "cancelled"
    assert market.available(listing["id"]) == "10"
    again = buyer.post(f"/api/v1/orders/{order['id']}/cancel")
    assert (again.status_code, again.get_json()["code"]) == (409, "order_state")
    unpaid = market.pay(buyer, order["id"])
    assert (unpaid.status_code, unpaid.get_json()["code"]) == (409, "order_state")


def test_an_organization_order_above_its_limit_waits_for_its_admin(app, client):
    market = minted_market(app, client, "50")
    listing = market.listing("10", base="12.00")
    finance = market.buyer("finance@example.org")
    boss = market.buyer("boss@example.org")
    organization(app, [(boss, OrgRole.ADMIN), (finance, OrgRole.FINANCE)])
    terms = market.admin.put(
        f"/api/v1/admin/pricing/organizations/{BUYER_ORG}/fees",
        json={"platform_rate": "0.02", "approval_limit": {"amount": "10.00", "currency": "EUR"}},
    )
    assert terms.status_code == 200, terms.get_json()

    quote = market.quote(finance, listing["id"], "2", organization_id=BUYER_ORG)
    assert [(f["kind"], f["rate"]) for f in quote["fees"]] == [
        ("enterprise", "0.02"),
        ("processing", "0.029"),
    ]
    mismatched = finance.post("/api/v1/orders", json={"quote_id": quote["id"]})
    assert (mismatched.status_code, mismatched.get_json()["code"]) == (409, "quote_mismatch")
    order = market.order(finance, quote["id"], organization_id=BUYER_ORG)
    assert (order["approval_required"], order["approved_by"]) == (True, None)
    assert order["organization_id"] == BUYER_ORG

    waiting = market.pay(finance, order["id"])
    assert (waiting.status_code, waiting.get_json()["code"]) == (409, "approval_required")
    assert finance.post(f"/api/v1/orders/{order['id']}/approve").status_code == 403
    approved = boss.post(f"/api/v1/orders/{order['id']}/approve")
    assert approved.status_code == 200, approved.get_json()
    assert approved.get_json()["approved_by"] == boss.user_id
    paid = market.pay(finance, order["id"])
    assert paid.status_code == 201, paid.get_json()
    assert paid.get_json()["status"] == "succeeded"
    assert finance.get(f"/api/v1/orders/{order['id']}").get_json()["status"] in {
        "paid",
        "fulfilled",
    }
    assert [o["id"] for o in boss.get("/api/v1/orders").get_json()] == [order["id"]]


def test_fifty_parallel_orders_with_one_idempotency_key_create_one_order(app, client):
    market = minted_market(app, client, "50")
    listing = market.listing("10")
    buyer = market.buyer()
    quote = market.quote(buyer, listing["id"], "2")
    headers = {**buyer.headers, "Idempotency-Key": "parallel-order"}

    def post(_: int) -> tuple[int, dict]:
        answer = app.test_client().post(
            "/api/v1/orders", json={"quote_id": quote["id"]}, headers=headers
        )
        return answer.status_code, answer.get_json()

    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(post, range(50)))

    statuses = {status for status, _ in answers}
    assert statuses <= {201, 409}, answers
    created = [body for status, body in answers if status == 201]
    assert created
    assert all(body == created[0] for body in created)
    assert all(
        body["code"] == "idempotency_in_progress" for status, body in answers if status == 409
    ), answers
    assert len(buyer.get("/api/v1/orders").get_json()) == 1
    assert market.available(listing["id"]) == "8"


def test_a_buyer_takes_delivery_in_a_linked_wallet(app, client):
    from eth_account import Account

    from tests.integration.test_wallet_login import nonce_for, sign

    market = minted_market(app, client, "50")
    listing = market.listing("10")
    buyer = market.buyer()
    wallet = Account.create()
    issued = nonce_for(client, wallet, purpose="link")
    linked = buyer.post(
        "/api/v1/me/wallets",
        json={"message": issued["message"], "signature": sign(wallet, issued["message"])},
    )
    assert linked.status_code == 200, linked.get_json()

    stranger_wallet = "0x" + "ab" * 20
    refused = buyer.post(
        "/api/v1/orders",
        json={
            "quote_id": market.quote(buyer, listing["id"], "1")["id"],
            "deliver_to": stranger_wallet,
        },
    )
    assert (refused.status_code, refused.get_json()["code"]) == (422, "unknown_wallet")
    order = market.order(
        buyer, market.quote(buyer, listing["id"], "1.5")["id"], deliver_to=wallet.address.lower()
    )
    assert order["deliver_to"] == wallet.address
    assert market.pay(buyer, order["id"]).status_code == 201

    def fulfilled():
        now = buyer.get(f"/api/v1/orders/{order['id']}").get_json()
        return now if now["status"] == "fulfilled" else None

    market.index_until(fulfilled)
    balances = buyer.get(f"/api/v1/credits/balances?project_id={market.project_id}").get_json()
    assert [(b["holder"], b["quantity"]) for b in balances] == [(wallet.address, "1.5")]


def test_the_expiry_actor_ends_unpaid_orders_and_gives_the_listing_back(app, client):
    from app.adapters.tasks.dramatiq_queue import declare_periodic_actor
    from app.main.background import expire_unpaid_orders
    from tests.integration.identity import wait_for

    market = minted_market(app, client, "50")
    listing = market.listing("10")
    buyer = market.buyer()
    order = market.order(buyer, market.quote(buyer, listing["id"], "4")["id"])
    assert market.available(listing["id"]) == "6"
    platform = market.platform
    real_clock = platform.clock

    class Later:
        def now(self):
            return real_clock.now() + timedelta(
                seconds=platform.settings.market_payment_ttl_seconds + 1
            )

    platform.clock = Later()
    try:
        # the worker's actor, as `app.main.worker` declares it
        actor = declare_periodic_actor(
            platform.broker,
            "market.expire_orders.test",
            lambda: expire_unpaid_orders(platform),
            0.05,
        )
        actor.send()
        wait_for(
            lambda: buyer.get(f"/api/v1/orders/{order['id']}").get_json()["status"] == "expired"
        )
    finally:
        platform.clock = real_clock
    assert market.available(listing["id"]) == "10"
    late = market.pay(buyer, order["id"])
    assert (late.status_code, late.get_json()["code"]) == (409, "order_state")
