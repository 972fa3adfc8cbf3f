"""The marketplace through HTTP on the embedded chain: issuers list minted credits,
anyone searches the listings, buyers get quotes that explain their price, platform admins
set the pricing, and every price change is kept and streamed."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import replace
from decimal import ROUND_HALF_EVEN, Decimal

from tests.integration.identity import signed_in
from tests.integration.market_support import SELLER_ORG, minted_market

CENT = Decimal("0.01")


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_EVEN)


def test_an_issuer_lists_minted_credits_and_not_beyond_its_free_holding(app, client):
    market = minted_market(app, client, "50")
    listing = market.listing("10", base="12.00")

    assert listing["project_id"] == market.project_id
    assert listing["seller_organization_id"] == SELLER_ORG
    assert (listing["quantity"], listing["available"], listing["reserved"], listing["sold"]) == (
        "10",
        "10",
        "0",
        "0",
    )
    assert listing["base_price"] == {"amount": "12.00", "currency": "EUR"}
    assert listing["unit_price"]["currency"] == "EUR"
    assert listing["status"] == "active"
    balance = market.issuer.get(f"/api/v1/credits/balances?project_id={market.project_id}")
    assert [(b["quantity"], b["available"]) for b in balance.get_json()] == [("50", "40")]

    beyond = market.issuer.post(
        "/api/v1/market/listings",
        json={
            "project_id": market.project_id,
            "vintage": 2024,
            "quantity": "40.001",
            "base_price": {"amount": "12.00", "currency": "EUR"},
        },
    )
    assert beyond.status_code == 409
    assert beyond.get_json()["code"] == "insufficient_holding"
    stranger = market.buyer().post(
        "/api/v1/market/listings",
        json={"project_id": market.project_id, "vintage": 2024, "quantity": "1"},
    )
    assert stranger.status_code == 403


def test_money_and_currencies_are_checked(app, client):
    market = minted_market(app, client, "10")
    url = "/api/v1/market/listings"
    body = {"project_id": market.project_id, "vintage": 2024, "quantity": "1"}
    cases = [
        ({"amount": "12.345", "currency": "EUR"}, "invalid_amount"),
        ({"amount": "1200.5", "currency": "JPY"}, "invalid_amount"),
        ({"amount": "12", "currency": "EURO"}, "validation_failed"),
        ({"amount": "-12", "currency": "EUR"}, "validation_failed"),
        ({"amount": "0", "currency": "EUR"}, "validation_failed"),
        ({"amount": "1e3", "currency": "EUR"}, "validation_failed"),
    ]
    for price, code in cases:
        refused = market.issuer.post(url, json={**body, "base_price": price})
        assert refused.status_code == 422, price
        assert refused.get_json()["code"] == code, price
    no_base = market.issuer.post(url, json=body)
    assert no_base.status_code == 422
    assert no_base.get_json()["code"] == "base_price_required"
    yen = market.issuer.post(
        url, json={**body, "base_price": {"amount": "1800", "currency": "JPY"}}
    )
    assert yen.status_code == 201
    assert yen.get_json()["base_price"] == {"amount": "1800", "currency": "JPY"}


def test_listings_are_searched_by_project_type_country_vintage_and_status(app, client):
    market = minted_market(app, client, "50")
    kept = market.listing("10")
    withdrawn = market.listing("5")
    assert market.issuer.delete(f"/api/v1/market/listings/{withdrawn['id']}").status_code == 204

    def ids(query: str) -> list[str]:
        response = client.get(f"/api/v1/market/listings?{query}")
        assert response.status_code == 200, response.get_json()
        return [item["id"] for item in response.get_json()]

    pid = market.project_id
    assert ids(f"project_id={pid}") == [withdrawn["id"], kept["id"]]
    assert ids("type=forestry&country=br&vintage=2024&status=active") == [kept["id"]]
    assert ids("status=withdrawn") == [withdrawn["id"]]
    assert ids("type=cookstoves") == []
    assert ids("country=FR") == []
    assert ids("vintage=2023") == []
    paged = client.get("/api/v1/market/listings?page_size=1")
    assert json.loads(paged.headers["X-Pagination"])["total"] == 2
    assert client.get("/api/v1/market/listings?status=open").status_code == 422
    gone = client.get(f"/api/v1/market/listings/{withdrawn['id']}").get_json()
    assert (gone["status"], gone["available"]) == ("withdrawn", "0")
    balance = market.issuer.get(f"/api/v1/credits/balances?project_id={pid}").get_json()
    assert balance[0]["available"] == "40"  # the withdrawn 5 t went back


def test_a_quote_in_dollars_of_a_euro_listing_shows_its_factors_and_fees(app, client):
    market = minted_market(app, client, "50")
    listing = market.listing("10", base="12.00")
    buyer = market.buyer()
    quote = market.quote(buyer, listing["id"], "2.5", currency="USD")

    factors = {f["name"]: f for f in quote["factors"]}
    assert {"project_type", "vintage", "reputation", "quality", "supply_demand"} <= set(factors)
    assert factors["project_type"]["value"] == "forestry"
    product = Decimal("12.00")
    for factor in quote["factors"]:
        product *= Decimal(factor["effect"])
    euro = quote["listing_unit_price"]
    assert euro == {"amount": str(_cents(product)), "currency": "EUR"}
    assert (quote["currency"], quote["fx_rate"], quote["quantity"]) == ("USD", "1.16", "2.5")
    unit = _cents(Decimal(euro["amount"]) * Decimal("1.16"))
    assert Decimal(quote["unit_price"]) == unit
    subtotal = _cents(unit * Decimal("2.5"))
    assert Decimal(quote["subtotal"]) == subtotal
    fees = {f["kind"]: f for f in quote["fees"]}
    assert (fees["platform"]["rate"], fees["processing"]["rate"]) == ("0.05", "0.029")
    for fee in quote["fees"]:
        assert Decimal(fee["amount"]) == _cents(subtotal * Decimal(fee["rate"]))
    assert Decimal(quote["total"]) == subtotal + sum(Decimal(f["amount"]) for f in quote["fees"])
    assert quote["expires_at"] > quote["created_at"]

    assert buyer.get(f"/api/v1/market/quotes/{quote['id']}").get_json() == quote
    other = market.buyer("other@example.org")
    assert other.get(f"/api/v1/market/quotes/{quote['id']}").status_code == 404
    same = market.quote(buyer, listing["id"], "1")
    assert (same["fx_rate"], same["currency"]) == ("1", "EUR")
    body = {"listing_id": listing["id"], "quantity": "1", "payment_method": "card"}
    no_rate = buyer.post("/api/v1/market/quotes", json={**body, "currency": "XAF"})
    assert no_rate.status_code == 422
    assert no_rate.get_json()["code"] == "rate_unavailable"
    too_much = buyer.post(
        "/api/v1/market/quotes", json={**body, "quantity": "11", "currency": "EUR"}
    )
    assert too_much.status_code == 409
    assert too_much.get_json()["code"] == "insufficient_inventory"


def test_admin_pricing_is_for_platform_admins(app, client):
    market = minted_market(app, client, "50")
    listing = market.listing("10")
    fees = {
        "platform_rate": "0.04",
        "processing_rates": {
            "card": "0.03",
            "bank_transfer": "0",
            "crypto": "0.01",
            "invoice": "0",
        },
    }
    org_fees = {"platform_rate": "0.02", "approval_limit": {"amount": "100.00", "currency": "EUR"}}
    base_url = f"/api/v1/admin/pricing/base-prices/{market.project_id}/2024"
    org_url = f"/api/v1/admin/pricing/organizations/{SELLER_ORG}/fees"
    for caller in (market.issuer, market.buyer()):
        assert caller.put("/api/v1/admin/pricing/fees", json=fees).status_code == 403
        assert caller.put(org_url, json=org_fees).status_code == 403
        price = {"amount": "1.00", "currency": "EUR"}
        assert caller.put(base_url, json=price).status_code == 403

    assert market.admin.put("/api/v1/admin/pricing/fees", json=fees).get_json() == fees
    terms = market.admin.put(org_url, json=org_fees)
    assert terms.status_code == 200, terms.get_json()
    assert terms.get_json() == {"organization_id": SELLER_ORG, **org_fees}
    unknown = market.admin.put("/api/v1/admin/pricing/organizations/nope/fees", json=org_fees)
    assert unknown.status_code == 404
    too_high = market.admin.put("/api/v1/admin/pricing/fees", json={**fees, "platform_rate": "0.6"})
    assert too_high.status_code == 422
    quote = market.quote(market.buyer(), listing["id"], "1")
    assert [(f["kind"], f["rate"]) for f in quote["fees"]] == [
        ("platform", "0.04"),
        ("processing", "0.03"),
    ]
    cleared = market.admin.put(org_url, json={"platform_rate": None})
    assert cleared.get_json() == {
        "organization_id": SELLER_ORG,
        "platform_rate": None,
        "approval_limit": None,
    }


def test_the_price_history_grows_when_the_base_price_changes(app, client):
    market = minted_market(app, client, "50")
    listing = market.listing("10", base="12.00")
    url = f"/api/v1/market/prices/{market.project_id}/history?vintage=2024"
    first = client.get(url).get_json()
    assert [(p["reason"], p["currency"]) for p in first] == [("listed", "EUR")]
    assert first[0]["unit_price"] == listing["unit_price"]["amount"]

    changed = market.admin.put(
        f"/api/v1/admin/pricing/base-prices/{market.project_id}/2024",
        json={"amount": "15.00", "currency": "EUR"},
    )
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["price"] == {"amount": "15.00", "currency": "EUR"}
    history = client.get(url).get_json()
    assert [p["reason"] for p in history] == ["listed", "base price"]
    assert Decimal(history[1]["unit_price"]) > Decimal(history[0]["unit_price"])
    now = client.get(f"/api/v1/market/listings/{listing['id']}").get_json()
    assert now["base_price"]["amount"] == "15.00"
    assert now["unit_price"]["amount"] == history[1]["unit_price"]
    assert (
        client.get(f"/api/v1/market/prices/{market.project_id}/history?vintage=2023").get_json()
        == []
    )
    assert client.get("/api/v1/market/prices/nope/history").status_code == 404
    beyond = market.admin.put(
        f"/api/v1/admin/pricing/base-prices/{market.project_id}/3000",
        json={"amount": "15.00", "currency": "EUR"},
    )
    assert beyond.status_code == 404


def _events(chunks: list[bytes]) -> list[dict]:
    text = b"".join(chunks).decode()
    found = []
    for block in text.split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        if lines.get("event") == "price":
            found.append(json.loads(lines["data"]))
    return found


def test_the_stream_sends_a_price_event_after_an_order(app, client):
    market = minted_market(app, client, "50")
    listing = market.listing("10")
    buyer = market.buyer()
    response = client.get(
        f"/api/v1/market/stream?listing_id={listing['id']}&max_seconds=10", buffered=False
    )
    assert response.status_code == 200
    assert response.mimetype == "text/event-stream"
    body = iter(response.response)
    chunks = [next(body), next(body)]  # the reconnection delay, then the listing as it is
    assert chunks[0].startswith(b"retry: ")
    assert [(e["listing_id"], e["available"]) for e in _events(chunks)] == [(listing["id"], "10")]

    def buy() -> None:
        time.sleep(0.3)  # the stream subscribes on its next read
        own = replace(buyer, client=app.test_client())
        market.order(own, market.quote(own, listing["id"], "3")["id"])

    ordering = threading.Thread(target=buy)
    ordering.start()
    started = time.monotonic()
    for chunk in body:
        chunks.append(chunk)
        if any(e["available"] == "7" for e in _events(chunks)):
            break
    response.close()
    ordering.join()
    assert time.monotonic() - started < 9
    event = next(e for e in _events(chunks) if e["available"] == "7")
    assert event["listing_id"] == listing["id"]
    assert (event["currency"], event["status"]) == ("EUR", "active")
    assert Decimal(event["unit_price"]) > 0
    assert client.get("/api/v1/market/stream?listing_id=nope").status_code == 404


def test_an_idle_stream_keeps_alive_and_ends(app, client):
    signed_in(app, client, "watcher@example.org")
    started = time.monotonic()
    response = client.get("/api/v1/market/stream?max_seconds=1")
    assert response.status_code == 200
    assert response.get_data(as_text=True).endswith(": keep-alive\n\n")
    assert 1 <= time.monotonic() - started < 5
    assert client.get("/api/v1/market/stream?max_seconds=301").status_code == 422
