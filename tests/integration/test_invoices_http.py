"""Enterprise invoices through HTTP: credit terms set by an admin, an invoice order within
the room delivered at once, one beyond it delivered once its invoice is paid by a
statement line with its reference; the invoice as JSON and as a PDF with its totals;
concurrent invoices of one organization numbered without gaps and within its limit; the
overdue flag."""

from __future__ import annotations

import io
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pypdf

from app.domain.auth.permissions import OrgRole
from app.domain.payments import invoices
from tests.fakes.clock import FakeClock
from tests.integration.market_support import BUYER_ORG, minted_market, organization
from tests.integration.payment_support import order_status


def _invoice_order(market, finance, listing, tonnes):
    quote = market.quote(
        finance, listing["id"], tonnes, payment_method="invoice", organization_id=BUYER_ORG
    )
    order = market.order(finance, quote["id"], organization_id=BUYER_ORG)
    paid = finance.post(f"/api/v1/orders/{order['id']}/payments", json={"method": "invoice"})
    assert paid.status_code == 201, paid.get_json()
    return order, paid.get_json()


def test_invoices_deliver_within_the_credit_room_and_after_payment_beyond_it(app, client):
    market = minted_market(app, client, "50")
    finance = market.buyer("finance@example.org")
    organization(app, [(finance, OrgRole.FINANCE)])
    terms = {"credit_limit": {"amount": "40.00", "currency": "EUR"}, "net_days": 30}
    path = f"/api/v1/admin/payments/organizations/{BUYER_ORG}/credit"
    assert finance.put(path, json=terms).status_code == 403
    unknown = market.admin.put("/api/v1/admin/payments/organizations/org-none/credit", json=terms)
    assert unknown.status_code == 404
    set_terms = market.admin.put(path, json=terms)
    assert set_terms.status_code == 200, set_terms.get_json()
    assert set_terms.get_json()["room"] == {"amount": "40.00", "currency": "EUR"}
    listing = market.listing("10")

    credit_order, credit_payment = _invoice_order(market, finance, listing, "2")
    action = credit_payment["next_action"]
    assert (credit_payment["status"], action["type"], action["delivered_on_credit"]) == (
        "pending",
        "invoice",
        True,
    )
    assert re.fullmatch(r"INV-\d{4}-000001", action["number"])
    assert order_status(finance, credit_order["id"]) in {"paid", "fulfilled"}
    invoice = finance.get(f"/api/v1/invoices/{action['invoice_id']}").get_json()
    assert (invoice["number"], invoice["status"], invoice["total"]) == (
        action["number"],
        "open",
        credit_order["total"],
    )
    assert invoice["due_date"] == action["due_date"]
    assert [line["amount"] for line in invoice["lines"]] == [
        credit_order["subtotal"],
        *(fee["amount"] for fee in credit_order["fees"]),
    ]
    pdf = finance.get(f"/api/v1/invoices/{action['invoice_id']}/pdf")
    assert (pdf.status_code, pdf.mimetype) == (200, "application/pdf")
    text = pypdf.PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text().replace("\n", " ")
    assert f"Total due {credit_order['total']} EUR" in text
    assert f"Subtotal {credit_order['subtotal']} EUR" in text
    assert action["number"] in text
    assert action["reference"] in text
    stranger = market.buyer("stranger@example.org")
    assert stranger.get(f"/api/v1/invoices/{action['invoice_id']}").status_code == 404

    later_order, later = _invoice_order(market, finance, listing, "2")
    assert later["next_action"]["delivered_on_credit"] is False
    assert later["next_action"]["number"].endswith("000002")
    assert order_status(finance, later_order["id"]) == "pending_payment"
    statement = (
        "reference,amount,currency\n"
        f"{later['next_action']['reference_printed']},{later['amount']},EUR\n"
    )
    report = market.admin.post("/api/v1/admin/payments/statements", json={"content": statement})
    assert report.get_json()["matched"] == 1, report.get_json()
    assert order_status(finance, later_order["id"]) in {"paid", "fulfilled"}
    paid = finance.get(f"/api/v1/invoices/{later['next_action']['invoice_id']}").get_json()
    assert (paid["status"], paid["paid_at"] is not None) == ("paid", True)
    assert finance.get(f"/api/v1/payments/{later['id']}").get_json()["status"] == "succeeded"


def test_concurrent_invoices_take_numbers_without_gaps_and_never_pass_the_limit(app, client):
    market = minted_market(app, client, "50")
    finance = market.buyer("finance@example.org")
    organization(app, [(finance, OrgRole.FINANCE)])
    listing = market.listing("10")
    placed = []
    for _ in range(5):
        quote = market.quote(
            finance, listing["id"], "1", payment_method="invoice", organization_id=BUYER_ORG
        )
        placed.append(market.order(finance, quote["id"], organization_id=BUYER_ORG))
    total = Decimal(placed[0]["total"])
    limit = {"amount": str((total * Decimal("2.5")).quantize(Decimal("0.01"))), "currency": "EUR"}
    terms = market.admin.put(
        f"/api/v1/admin/payments/organizations/{BUYER_ORG}/credit",
        json={"credit_limit": limit, "net_days": 30},
    )
    assert terms.status_code == 200, terms.get_json()

    def invoice(order_id: str) -> dict:
        answer = app.test_client().post(
            f"/api/v1/orders/{order_id}/payments",
            json={"method": "invoice"},
            headers=finance.headers,
        )
        assert answer.status_code == 201, answer.get_json()
        return dict(answer.get_json()["next_action"])

    with ThreadPoolExecutor(max_workers=5) as pool:
        actions = list(pool.map(invoice, [order["id"] for order in placed]))
    assert sorted(int(a["number"][-6:]) for a in actions) == [1, 2, 3, 4, 5]
    assert sum(a["delivered_on_credit"] for a in actions) == 2


def test_the_periodic_job_flags_an_invoice_past_its_due_date_overdue(app, client):
    market = minted_market(app, client, "50")
    finance = market.buyer("finance@example.org")
    organization(app, [(finance, OrgRole.FINANCE)])
    terms = {"credit_limit": {"amount": "1000.00", "currency": "EUR"}, "net_days": 0}
    path = f"/api/v1/admin/payments/organizations/{BUYER_ORG}/credit"
    assert market.admin.put(path, json=terms).status_code == 200
    _, payment = _invoice_order(market, finance, market.listing("10"), "1")
    invoice_path = f"/api/v1/invoices/{payment['next_action']['invoice_id']}"
    platform = app.extensions["platform"]
    assert platform.flag_overdue_invoices() == 0  # due today: not overdue yet
    tomorrow = FakeClock(datetime.now(UTC) + timedelta(days=1))
    assert invoices.flag_overdue(uow=platform.uow(), clock=tomorrow) == 1
    assert finance.get(invoice_path).get_json()["status"] == "overdue"
    confirmed = market.admin.post(f"/api/v1/payments/{payment['id']}/confirm")
    assert confirmed.status_code == 200, confirmed.get_json()
    assert finance.get(invoice_path).get_json()["status"] == "paid"
