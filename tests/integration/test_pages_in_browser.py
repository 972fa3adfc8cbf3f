"""The HTML pages the platform serves, opened in headless Chromium as a person would:
the API documentation (Swagger UI, served offline) and the sandbox's 3-D Secure page."""

from __future__ import annotations

from urllib.parse import urlsplit

from tests.integration.browser import browser, served  # noqa: F401 (the fixture)
from tests.integration.market_support import minted_market
from tests.integration.payment_support import open_order, order_status, start_payment


def test_the_api_docs_render_offline_with_every_operation(app, browser):  # noqa: F811
    with served(app) as base:
        page = browser.new_page()
        failed: list[str] = []
        page.on("requestfailed", lambda request: failed.append(request.url))
        page.goto(f"{base}/api/v1/docs")
        page.wait_for_selector(".swagger-ui .opblock", timeout=30_000)
        assert "Carbon" in page.inner_text(".swagger-ui .info")
        paths = page.locator(".opblock-summary-path").all_inner_texts()
        assert "/api/v1/market/quotes" in [p.replace("\u200b", "") for p in paths]
        assert failed == []  # every asset came from the platform itself


def test_a_payer_approves_three_d_secure_on_the_sandbox_page(app, client, browser):  # noqa: F811
    market = minted_market(app, client, "50")
    buyer = market.buyer()
    order = open_order(market, buyer)
    started = start_payment(buyer, order["id"], "pm_card_threeDSecureRequired").get_json()
    assert started["status"] == "requires_action"
    with served(app) as base:
        page = browser.new_page()
        page.goto(base + urlsplit(started["next_action"]["url"]).path)
        assert f"{order['total']} EUR" in page.inner_text("body")
        page.get_by_role("button", name="Approve").click()
        page.wait_for_load_state()
        assert "You can close this page" in page.inner_text("body")
    assert market.settled(buyer, started["id"])["status"] == "succeeded"
    assert order_status(buyer, order["id"]) in {"paid", "fulfilled"}


def test_a_payer_denies_three_d_secure_on_the_sandbox_page(app, client, browser):  # noqa: F811
    market = minted_market(app, client, "50")
    buyer = market.buyer()
    order = open_order(market, buyer)
    started = start_payment(buyer, order["id"], "pm_card_threeDSecureRequired").get_json()
    with served(app) as base:
        page = browser.new_page()
        page.goto(base + urlsplit(started["next_action"]["url"]).path)
        page.get_by_role("button", name="Deny").click()
        page.wait_for_load_state()
        again = browser.new_page()
        response = again.goto(base + urlsplit(started["next_action"]["url"]).path)
        assert response is not None
        assert response.status == 404  # decided: nothing waits any more
        assert "No payment waits" in again.inner_text("body")
    settled = market.settled(buyer, started["id"])
    assert (settled["status"], settled["failure_code"]) == (
        "failed",
        "payment_intent_authentication_failure",
    )
    assert order_status(buyer, order["id"]) == "pending_payment"
