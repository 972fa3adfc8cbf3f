"""Payments through HTTP with the embedded sandbox provider: outcomes arrive only as
signed webhooks, delivered by the worker through the platform's own endpoint; 3-D
Secure on the sandbox's page; declines; forged, stale and replayed webhooks; refunds;
receipts; duplicate webhooks at once; a provider that does not answer."""

from __future__ import annotations

import io
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pypdf
import sqlalchemy as sa

from app.adapters.sql.tables import outbox
from app.adapters.sql.tables_payments import payments
from app.domain.payments.errors import ProviderUnavailable
from app.domain.payments.signature import sign
from tests.integration.identity import wait_for
from tests.integration.market_support import minted_market
from tests.integration.payment_support import (
    WEBHOOK,
    delivered_events,
    event_body,
    open_order,
    order_status,
    post_signed,
    secret,
    start_payment,
)


def test_a_card_payment_is_paid_by_its_webhook_then_fulfilled(app, client):
    market = minted_market(app, client, "50")
    buyer = market.buyer()
    order = open_order(market, buyer)

    started = start_payment(buyer, order["id"], "pm_card_visa", key="pay-1")
    assert started.status_code == 201, started.get_json()
    payment = started.get_json()
    assert (payment["status"], payment["amount"], payment["currency"]) == (
        "processing",
        order["total"],
        "EUR",
    )
    settled = market.settled(buyer, payment["id"])
    assert settled["status"] == "succeeded"
    delivered = wait_for(lambda: delivered_events(app))
    assert [kind for kind, _ in delivered] == ["payment_intent.succeeded"]

    def fulfilled():
        return order_status(buyer, order["id"]) == "fulfilled"

    market.index_until(fulfilled)
    listed = buyer.get("/api/v1/payments")
    assert listed.status_code == 200
    assert [p["id"] for p in listed.get_json()] == [payment["id"]]
    assert "X-Pagination" in listed.headers
    assert [p["id"] for p in market.admin.get("/api/v1/payments").get_json()] == [payment["id"]]
    stranger = market.buyer("stranger@example.org")
    assert stranger.get("/api/v1/payments").get_json() == []
    assert stranger.get(f"/api/v1/payments/{payment['id']}").status_code == 404


def test_three_d_secure_is_decided_on_the_sandbox_page(app, client):
    market = minted_market(app, client, "50")
    buyer = market.buyer()
    denied_order = open_order(market, buyer)

    started = start_payment(buyer, denied_order["id"], "pm_card_threeDSecureRequired")
    assert started.status_code == 201, started.get_json()
    payment = started.get_json()
    assert payment["status"] == "requires_action"
    action = payment["next_action"]
    assert action["type"] == "redirect_to_url"
    page = urlsplit(action["url"]).path
    shown = client.get(page)
    assert shown.status_code == 200
    assert b'value="deny"' in shown.data
    assert client.post(page, data={"decision": "deny"}).status_code == 200
    failed = market.settled(buyer, payment["id"])
    assert (failed["status"], failed["failure_code"]) == (
        "failed",
        "payment_intent_authentication_failure",
    )
    assert order_status(buyer, denied_order["id"]) == "pending_payment"
    assert client.get(page).status_code == 404  # decided: nothing waits any more

    retried = start_payment(buyer, denied_order["id"], "pm_card_threeDSecureRequired", "3ds-2")
    page = urlsplit(retried.get_json()["next_action"]["url"]).path
    assert client.post(page, data={"decision": "approve"}).status_code == 200
    assert market.settled(buyer, retried.get_json()["id"])["status"] == "succeeded"
    assert order_status(buyer, denied_order["id"]) in {"paid", "fulfilled"}


def test_a_declined_card_leaves_the_order_payable_again(app, client):
    market = minted_market(app, client, "50")
    buyer = market.buyer()
    order = open_order(market, buyer)

    for card, code in [
        ("pm_card_chargeDeclined", "card_declined"),
        ("pm_card_insufficientFunds", "insufficient_funds"),
        ("pm_card_unknown", "invalid_payment_method"),
    ]:
        declined = market.pay(buyer, order["id"], card, **{"Idempotency-Key": card})
        assert (declined.get_json()["status"], declined.get_json()["failure_code"]) == (
            "failed",
            code,
        )
        assert order_status(buyer, order["id"]) == "pending_payment"
    paid = market.pay(buyer, order["id"], **{"Idempotency-Key": "another-key"})
    assert paid.get_json()["status"] == "succeeded"
    assert order_status(buyer, order["id"]) in {"paid", "fulfilled"}
    statuses = sorted(p["status"] for p in buyer.get("/api/v1/payments").get_json())
    assert statuses == ["failed", "failed", "failed", "succeeded"]


