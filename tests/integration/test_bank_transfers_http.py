"""Bank transfers through HTTP: the payer gets the bank details and an RF reference, a
statement import (endpoint or command) pays the exact amount and reports the rest, and
an admin or the organization's finance confirms one by hand."""

from __future__ import annotations

import json

from app.domain.auth.permissions import OrgRole
from app.domain.payments.reference import is_valid
from tests.integration.market_support import BUYER_ORG, minted_market, organization
from tests.integration.payment_support import order_status


def _transfer(market, buyer, listing, **order):
    quote = market.quote(buyer, listing["id"], "1", payment_method="bank_transfer", **order)
    placed = market.order(buyer, quote["id"], **order)
    started = buyer.post(
        f"/api/v1/orders/{placed['id']}/payments", json={"method": "bank_transfer"}
    )
    assert started.status_code == 201, started.get_json()
    return placed, started.get_json()


def test_a_statement_pays_pending_transfers_by_reference_and_exact_amount(app, client):
    market = minted_market(app, client, "50")
    buyer = market.buyer()
    listing = market.listing("10")
    exact_order, exact = _transfer(market, buyer, listing)
    short_order, short = _transfer(market, buyer, listing)

    action = exact["next_action"]
    assert (exact["status"], action["type"], action["amount"]) == (
        "pending",
        "bank_transfer",
        exact_order["total"],
    )
    assert is_valid(action["reference"])
    assert all(action[name] for name in ("iban", "bic", "beneficiary"))
    statement = (
        "date,reference,amount,currency\n"
        f"2026-12-01,Order {action['reference_printed']},{exact['amount']},EUR\n"
        f"2026-12-01,{short['next_action']['reference']},0.01,EUR\n"
        "2026-12-01,rent,100.00,EUR\n"
    )
    refused = buyer.post("/api/v1/admin/payments/statements", json={"content": statement})
    assert refused.status_code == 403
    report = market.admin.post("/api/v1/admin/payments/statements", json={"content": statement})
    assert report.status_code == 200, report.get_json()
    body = report.get_json()
    assert (body["matched"], body["partial"], body["unmatched"]) == (1, 1, 1)
    assert [line["outcome"] for line in body["lines"]] == ["matched", "partial", "unmatched"]
    assert buyer.get(f"/api/v1/payments/{exact['id']}").get_json()["status"] == "succeeded"
    assert order_status(buyer, exact_order["id"]) in {"paid", "fulfilled"}
    assert order_status(buyer, short_order["id"]) == "pending_payment"
    back = market.admin.post(f"/api/v1/payments/{exact['id']}/refunds", json={"amount": "1.00"})
    assert (back.status_code, back.get_json()["code"]) == (409, "payment_state")
    bad = market.admin.post("/api/v1/admin/payments/statements", json={"content": "a,b\n1,2\n"})
    assert (bad.status_code, bad.get_json()["code"]) == (422, "invalid_statement")


def test_the_organizations_finance_confirms_a_transfer_and_the_command_imports_one(
    app, client, tmp_path
):
    market = minted_market(app, client, "50")
    finance = market.buyer("finance@example.org")
    organization(app, [(finance, OrgRole.FINANCE)])
    listing = market.listing("10")
    org_order, org_payment = _transfer(market, finance, listing, organization_id=BUYER_ORG)
    confirmed = finance.post(f"/api/v1/payments/{org_payment['id']}/confirm")
    assert confirmed.status_code == 200, confirmed.get_json()
    assert confirmed.get_json()["status"] == "succeeded"
    assert order_status(finance, org_order["id"]) in {"paid", "fulfilled"}
    again = finance.post(f"/api/v1/payments/{org_payment['id']}/confirm")
    assert (again.status_code, again.get_json()["code"]) == (409, "payment_state")

    buyer = market.buyer()
    own_order, own = _transfer(market, buyer, listing)
    assert buyer.post(f"/api/v1/payments/{own['id']}/confirm").status_code == 403
    path = tmp_path / "statement.csv"
    path.write_text(
        f"reference,amount,currency\n{own['next_action']['reference']},{own['amount']},EUR\n"
    )
    ran = app.test_cli_runner().invoke(args=["payments", "import-statement", str(path)])
    assert ran.exit_code == 0, ran.output
    *lines, counts = ran.output.strip().splitlines()
    assert json.loads(counts) == {"matched": 1}
    assert json.loads(lines[0])["payment_id"] == own["id"]
    assert order_status(buyer, own_order["id"]) in {"paid", "fulfilled"}
