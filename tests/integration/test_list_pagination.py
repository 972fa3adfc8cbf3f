"""Every list endpoint pages: `page` and `page_size`, the `X-Pagination` header with the
right total, page 2 holding the next rows and a page past the end empty. One world with
at least two rows in every list serves all the list endpoints; a last test fails when a
list operation of the OpenAPI document lacks the pagination parameters.

One file, over 300 lines: the world that holds a row of every list is built once, and
the table of lists beside it is what the tests walk."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask

from app.adapters.tasks.dramatiq_queue import EmbeddedWorker
from app.http.common.limiter import limiter
from app.http.common.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from app.main import migrations
from app.main.app_factory import create_app
from app.main.bootstrap import bootstrap
from tests.conftest import PG_URL, fresh_pg_database
from tests.integration.conftest import settings_for
from tests.integration.identity import Caller, login, signed_in
from tests.integration.notification_support import failed_deliveries, jobs_done
from tests.integration.test_credits_flow import _index_until, _minted
from tests.integration.test_poai_flow import PROJECT, _case_of, _upload

PDF = b"%PDF-1.7\nanother document\n%%EOF\n"
RETIRED_KEYS = ",".join(f"old{i}:{base64.b64encode(bytes([i]) * 32).decode()}" for i in (1, 2))


@dataclass
class World:
    app: Flask
    callers: dict[str, Caller]
    paths: dict[str, str]
    project_id: str


@contextmanager
def _database(tmp_path_factory: pytest.TempPathFactory, sqlite_template) -> Iterator[str]:
    if PG_URL:
        with fresh_pg_database(PG_URL) as url:
            migrations.upgrade(url)
            yield url
        return
    target = tmp_path_factory.mktemp("lists") / "platform.db"
    target.write_bytes(sqlite_template.read_bytes())
    yield f"sqlite:///{target}"


def _upload_to(caller: Caller, pid: str, document_id: str | None = None) -> str:
    data = {"kind": "project_design", "file": (io.BytesIO(PDF), "more.pdf")}
    if document_id:
        data["document_id"] = document_id
    response = caller.client.post(
        f"/api/v1/projects/{pid}/documents",
        headers=caller.headers,
        data=data,
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.get_json()
    return str(response.get_json()["id"])


def _build(app: Flask) -> World:
    client = app.test_client()
    issuer, admin, pid, _batch = _minted(app, client)
    second = issuer.post(f"/api/v1/projects/{pid}/mint", json={"vintage": 2023, "quantity": "7"})
    assert second.status_code == 202, second.get_json()

    def both_confirmed():
        rows = client.get(f"/api/v1/credits/batches?project_id={pid}").get_json()
        return len(rows) == 2 and all(r["status"] == "confirmed" for r in rows)

    _index_until(app, both_confirmed)
    for vintage in (2024, 2023):
        retired = issuer.post(
            "/api/v1/retirements",
            json={
                "project_id": pid,
                "vintage": vintage,
                "quantity": "1",
                "beneficiary": "Acme Ltd",
                "purpose": "scope 1",
                "organization_id": "org-issuer",
            },
        )
        assert retired.status_code == 202, retired.get_json()
    # both confirmed, each with its certificate
    _index_until(app, lambda: len(issuer.get("/api/v1/certificates").get_json()) == 2)

    # Two listings of the first project (each a point of its price history), two orders
    # and their payments.
    listings = []
    for quantity in ("5", "3"):
        listed = issuer.post(
            "/api/v1/market/listings",
            json={
                "project_id": pid,
                "vintage": 2024,
                "quantity": quantity,
                "base_price": {"amount": "10.00", "currency": "EUR"},
            },
        )
        assert listed.status_code == 201, listed.get_json()
        listings.append(listed.get_json()["id"])
    for listing_id in listings:
        quote = admin.post(
            "/api/v1/market/quotes",
            json={
                "listing_id": listing_id,
                "quantity": "1",
                "currency": "EUR",
                "payment_method": "card",
            },
        ).get_json()
        ordered = admin.post("/api/v1/orders", json={"quote_id": quote["id"]})
        assert ordered.status_code == 201, ordered.get_json()
        paying = admin.post(  # a 3-D Secure card: the payment waits, listed
            f"/api/v1/orders/{ordered.get_json()['id']}/payments",
            json={"method": "card", "payment_method": "pm_card_threeDSecureRequired"},
        )
        assert paying.status_code == 201, paying.get_json()

    # A second project, submitted: a second case; its documents and versions.
    other = issuer.post("/api/v1/projects", json={**PROJECT, "name": "Second forest"})
    other_id = other.get_json()["id"]
    document_id = _upload(issuer, other_id)
    _upload_to(issuer, other_id, document_id)
    _upload_to(issuer, other_id)
    issuer.post(f"/api/v1/documents/{document_id}/download-link", json={"version": 1})
    submitted = issuer.post(f"/api/v1/projects/{other_id}/transitions", json={"to": "submitted"})
    assert submitted.status_code == 200, submitted.get_json()
    case_id = _case_of(issuer, other_id)["id"]

    members = "/api/v1/organizations/org-issuer/members"
    for email in ("finance@example.org", "viewer@example.org"):
        role = "finance" if email.startswith("finance") else "viewer"
        added = issuer.post(members, json={"email": email, "role": role})
        assert added.status_code == 201, added.get_json()
    keys = "/api/v1/organizations/org-issuer/api-keys"
    for name in ("one", "two"):
        made = issuer.post(keys, json={"name": name, "scopes": ["members:read"]})
        assert made.status_code == 201, made.get_json()
    for fmt in ("json", "csv"):  # two reports the admin asked for
        asked = admin.post(
            "/api/v1/reports",
            json={
                "kind": "esg_summary",
                "format": fmt,
                "period_start": "2026-01-01",
                "period_end": "2026-12-31",
            },
        )
        assert asked.status_code == 202, asked.get_json()
    login(client, issuer.email)
    reviewer = signed_in(app, client, "reviewer@example.org", roles=("poai_reviewer",))
    paths = {
        "projects": "/api/v1/projects",
        "project history": f"/api/v1/projects/{pid}/history",
        "documents": f"/api/v1/projects/{other_id}/documents",
        "document versions": f"/api/v1/documents/{document_id}/versions",
        "document access log": f"/api/v1/documents/{document_id}/access-log",
        "poai cases": "/api/v1/poai/cases",
        "poai checks": f"/api/v1/poai/cases/{case_id}/checks",
        "poai case history": f"/api/v1/poai/cases/{_case_of(issuer, pid)['id']}/history",
        "poai keys": "/api/v1/poai/keys",
        "credit batches": "/api/v1/credits/batches",
        "credit balances": "/api/v1/credits/balances",
        "retirements": "/api/v1/retirements",
        "certificates": "/api/v1/certificates",
        "chain transactions": "/api/v1/chain/transactions",
        "organization members": members,
        "organization api keys": keys,
        "my sessions": "/api/v1/me/sessions",
        "audit logs": "/api/v1/audit-logs",
        "market listings": "/api/v1/market/listings",
        "price history": f"/api/v1/market/prices/{pid}/history",
        "orders": "/api/v1/orders",
        "payments": "/api/v1/payments",
        "reports": "/api/v1/reports",
        "notifications": "/api/v1/notifications",
        "notification failures": "/api/v1/admin/notifications/failures",
        "governance proposals": "/api/v1/governance/proposals",
        "retirement schedules": "/api/v1/retirements/schedules",
    }
    run_at = (datetime.now(UTC) + timedelta(days=30)).isoformat()
    for quantity in ("1", "2"):
        plan = {"project_id": pid, "vintage": 2024, "quantity": quantity, "run_at": run_at}
        made = issuer.post(paths["retirement schedules"], json={**plan, "beneficiary": "Acme"})
        assert made.status_code == 201, made.get_json()
    for title in ("First proposal", "Second proposal"):
        made = admin.post(paths["governance proposals"], json={"title": title, "description": "d"})
        assert made.status_code == 202, made.get_json()
    jobs_done(app)  # the notifications of all the above are in
    failed_deliveries(app, issuer.user_id, 2)
    assert reviewer  # signed in: a session of someone else, not listed among the issuer's
    return World(app, {"admin": admin, "issuer": issuer}, paths, pid)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, sqlite_template) -> Iterator[World]:
    with _database(tmp_path_factory, sqlite_template) as url:
        storage = tmp_path_factory.mktemp("lists-storage")
        platform = bootstrap(
            settings_for(url, storage_dir=str(storage), poai_retired_public_keys=RETIRED_KEYS)
        )
        app = create_app(platform=platform)
        limiter.reset()
        worker = EmbeddedWorker(platform.broker)
        worker.start()
        try:
            yield _build(app)
        finally:
            worker.stop()
            platform.close()


def _caller(world: World, name: str) -> Caller:
    owner = "issuer" if name in {"organization members", "organization api keys"} else "admin"
    if name in {"my sessions", "credit balances", "retirements", "certificates", "notifications"}:
        owner = "issuer"
    if name == "retirement schedules":
        owner = "issuer"
    return world.callers[owner]


def _get(caller: Caller, path: str, **params: int):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    joined = "&" if "?" in path else "?"
    response = caller.get(f"{path}{joined}{query}" if query else path)
    assert response.status_code == 200, (path, response.get_json())
    return response.get_json(), json.loads(response.headers["X-Pagination"])


LISTS = [
    "projects",
    "project history",
    "documents",
    "document versions",
    "document access log",
    "poai cases",
    "poai checks",
    "poai case history",
    "poai keys",
    "credit batches",
    "credit balances",
    "retirements",
    "certificates",
    "chain transactions",
    "organization members",
    "organization api keys",
    "my sessions",
    "audit logs",
    "market listings",
    "price history",
    "orders",
    "payments",
    "reports",
    "notifications",
    "notification failures",
    "governance proposals",
    "retirement schedules",
]


@pytest.mark.parametrize("name", LISTS)
def test_every_list_pages(world: World, name: str):
    caller, path = _caller(world, name), world.paths[name]
    everything, meta = _get(caller, path, page_size=MAX_PAGE_SIZE)
    assert 2 <= len(everything) < MAX_PAGE_SIZE, name
    assert meta["total"] == len(everything)
    first, meta = _get(caller, path)
    assert (first, meta["total"], meta["page"]) == (
        everything[:DEFAULT_PAGE_SIZE],
        len(everything),
        1,
    )

    second, meta = _get(caller, path, page=2, page_size=1)
    assert second == everything[1:2]
    assert (meta["total"], meta["total_pages"], meta["page"]) == (
        len(everything),
        len(everything),
        2,
    )
    beyond, meta = _get(caller, path, page=len(everything) + 1, page_size=1)
    assert (beyond, meta["total"]) == ([], len(everything))
    far, _ = _get(caller, path, page=2**40, page_size=MAX_PAGE_SIZE)
    assert far == []
    too_big = caller.get(f"{path}?page_size={MAX_PAGE_SIZE + 1}")
    assert too_big.status_code == 422


def test_chain_transactions_are_filtered_before_they_are_paged(world: World):
    admin, path = world.callers["admin"], world.paths["chain transactions"]
    everything, _ = _get(admin, path, page_size=MAX_PAGE_SIZE)
    batches, _ = _get(admin, world.paths["credit batches"], page_size=MAX_PAGE_SIZE)
    address = next(
        v
        for e in everything
        for v in e["args"].values()
        if str(v).startswith("0x") and len(str(v)) == 42
    )
    with_address = [
        e for e in everything if address.lower() in {str(v).lower() for v in e["args"].values()}
    ]
    tokens = {b["token_id"] for b in batches}
    of_project = [e for e in everything if int(e["args"].get("tokenId", -1)) in tokens]
    filters = {
        f"address=0x{address[2:].upper()}": with_address,
        f"project_id={world.project_id}": of_project,
    }
    for query, expected in filters.items():
        assert expected, query
        found, meta = _get(admin, f"{path}?{query}", page_size=MAX_PAGE_SIZE)
        assert (found, meta["total"]) == (expected, len(expected)), query
        second, _ = _get(admin, f"{path}?{query}", page=2, page_size=1)
        assert second == expected[1:2], query
    nobody = admin.get(f"{path}?address=0x%25").get_json()
    assert nobody == []


def test_the_table_names_every_list_of_the_api(world: World):
    assert set(world.paths) == set(LISTS)
    assert len(LISTS) == len(_list_operations(world.app))


def _list_operations(app: Flask) -> list[tuple[str, str, dict]]:
    spec = app.extensions["api"].spec.to_dict()
    found = []
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            ok = operation["responses"].get("200", {})
            for media in ok.get("content", {}).values():
                if media.get("schema", {}).get("type") == "array":
                    found.append((method.upper(), path, operation))
    return found


def test_every_list_operation_documents_its_pagination(app: Flask):
    operations = _list_operations(app)
    assert len(operations) >= len(LISTS)
    for method, path, operation in operations:
        params = {p["name"]: p for p in operation.get("parameters", []) if p["in"] == "query"}
        where = f"{method} {path}"
        assert {"page", "page_size"} <= set(params), f"{where} has no page parameters"
        size = params["page_size"]["schema"]
        assert (size.get("default"), size.get("maximum")) == (DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE), (
            f"{where} pages by other sizes than every list"
        )
        assert "X-Pagination" in operation["responses"]["200"].get("headers", {}), where
