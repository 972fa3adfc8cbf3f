"""A year of generated ledger activity written straight into the tables (organizations,
members, projects, confirmed and pending batches, retirements, paid and other orders,
sign-ins, outbox jobs), the same rows for a given seed, for the analytics tests and
`bench/analytics.py`."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from app.adapters.sql.tables import outbox
from app.adapters.sql.tables_auth import memberships, organizations, sessions, users
from app.adapters.sql.tables_chain import credit_batches, retirements
from app.adapters.sql.tables_marketplace import market_listings, market_orders, market_quotes
from app.adapters.sql.tables_projects import projects

YEAR_START = datetime(2025, 1, 1, tzinfo=UTC)
TYPES = ("forestry", "cookstoves", "renewable_energy", "blue_carbon")
STATUSES = ("active", "active", "registered", "draft", "under_review")
COUNTRIES = ("BR", "KE", "IN", "ID", "PE")
CURRENCIES = ("EUR", "USD")
ADDRESS = "0x" + "ab" * 20
BATCH_KG = 10**12  # room for every retirement drawn on a batch
TOKENS = 10_000  # token ids above the demo's


@dataclass(frozen=True)
class Shape:
    organizations: int = 4
    users: int = 30
    projects: int = 12
    retirements: int = 600
    orders: int = 400
    sign_ins: int = 500
    days: int = 365
    seed: int = 7


def _at(rng: random.Random, days: int) -> datetime:
    return YEAR_START + timedelta(seconds=rng.randrange(days * 86_400))


def _id(prefix: str, n: int) -> str:
    return f"{prefix}{n:030d}"


def base_rows(shape: Shape) -> dict[sa.Table, list[dict[str, Any]]]:
    """Organizations, users and their memberships, projects, their batches and listings."""
    rng = random.Random(shape.seed)
    orgs = [
        {"id": _id("og", n), "name": f"Org {n}", "created_by": "seed", "created_at": YEAR_START}
        for n in range(shape.organizations)
    ]
    people = [
        {"id": _id("us", n), "display_name": f"User {n}", "created_at": YEAR_START}
        for n in range(shape.users)
    ]
    members = [
        {"organization_id": orgs[n % len(orgs)]["id"], "user_id": u["id"], "role": "viewer"}
        for n, u in enumerate(people)
        if n % 3
    ]
    made, batches, listings = [], [], []
    for n in range(shape.projects):
        at = _at(rng, shape.days)
        org = orgs[n % len(orgs)]["id"]
        made.append(
            {
                "id": _id("pr", n),
                "organization_id": org,
                "name": f"Project {n}",
                "description": "generated",
                "type": TYPES[n % len(TYPES)],
                "methodology": "VM0042",
                "standard": "VCS",
                "country": COUNTRIES[n % len(COUNTRIES)],
                "region": "somewhere",
                "expected_annual_reductions_kg": 1000,
                "metadata": {},
                "status": STATUSES[n % len(STATUSES)],
                "created_by": "seed",
                "created_at": at,
                "updated_at": at,
            }
        )
        for v in range(2):
            token = TOKENS + n * 2 + v + 1
            start = token * (BATCH_KG // 1000)
            batches.append(
                {
                    "id": _id("cb", token),
                    "project_id": _id("pr", n),
                    "vintage": 2020 + v,
                    "monitoring_period": f"p{v}",
                    "token_id": token,
                    "serial_start": start,
                    "serial_end": start + BATCH_KG // 1000 - 1,
                    "issued_kg": BATCH_KG - rng.randrange(1000),
                    "retired_kg": 0,
                    "next_kg": start * 1000,
                    "status": "confirmed" if (n + v) % 5 else "pending",
                    "created_at": _at(rng, shape.days),
                }
            )
        listings.append(
            {
                "id": _id("li", n),
                "project_id": _id("pr", n),
                "vintage": 2020,
                "batch_id": _id("cb", TOKENS + n * 2 + 1),
                "token_id": TOKENS + n * 2 + 1,
                "seller_organization_id": org,
                "seller_address": ADDRESS,
                "quantity_kg": BATCH_KG,
                "reserved_kg": 0,
                "sold_kg": 0,
                "base_amount": Decimal("10"),
                "base_currency": "EUR",
                "price_amount": Decimal("10"),
                "price_currency": "EUR",
                "status": "active",
                "created_by": "seed",
                "created_at": YEAR_START,
            }
        )
    return {
        organizations: orgs,
        users: people,
        memberships: members,
        projects: made,
        credit_batches: batches,
        market_listings: listings,
    }


def retirement_rows(
    shape: Shape, start: int = 0, count: int | None = None
) -> Iterator[dict[str, Any]]:
    rng = random.Random(shape.seed * 1_000_003 + start)
    for n in range(start, start + (shape.retirements if count is None else count)):
        project = n % shape.projects
        token = TOKENS + project * 2 + 1
        kg = rng.randrange(1, 5_000_000)
        kg_start = token * BATCH_KG + (n // shape.projects) * 5_000_000
        status = ("confirmed", "confirmed", "confirmed", "pending", "failed")[n % 5]
        at = _at(rng, shape.days)
        org_owned = n % 3 != 0
        yield {
            "id": _id("re", n),
            "holder_address": ADDRESS,
            "owner_kind": "organization" if org_owned else "user",
            "owner_id": _id("og", n % shape.organizations)
            if org_owned
            else _id("us", n % shape.users),
            "project_id": _id("pr", project),
            "vintage": 2020,
            "batch_id": _id("cb", token),
            "token_id": token,
            "quantity_kg": kg,
            "beneficiary": "someone",
            "purpose": "offset",
            "serial_start": kg_start // 1000,
            "serial_end": (kg_start + kg - 1) // 1000,
            "kg_start": kg_start,
            "kg_end": kg_start + kg - 1,
            "status": status,
            "self_custody": False,
            "created_by": "seed",
            "created_at": at - timedelta(minutes=5),
            "confirmed_at": at if status == "confirmed" else None,
        }


def order_rows(
    shape: Shape, start: int = 0, count: int | None = None
) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """(quote, order) pairs."""
    rng = random.Random(shape.seed * 7_000_003 + start)
    for n in range(start, start + (shape.orders if count is None else count)):
        project = n % shape.projects
        kg = rng.randrange(1_000, 2_000_000)
        currency = CURRENCIES[n % 2]
        total = (Decimal(kg) * Decimal("0.012")).quantize(Decimal("0.01"))
        fee = (total * Decimal("0.05")).quantize(Decimal("0.01"))
        at = _at(rng, shape.days)
        status = ("paid", "fulfilled", "fulfilled", "refunded", "pending_payment")[n % 5]
        org = _id("og", n % shape.organizations) if n % 4 else None
        buyer = _id("us", n % shape.users)
        quote = {
            "id": _id("qu", n), "listing_id": _id("li", project), "buyer_id": buyer,
            "organization_id": org, "quantity_kg": kg, "currency": currency,
            "payment_method": "card", "unit_price": Decimal("12"), "subtotal": total,
            "total": total, "fees": {}, "fx_rate": Decimal(1), "fx_as_of": "2025-01-01",
            "factors": {}, "listing_price_amount": Decimal("10"), "listing_price_currency": "EUR",
            "created_at": at, "expires_at": at + timedelta(minutes=15),
        }  # fmt: skip
        order = {
            "id": _id("or", n), "quote_id": quote["id"], "listing_id": quote["listing_id"],
            "project_id": _id("pr", project), "vintage": 2020, "token_id": TOKENS + project * 2 + 1,
            "seller_organization_id": _id("og", project % shape.organizations),
            "seller_address": ADDRESS, "quantity_kg": kg, "currency": currency,
            "unit_price": Decimal("12"), "subtotal": total, "total": total, "fees": {},
            "fx_rate": Decimal(1), "payment_method": "card", "seller_proceeds": total - fee,
            "platform_amount": fee, "processor_amount": Decimal(0), "buyer_id": buyer,
            "buyer_kind": "user", "owner_id": buyer, "organization_id": org, "status": status,
            "approval_required": False, "history": [], "created_at": at - timedelta(minutes=2),
            "expires_at": at + timedelta(minutes=30),
            "paid_at": None if status == "pending_payment" else at,
        }  # fmt: skip
        yield quote, order


def sign_in_rows(shape: Shape) -> Iterator[dict[str, Any]]:
    rng = random.Random(shape.seed * 31)
    for n in range(shape.sign_ins):
        at = _at(rng, shape.days)
        yield {
            "id": _id("se", n), "user_id": _id("us", rng.randrange(shape.users)),
            "refresh_jti": f"{n:032x}", "method": "password", "created_at": at,
            "last_used_at": at, "expires_at": at + timedelta(days=30),
        }  # fmt: skip


def job_rows(shape: Shape) -> Iterator[dict[str, Any]]:
    rng = random.Random(shape.seed * 17)
    for n in range(40):
        at = _at(rng, shape.days)
        failed, done = n % 4 == 0, n % 3 != 0
        yield {
            "id": _id("jb", n), "name": "noop", "payload": {}, "created_at": at,
            "sent_at": at, "done_at": at if done else None, "attempts": 1 + failed,
            "last_error": "boom" if failed else None,
        }  # fmt: skip


def load_year(engine: sa.Engine, shape: Shape = Shape()) -> None:
    """Write the shape's rows (a fresh database's tables, no rollups computed)."""
    with engine.begin() as conn:
        for table, rows in base_rows(shape).items():
            conn.execute(sa.insert(table), rows)
        conn.execute(sa.insert(retirements), list(retirement_rows(shape)))
        pairs = list(order_rows(shape))
        conn.execute(sa.insert(market_quotes), [q for q, _ in pairs])
        conn.execute(sa.insert(market_orders), [o for _, o in pairs])
        conn.execute(sa.insert(sessions), list(sign_in_rows(shape)))
        conn.execute(sa.insert(outbox), list(job_rows(shape)))
