"""Reports through HTTP on the embedded chain: credits minted, bought and retired, then
each format asked for, built by the worker, downloaded through its signed link and opened
in its reader (csv, json, openpyxl, pypdf) with the ledger's figures; the E1-7
percentages add up to 100; the email carries the link; altered or expired links are
refused; who may ask for and read which report."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from decimal import Decimal
from typing import Any

import openpyxl
import pypdf
import pytest

from app.domain.auth.permissions import OrgRole
from app.domain.reports.model import sign_download, storage_key
from tests.integration.identity import Caller, mail_to, signed_in, wait_for
from tests.integration.market_support import SELLER_ORG, Market, minted_market, organization

D = Decimal


def _period(app) -> dict[str, str]:
    today = app.extensions["platform"].clock.now().date()
    return {
        "period_start": str(today - timedelta(days=1)),
        "period_end": str(today + timedelta(days=1)),
    }


def _ask(app, caller: Caller, kind: str, fmt: str, **extra: Any) -> dict:
    body = {"kind": kind, "format": fmt, **_period(app), **extra}
    asked = caller.post("/api/v1/reports", json=body)
    assert asked.status_code == 202, asked.get_json()
    assert asked.get_json()["status"] == "queued"

    def done() -> dict | None:
        report = caller.get(f"/api/v1/reports/{asked.get_json()['id']}").get_json()
        return report if report["status"] in {"ready", "failed"} else None

    report = wait_for(done, timeout=60, interval=0.1)
    assert report["status"] == "ready", report
    return report


def _download(client, report: dict) -> Any:
    path = report["download_url"].split("://", 1)[1].split("/", 1)[1]
    got = client.get("/" + path)
    assert got.status_code == 200, got.data[:300]
    assert int(got.headers["Content-Length"]) == len(got.data)
    return got


def _retire(market: Market, quantity: str) -> dict:
    body = {
        "project_id": market.project_id,
        "vintage": 2024,
        "quantity": quantity,
        "beneficiary": "Seller Ltd",
        "purpose": "2026 scope 3",
        "organization_id": SELLER_ORG,
    }
    posted = market.issuer.post("/api/v1/retirements", json=body)
    assert posted.status_code == 202, posted.get_json()
    rid = posted.get_json()["id"]

    def confirmed():
        now = market.issuer.get(f"/api/v1/retirements/{rid}").get_json()
        return now if now["status"] == "confirmed" else None

    return dict(market.index_until(confirmed))


def _bought_and_retired(market: Market, buyer: Caller, quantity: str) -> dict:
    listing = market.listing("10")
    quote = market.quote(buyer, listing["id"], quantity)
    retire = {"beneficiary": "Buyer Co", "purpose": "2026 travel"}
    order = market.order(buyer, quote["id"], retire=retire)
    assert market.pay(buyer, order["id"]).status_code == 201
    market.retired_by(buyer, order["id"])
    return dict(buyer.get(f"/api/v1/orders/{order['id']}").get_json())


@pytest.fixture
def market(app, client) -> Market:
    return minted_market(app, client, "50")


def test_every_format_opens_with_the_ledgers_figures(app, client, market: Market):
    buyer = market.buyer()
    order = _bought_and_retired(market, buyer, "1.5")
    _retire(market, "5")
    _retire(market, "0.25")

    doc = json.loads(_download(client, _ask(app, buyer, "esg_summary", "json")).data)
    totals = doc["summary"]["totals"]
    assert (totals["tonnes_retired"], totals["tonnes_purchased"]) == ("1.5", "1.5")
    assert totals["spend"] == [{"amount": order["total"], "currency": order["currency"]}]
    assert totals["planned_future_cancellation_t"] == "0"  # nothing scheduled
    assert [(r["quantity_t"], r["price_paid"], r["price_currency"]) for r in doc["rows"]] == [
        ("1.500", order["total"], "EUR")
    ]
    row = doc["rows"][0]
    assert (row["project_id"], row["vintage"], row["beneficiary"]) == (
        market.project_id,
        2024,
        "Buyer Co",
    )
    for parts in doc["summary"]["e1_7"].values():
        if parts and any(D(p["tonnes"]) for p in parts):
            assert sum(D(p["percent"]) for p in parts) == D(100)
    assert "not netted" in doc["statement"]

    # The seller organization's own retirements, as its admin, in every other format.
    issuer = market.issuer
    csv_report = _ask(app, issuer, "esg_summary", "csv", organization_id=SELLER_ORG)
    got = _download(client, csv_report)
    assert got.mimetype == "text/csv"
    assert got.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment; filename=" in got.headers["Content-Disposition"]
    lines = list(csv.reader(io.StringIO(got.data.decode())))
    header, rows = lines[0], lines[1 : lines.index([])]
    assert sorted(r[header.index("quantity_t")] for r in rows) == ["0.250", "5.000"]
    assert all(r[header.index("price_paid")] == "" for r in rows)  # not bought on the market

    xlsx = _download(client, _ask(app, issuer, "esg_summary", "xlsx", organization_id=SELLER_ORG))
    book = openpyxl.load_workbook(io.BytesIO(xlsx.data))
    sheet = book["retirements"]
    names = [c.value for c in sheet[1]]
    quantities = [
        r[names.index("quantity_t")] for r in sheet.iter_rows(min_row=2, values_only=True)
    ]
    assert round(sum(D(str(q)) for q in quantities), 3) == D("5.25")
    assert sheet.freeze_panes == "A2"
    assert book["Summary"]._charts

    pdf = _download(client, _ask(app, issuer, "esg_summary", "pdf", organization_id=SELLER_ORG))
    assert pdf.mimetype == "application/pdf"
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.data)).pages)
    assert "5.25" in text
    assert "Reductions and removals" in text

    project = json.loads(
        _download(client, _ask(app, issuer, "project", "json", project_id=market.project_id)).data
    )
    assert (project["summary"]["issued_t"], project["summary"]["retired_t"]) == ("50", "6.75")
    assert project["summary"]["holders"] >= 1

    custom = json.loads(
        _download(
            client,
            _ask(
                app,
                issuer,
                "custom",
                "json",
                organization_id=SELLER_ORG,
                metrics=["tonnes_retired", "retirements_count"],
                group_by="vintage",
            ),
        ).data
    )
    assert custom["rows"] == [
        {"vintage": "2024", "tonnes_retired": "5.250", "retirements_count": 2}
    ]

    trail_csv = _download(
        client, _ask(app, issuer, "audit_trail", "csv", organization_id=SELLER_ORG)
    )
    trail = list(csv.reader(io.StringIO(trail_csv.data.decode())))
    assert trail[0][:3] == ["seq", "occurred_at", "action"]
    actions = {line[2] for line in trail[1 : trail.index([])]}
    assert {"credits.retirement_requested", "reports.requested"} <= actions


def test_the_link_is_emailed_and_altered_or_expired_links_are_refused(app, client):
    buyer = signed_in(app, client, "cfo@example.org")
    report = _ask(app, buyer, "esg_summary", "csv", email="cfo@example.org")
    message = mail_to(app, "cfo@example.org", "esg summary report is ready")
    link = next(w for w in message.text.split() if "/download?" in w)
    assert link.split("/api/v1/", 1)[1].startswith(f"reports/{report['id']}/download?")
    assert client.get("/api/v1/" + link.split("/api/v1/", 1)[1]).status_code == 200

    bad = client.get(
        f"/api/v1/reports/{report['id']}/download?expires=99999999999&signature={'0' * 64}"
    )
    assert bad.status_code == 403
    assert bad.mimetype == "application/problem+json"
    assert bad.get_json()["code"] == "invalid_link"

    key = app.extensions["platform"].storage.link_key
    past = int(app.extensions["platform"].clock.now().timestamp()) - 1
    signed = sign_download(key, report["id"], past)
    expired = client.get(
        f"/api/v1/reports/{report['id']}/download?expires={past}&signature={signed}"
    )
    assert (expired.status_code, expired.get_json()["code"]) == (403, "link_expired")


def test_who_asks_for_and_reads_which_report(app, client):
    finance = signed_in(app, client, "finance@example.org")
    viewer = signed_in(app, client, "viewer@example.org")
    stranger = signed_in(app, client, "stranger@example.org")
    admin = signed_in(app, client, "admin@example.org", roles=("platform_admin",))
    org = organization(app, [(finance, OrgRole.FINANCE), (viewer, OrgRole.VIEWER)])
    body = {"kind": "esg_summary", "format": "json", **_period(app), "organization_id": org}

    assert viewer.post("/api/v1/reports", json=body).status_code == 403
    assert stranger.post("/api/v1/reports", json=body).status_code == 404
    asked = finance.post("/api/v1/reports", json=body)
    assert asked.status_code == 202
    rid = asked.get_json()["id"]
    assert viewer.get(f"/api/v1/reports/{rid}").status_code == 404
    assert admin.get(f"/api/v1/reports/{rid}").status_code == 200

    platform_wide = _ask(app, admin, "esg_summary", "json")
    assert platform_wide["scope"] == "platform"
    assert _ask(app, stranger, "esg_summary", "json")["scope"] == "user"

    listed = finance.get("/api/v1/reports?page_size=1")
    assert [r["id"] for r in listed.get_json()] == [rid]
    assert json.loads(listed.headers["X-Pagination"])["total"] == 1

    wrong = finance.post(
        "/api/v1/reports",
        json={**body, "period_end": body["period_start"], "period_start": "2026-12-31"},
    )
    assert (wrong.status_code, wrong.get_json()["code"]) == (422, "invalid_period")
    project = finance.post("/api/v1/reports", json={**body, "kind": "project"})
    assert (project.status_code, project.get_json()["code"]) == (422, "invalid_report_request")
    custom = finance.post("/api/v1/reports", json={**body, "kind": "custom", "metrics": ["co2"]})
    assert custom.status_code == 422


def test_the_stored_file_is_a_sealed_stream_and_an_altered_one_is_refused(app, client):
    """The blob store holds the segmented ciphertext, never the file; one byte changed in
    it is a 409 problem+json before anything is sent."""
    buyer = signed_in(app, client, "cfo@example.org")
    report = _ask(app, buyer, "esg_summary", "csv")
    store = app.extensions["platform"].storage.store
    locator = storage_key(report["id"])
    got = _download(client, report)

    stored = bytearray(store.get(locator))
    assert stored.startswith(b"cseg\x01")  # the segmented format, version 1
    assert len(stored) == 12 + len(got.data) + 16  # its header, one segment and its tag
    assert got.data.splitlines()[0] not in stored
    stored[20] ^= 0x01
    store.put(locator, bytes(stored))
    path = report["download_url"].split("://", 1)[1].split("/", 1)[1]
    refused = client.get("/" + path)
    assert refused.status_code == 409
    assert refused.mimetype == "application/problem+json"
    assert refused.get_json()["code"] == "integrity_error"


def test_a_report_whose_stored_file_is_gone_is_a_404_not_an_error(app, client):
    buyer = signed_in(app, client, "cfo@example.org")
    report = _ask(app, buyer, "esg_summary", "csv")
    app.extensions["platform"].storage.store.delete(storage_key(report["id"]))

    path = report["download_url"].split("://", 1)[1].split("/", 1)[1]
    gone = client.get("/" + path)

    assert gone.status_code == 404
    assert gone.mimetype == "application/problem+json"
    assert gone.get_json()["code"] == "report_file_missing"
