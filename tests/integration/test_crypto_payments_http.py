"""Crypto payments through HTTP on the embedded chain: a deposit address per payment,
the amount in ETH at the quoted rate; an under-payment shown and waited for, the rest
paying the order once (delivered and fulfilled), an over-payment shown; the embedded
chain's faucet paying a deposit and concurrent watches settling its order once."""

from __future__ import annotations

import threading

from eth_account import Account

from app.adapters.sql.tables_payments import crypto_deposits
from app.domain.payments.crypto import key_binding
from app.ports.storage import SealedObject
from tests.integration.crypto_support import crypto_order, mine, pay_crypto, send_eth, watch
from tests.integration.market_support import minted_market
from tests.integration.payment_support import order_status


def test_an_order_paid_in_eth_to_its_deposit_address_is_delivered(app, client):
    market = minted_market(app, client, "50")
    buyer = market.buyer()
    order = crypto_order(market, buyer)
    started = pay_crypto(buyer, order["id"], key="eth-1")
    assert started.status_code == 201, started.get_json()
    payment = started.get_json()
    action, deposit = payment["next_action"], payment["crypto"]
    assert (payment["status"], payment["method"], action["type"], action["currency"]) == (
        "pending",
        "crypto",
        "crypto_transfer",
        "ETH",
    )
    assert action["pay_to"] == deposit["pay_to"]
    assert deposit["rate"] == "2600"  # the built-in EUR price of ETH
    assert (deposit["received"], deposit["remaining"], deposit["overpaid"]) == (
        "0",
        deposit["amount"],
        "0",
    )
    replay = pay_crypto(buyer, order["id"], key="eth-1")
    assert (replay.status_code, replay.get_json()["id"]) == (201, payment["id"])
    amount = int(action["amount_wei"])

    send_eth(app, action["pay_to"], amount // 2)
    mine(app, 2)  # CHAIN_CONFIRMATIONS deep on a node (anvil: 2), at once on the embedded one
    watch(app)
    short = buyer.get(f"/api/v1/payments/{payment['id']}").get_json()
    assert short["status"] == "pending"
    assert int(short["next_action"]["amount_wei"]) == amount - amount // 2
    assert short["crypto"]["remaining"] != "0"
    assert order_status(buyer, order["id"]) == "pending_payment"

    send_eth(app, action["pay_to"], amount - amount // 2 + 10**15)
    mine(app, 2)
    assert watch(app) == 1
    paid = buyer.get(f"/api/v1/payments/{payment['id']}").get_json()
    assert (paid["status"], paid["next_action"]) == ("succeeded", None)
    assert (paid["crypto"]["remaining"], paid["crypto"]["overpaid"]) == ("0", "0.001")
    assert watch(app) == 0

    def fulfilled():
        mine(app, 1)
        now = buyer.get(f"/api/v1/orders/{order['id']}").get_json()
        return now if now["status"] == "fulfilled" else None

    done = market.index_until(fulfilled)
    assert done["transfer_tx"].startswith("0x")
    balances = buyer.get(f"/api/v1/credits/balances?project_id={market.project_id}").get_json()
    assert [b["quantity"] for b in balances] == ["2"]


def test_concurrent_watches_pay_the_order_once_and_a_card_is_refused(app, client):
    market = minted_market(app, client, "50")
    buyer = market.buyer()
    order = crypto_order(market, buyer)
    card = market.pay(buyer, order["id"])
    assert (card.status_code, card.get_json()["code"]) == (422, "payment_method_mismatch")
    payment = pay_crypto(buyer, order["id"]).get_json()
    busy = pay_crypto(buyer, order["id"])
    assert (busy.status_code, busy.get_json()["code"]) == (409, "payment_in_progress")
    action = payment["next_action"]
    refused = client.post("/sandbox/chain/send", data={"to": action["pay_to"], "wei": "1e18"})
    assert refused.status_code == 400
    sent = client.post(
        "/sandbox/chain/send", data={"to": action["pay_to"], "wei": action["amount_wei"]}
    )
    assert sent.status_code == 200, sent.data
    assert sent.get_json()["transaction_hash"].startswith("0x")
    ended: list[int] = []
    threads = [threading.Thread(target=lambda: ended.append(watch(app))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(ended) == 1
    assert order_status(buyer, order["id"]) in {"paid", "fulfilled"}
    with app.extensions["platform"].db.engine.connect() as conn:
        rows = conn.execute(crypto_deposits.select()).all()
    assert [row.address for row in rows] == [payment["crypto"]["pay_to"]]
    sealed = SealedObject(bytes(rows[0].sealed_key), bytes(rows[0].wrapped_key), rows[0].key_id)
    cipher = app.extensions["platform"].storage.cipher
    key = cipher.open(sealed, key_binding(payment["id"], rows[0].address))
    assert Account.from_key(key).address == rows[0].address  # the deposit's own key, sealed


def test_pending_deposits_are_watched_page_after_page(app, client):
    from app.domain.payments import crypto

    market = minted_market(app, client, "50")
    buyer = market.buyer()
    started = []
    for n in range(3):
        order = crypto_order(market, buyer, "1")
        started.append(pay_crypto(buyer, order["id"], key=f"eth-page-{n}").get_json())
    for payment in started:
        send_eth(app, payment["next_action"]["pay_to"], int(payment["next_action"]["amount_wei"]))
    mine(app, 2)
    platform = app.extensions["platform"]
    watched = crypto.watch_deposits(
        uow=platform.uow(),
        clock=platform.clock,
        reader=platform.chain.reader,
        confirmations=platform.settings.chain_confirmations,
        limit=2,  # pages of 2 and 1, read through the database's keyset
    )
    assert watched == 3
    statuses = [buyer.get(f"/api/v1/payments/{p['id']}").get_json()["status"] for p in started]
    assert statuses == ["succeeded"] * 3