def test_forged_stale_and_replayed_webhooks_change_nothing(app, client):
    market = minted_market(app, client, "50")
    buyer = market.buyer()
    order = open_order(market, buyer)
    waiting = start_payment(buyer, order["id"], "pm_card_threeDSecureRequired").get_json()
    body = event_body("payment_intent.succeeded", waiting["id"], event_id="evt_forged")

    forged = post_signed(client, body, "not-the-secret")
    assert (forged.status_code, forged.get_json()["code"]) == (400, "invalid_signature")
    stale = post_signed(client, body, secret(app), at=int(time.time()) - 301)
    assert (stale.status_code, stale.get_json()["code"]) == (400, "invalid_signature")
    tampered = sign(body, secret(app), int(time.time()))
    altered = post_signed(client, body.replace(b"evt_forged", b"evt_other"), "", header=tampered)
    assert altered.status_code == 400
    unsigned = client.post(WEBHOOK, data=body, headers={"Content-Type": "application/json"})
    assert unsigned.status_code == 400
    not_an_event = post_signed(client, b"[1, 2]", secret(app))
    assert (not_an_event.status_code, not_an_event.get_json()["code"]) == (400, "invalid_event")
    elsewhere = client.post("/api/v1/payments/webhooks/acme", data=body)
    assert elsewhere.status_code == 404
    assert buyer.get(f"/api/v1/payments/{waiting['id']}").get_json()["status"] == (
        "requires_action"
    )
    assert order_status(buyer, order["id"]) == "pending_payment"

    page = urlsplit(waiting["next_action"]["url"]).path
    client.post(page, data={"decision": "approve"})
    assert market.settled(buyer, waiting["id"])["status"] == "succeeded"
    (_, delivered), *_ = wait_for(lambda: delivered_events(app))
    replayed = post_signed(client, delivered, secret(app))
    assert replayed.status_code == 200
    assert replayed.get_json()["outcome"] == "duplicate"
    unknown = event_body("customer.created", waiting["id"], event_id="evt_unknown_type")
    ignored = post_signed(client, unknown, secret(app))
    assert (ignored.status_code, ignored.get_json()["outcome"]) == (200, "ignored")
    assert _fulfil_jobs(app, order["id"]) == 1


def test_refunds_add_up_and_never_exceed_the_payment(app, client):
    market = minted_market(app, client, "50")
    buyer = market.buyer()
    order = open_order(market, buyer)
    payment = market.pay(buyer, order["id"]).get_json()
    market.index_until(lambda: order_status(buyer, order["id"]) == "fulfilled")
    admin, total = market.admin, payment["amount"]

    refused = buyer.post(f"/api/v1/payments/{payment['id']}/refunds", json={"amount": "1.00"})
    assert refused.status_code == 403
    part = admin.post(
        f"/api/v1/payments/{payment['id']}/refunds", json={"amount": "1.00", "reason": "late"}
    )
    assert part.status_code == 201, part.get_json()
    assert part.get_json()["amount"] == "1.00"
    assert part.get_json()["status"] in {"pending", "succeeded"}  # the webhook may be first

    def refunded(status):
        def check():
            now = buyer.get(f"/api/v1/payments/{payment['id']}").get_json()
            return now if now["status"] == status else None

        return check

    after_part = wait_for(refunded("partially_refunded"), timeout=30)
    assert after_part["refunded"] == "1.00"
    left = f"{float(total) - 1:.2f}"
    over = f"{float(total) - 0.99:.2f}"
    too_much = admin.post(f"/api/v1/payments/{payment['id']}/refunds", json={"amount": over})
    assert (too_much.status_code, too_much.get_json()["code"]) == (
        422,
        "refund_exceeds_remaining",
    )
    rest = admin.post(f"/api/v1/payments/{payment['id']}/refunds", json={"amount": left})
    assert rest.status_code == 201, rest.get_json()
    done = wait_for(refunded("refunded"), timeout=30)
    assert done["refunded"] == total
    assert order_status(buyer, order["id"]) == "refunded"
    nothing_left = admin.post(f"/api/v1/payments/{payment['id']}/refunds", json={"amount": "0.01"})
    assert nothing_left.status_code == 409

    receipt = buyer.get(f"/api/v1/payments/{payment['id']}/receipt")
    assert (receipt.status_code, receipt.mimetype) == (200, "application/pdf")
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(receipt.data)).pages)
    assert f"{total} EUR" in text
    assert "Net paid" in text
    assert "0.00 EUR" in text


def test_the_receipt_of_a_payment_shows_its_total(app, client):
    market = minted_market(app, client, "50")
    buyer = market.buyer()
    order = open_order(market, buyer, "2.5")
    payment = market.pay(buyer, order["id"]).get_json()
    receipt = buyer.get(f"/api/v1/payments/{payment['id']}/receipt")
    assert receipt.status_code == 200
    reader = pypdf.PdfReader(io.BytesIO(receipt.data))
    text = reader.pages[0].extract_text()
    assert f"Total paid {order['total']} EUR" in text.replace("\n", " ")
    assert "2.5 t, vintage 2024" in text
    for fee in order["fees"]:
        assert f"{fee['amount']} EUR" in text
    unpaid = open_order(market, buyer)
    waiting = start_payment(buyer, unpaid["id"], "pm_card_threeDSecureRequired").get_json()
    assert buyer.get(f"/api/v1/payments/{waiting['id']}/receipt").status_code == 404


class _Down:
    name = "sandbox"

    def create_intent(self, request):
        raise ProviderUnavailable("the provider did not answer in time")


def test_a_provider_that_does_not_answer_is_a_503_and_the_order_stays_unpaid(app, client):
    market = minted_market(app, client, "50")
    buyer = market.buyer()
    order = open_order(market, buyer)
    platform = app.extensions["platform"]
    working = platform.payment_gateway
    platform.payment_gateway = _Down()
    try:
        down = start_payment(buyer, order["id"], "pm_card_visa", key="down-1")
    finally:
        platform.payment_gateway = working
    assert (down.status_code, down.get_json()["code"]) == (503, "provider_unavailable")
    assert order_status(buyer, order["id"]) == "pending_payment"
    assert [p["failure_code"] for p in buyer.get("/api/v1/payments").get_json()] == [
        "provider_unavailable"
    ]
    assert _fulfil_jobs(app, order["id"]) == 0
    again = market.pay(buyer, order["id"], **{"Idempotency-Key": "down-2"})
    assert again.get_json()["status"] == "succeeded"


def test_the_same_webhook_many_times_at_once_pays_the_order_once(make_app, any_db_url):
    app = make_app(database_url=any_db_url, db_pool_size=20)
    client = app.test_client()
    market = minted_market(app, client, "50")
    buyer = market.buyer()
    order = open_order(market, buyer)
    waiting = start_payment(buyer, order["id"], "pm_card_threeDSecureRequired").get_json()
    key = secret(app)
    same = event_body("payment_intent.succeeded", waiting["id"], event_id="evt_same")
    others = [
        event_body("payment_intent.succeeded", waiting["id"], event_id=f"evt_{n}") for n in range(4)
    ]

    def deliver(body):
        response = post_signed(app.test_client(), body, key)
        return response.status_code, response.get_json()["outcome"]

    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(deliver, [same] * 8 + others))
    assert {status for status, _ in answers} == {200}
    outcomes = [outcome for _, outcome in answers]
    assert outcomes.count("applied") == 1
    assert outcomes[:8].count("duplicate") == 7  # the first of one id applies or is ignored
    assert buyer.get(f"/api/v1/payments/{waiting['id']}").get_json()["status"] == "succeeded"
    assert order_status(buyer, order["id"]) in {"paid", "fulfilled"}
    assert _fulfil_jobs(app, order["id"]) == 1


def _fulfil_jobs(app, order_id: str) -> int:
    with app.extensions["platform"].db.engine.connect() as conn:
        rows = conn.execute(sa.select(outbox.c.payload).where(outbox.c.name == "market.fulfil"))
        return sum(1 for row in rows if row.payload.get("order_id") == order_id)


def test_the_sandboxs_state_survives_a_restart(make_app, db_url):
    first = make_app(database_url=db_url)
    market = minted_market(first, first.test_client(), "50")
    buyer = market.buyer()
    order = open_order(market, buyer)
    waiting = start_payment(buyer, order["id"], "pm_card_threeDSecureRequired").get_json()
    page = urlsplit(waiting["next_action"]["url"]).path

    restarted = make_app(database_url=db_url)  # a new process on the same database
    client = restarted.test_client()
    assert client.get(page).status_code == 200
    assert client.post(page, data={"decision": "approve"}).status_code == 200

    def succeeded():
        with restarted.extensions["platform"].db.engine.connect() as conn:
            status = conn.execute(
                sa.select(payments.c.status).where(payments.c.id == waiting["id"])
            ).scalar_one()
        return status == "succeeded"

    wait_for(succeeded, timeout=30)


def test_concurrent_refunds_never_add_up_to_more_than_the_payment(make_app, any_db_url):
    app = make_app(database_url=any_db_url, db_pool_size=20)
    market = minted_market(app, app.test_client(), "50")
    buyer = market.buyer()
    order = open_order(market, buyer)
    payment = market.pay(buyer, order["id"]).get_json()
    part = f"{float(payment['amount']) * 0.4:.2f}"  # two fit, a third does not

    def refund(_):
        client = app.test_client()
        answer = client.post(
            f"/api/v1/payments/{payment['id']}/refunds",
            json={"amount": part},
            headers=market.admin.headers,
        )
        return answer.status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(refund, range(8)))
    assert set(statuses) <= {201, 409, 422, 503}
    assert statuses.count(201) == 2
    assert statuses.count(422) >= 1
