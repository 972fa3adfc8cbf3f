"""Benchmark of a quote: `POST /api/v1/market/quotes` (a signed-in buyer pricing 1 t of a
listing for its organization) against a bare Flask app sending the same statements.

What it measures: throughput (and p50, p99) of the platform's endpoint served by gunicorn,
against `bench/baseline_quotes.py`: Flask, psycopg 3 and nothing else, one connection per
worker with autocommit off (a `psycopg_pool` pool when that package is installed), the
pricing and fee arithmetic called straight from the pure domain modules, the same JSON.
Neither side has PostgreSQL prepare its statements (the platform's engines turn that off;
`--baseline-prepared` gives the baseline psycopg's default, prepared after 5 executions).
Both sides verify the same access token and run, for every quote, the same statements in
the same order:

- the caller: its session (refused when revoked or ended), the user with its roles and
  wallets, its memberships;
- the quote: the listing locked (`SELECT ... FOR UPDATE`), the project and its vintages,
  the PoAI record (one statement of four counts over `poai_cases`, `poai_case_history`
  and `poai_assignments`), the market activity (one statement: the sums over active
  listings and recent orders of projects of the same type and vintage), the listing's
  last price point, the
  platform's fee schedule, the organization's enterprise terms; then the price, the
  exchange rate and the fees are computed and the quote row inserted (a price point and
  the listing are written only when the price moved, which it does not here: quotes
  reserve nothing, so the market stays as it was), and committed.

The ratio ours/baseline is the price of the platform's layers on a write path: flask-smorest
and marshmallow, the request hooks (request ids, logging, the rate limiter), SQLAlchemy
Core and its sessions, the units of work (the caller is loaded in its own transaction,
rolled back, before the quote's; the write pool pings a connection on checkout), the
domain objects. The statements are checked, not assumed:
the platform's request is run once in this process (Flask's test client) with a SQLAlchemy
`before_cursor_execute` listener, the baseline's through its own recorder, and the two
lists must match statement by statement (verb, tables, and clauses such as `FOR UPDATE`,
subqueries, `ORDER BY` and `LIMIT`) before anything is measured; both servers must also
answer the same quote (all but id and times). At the end the number of quote rows written
must be the number of quotes answered 201.

How: it creates a throwaway database `bench_quotes_<random>`, migrates it with `flask db
upgrade`, and fills it through the platform's own repositories: a buyer (role enterprise,
finance member of a buyer organization with an enterprise rate), a seller organization,
`--projects` projects (half of them of the quoted type), each with an active listing of
the same vintage and three orders in the last weeks, PoAI cases decided by one reviewer
(with rounds of changes; one in ten approved projects later suspended), the platform's fee
schedule, and `--listings` large listings of the first project, priced by the engine as a
new listing is. No chain is involved: the listings are rows, as the quote path reads them,
and the platform runs with `CHAIN_BACKEND=rpc` and a node URL nothing calls (the embedded
chain is one process only; gunicorn runs several). It starts both apps under gunicorn
(sync workers, same count, loopback ports), logs the buyer in over HTTP, checks the
statements and the answers, warms both up, then sends `--requests` quotes to each from
`--concurrency` threads (one keep-alive `httpx.Client` each), two rounds alternating
baseline/ours, the threads quoting the `--listings` listings in turn. Every quote locks
its listing row until it commits, so with one listing the quotes queue on that lock, as
quotes of one popular listing do. It prints Markdown tables, stops the servers and drops
the database, also on error or Ctrl-C. The load generator shares the machine with the
servers and PostgreSQL: on few cores the absolute numbers are pessimistic for both, the
ratio is what to look at.

Run from the repository root, PostgreSQL reachable (trust or password in the URL):

    .venv/bin/python bench/quotes.py
    .venv/bin/python bench/quotes.py --requests 500 --projects 40 --concurrency 4
    .venv/bin/python bench/quotes.py --listings 8      # quotes spread over 8 listings

The URL is SQLAlchemy's (`postgresql+psycopg://user@host:port/db`; default from
`BENCH_DATABASE_URL`); only its server is used. Exit status: 0, or 1 when a server does
not start, a quote is not answered 201, the statements or the answers differ, or the rows
written do not add up; the goal (ours at least 0.7x the baseline's throughput) is printed,
it does not change the status.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import platform
import re
import sys
import tempfile
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import psycopg
from _harness import (
    DEFAULT_URL,
    BenchError,
    Call,
    CallOpener,
    LoadGenerator,
    Round,
    Server,
    app_env,
    core_count,
    log,
    migrate,
    print_server_logs,
    psycopg_url,
    run_bench,
    server_version,
    sqlalchemy_url,
    start_gunicorn,
    stop_gunicorn,
    throwaway_database,
    wait_until_ready,
)

PATH = "/api/v1/market/quotes"
LOGIN_PATH = "/api/v1/auth/login"
READY_PATH = "/api/v1/health"  # both apps answer it once they are up
ROUND_TIMEOUT_S = 180.0
WARMUP_REQUESTS = 200
ROUNDS = 2
GOAL = 0.7  # ours' throughput at least this share of the baseline's

BUYER_EMAIL = "buyer@bench.carbon"
BUYER_PASSWORD = "Bench-Quotes-2026!"  # every account of the throwaway database
SELLER_EMAIL = "seller@bench.carbon"
REVIEWER_EMAIL = "reviewer@bench.carbon"
BUYER_ORG = "bench-buyer-org"
SELLER_ORG = "bench-seller-coop"
BUYER_RATE = Decimal("0.03")  # the buyer organization's enterprise platform rate
PLATFORM_RATE = Decimal("0.045")
PROCESSING_RATES = {
    "card": Decimal("0.029"),
    "bank_transfer": Decimal("0.005"),
    "crypto": Decimal("0.01"),
    "invoice": Decimal("0"),
}
QUOTED_TYPE = "forestry"
OTHER_TYPE = "cookstoves"
LISTED_TONNES = 1_000_000  # per quoted listing: quotes reserve nothing, it never runs out
BASE_PRICE = ("14.50", "EUR")
# The chain is never reached on the quote path; CHAIN_BACKEND=rpc only needs these set.
UNUSED_RPC_URL = "http://127.0.0.1:9"  # the discard port: nothing answers there
UNUSED_OPERATOR_KEY = "0x" + "11" * 32


# --- arguments -----------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL),
        help="SQLAlchemy URL of the PostgreSQL server (env BENCH_DATABASE_URL)",
    )
    parser.add_argument("--requests", type=int, default=3000, help="quotes per server/round")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per server")
    parser.add_argument(
        "--projects",
        type=int,
        default=400,
        help="projects with a listing and three orders each (half of the quoted type)",
    )
    parser.add_argument(
        "--listings", type=int, default=1, help="listings quoted in turn (1: one hot listing)"
    )
    parser.add_argument("--quantity", default="1", help="tonnes per quote")
    parser.add_argument("--currency", default="USD", help="currency of the quotes")
    parser.add_argument("--payment-method", default="card", help="payment method of the quotes")
    parser.add_argument(
        "--baseline-prepared",
        action="store_true",
        help="let the baseline's psycopg prepare statements on the server after 5 executions "
        "(its default; the platform's engines never do)",
    )
    args = parser.parse_args(argv)
    for name in ("requests", "concurrency", "workers", "projects", "listings"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    return args


# --- the platform in this process ----------------------------------------------------------


def bench_env(db_url: str) -> dict[str, str]:
    """The production environment of `_harness.app_env`, on the rpc chain backend (never
    called), with access tokens that outlive the run."""
    return {
        **app_env(db_url),
        "CHAIN_BACKEND": "rpc",
        "CHAIN_RPC_URL": UNUSED_RPC_URL,
        "OPERATOR_PRIVATE_KEY": UNUSED_OPERATOR_KEY,
        "ACCESS_TOKEN_MINUTES": "240",
    }


@contextlib.contextmanager
def local_platform(env: dict[str, str]) -> Iterator[Any]:
    """The platform bootstrapped in this process from `env` (closed on exit)."""
    from app.main.bootstrap import bootstrap
    from app.main.config import Settings

    built = bootstrap(Settings.from_env(env))
    try:
        yield built
    finally:
        built.close()


# --- the database --------------------------------------------------------------------------


@dataclass
class Fixture:
    """What the quotes need: the buyer and what it quotes."""

    buyer_id: str
    listing_ids: list[str]
    listing_price: str  # the engine's price of the quoted listings, e.g. "15.23 EUR"
    rows: dict[str, int] = field(default_factory=dict)
    load_at_start: float = 0.0  # the machine's load average before the bench did anything


def _project(index: int, kind: str, *, org: str, creator: str, vintage: int, now: datetime) -> Any:
    from app.domain.projects.model import Project, ProjectType, Status
    from app.domain.shared.quantity import Quantity

    return Project(
        id=f"bench-project-{index:05d}",
        organization_id=org,
        name=f"Bench {kind.replace('_', ' ')} project {index}",
        description="A project of the quotes benchmark.",
        type=ProjectType(kind),
        methodology="VM0047 ARR" if kind == QUOTED_TYPE else "TPDDTEC",
        standard="Verra VCS",
        country=("BR", "KE", "IN", "ID")[index % 4],
        region="Bench region",
        latitude=Decimal("-3.2"),
        longitude=Decimal("-52.2"),
        vintages=[vintage - 1, vintage, vintage + 1],
        expected_annual_reductions=Quantity(1_000_000 * (5 + index % 20)),
        created_by=creator,
        created_at=now,
        updated_at=now,
        # every tenth project of the quoted type suspended: the revoked approvals
        status=Status.SUSPENDED if index % 20 == 10 else Status.ACTIVE,
        mitigation="removal" if index == 0 else "reduction",
        ccp_approved=index % 3 == 0,
        corsia_eligible=index % 2 == 0,
    )


def _listing(
    listing_id: str,
    project: Any,
    *,
    vintage: int,
    tonnes: int,
    reserved_t: int,
    seller: str,
    now: datetime,
    index: int,
) -> Any:
    from app.domain.marketplace.model import Listing
    from app.domain.shared.money import Money

    base = Money.of(*BASE_PRICE) if index == 0 else Money.of(f"{8 + index % 9}.25", "EUR")
    return Listing(
        id=listing_id,
        project_id=project.id,
        vintage=vintage,
        batch_id=f"bench-batch-{index:05d}",
        token_id=index + 1,
        seller_organization_id=project.organization_id,
        seller_address="0x" + f"{index + 1:040x}",
        quantity_kg=tonnes * 1000,
        base_price=base,
        floor_price=None,
        unit_price=base,
        created_by=seller,
        created_at=now - timedelta(days=40),
        reserved_kg=reserved_t * 1000,
    )


def _quote_and_order(listing: Any, buyer: str, n: int, now: datetime) -> tuple[Any, Any]:
    """A quote and the order made from it, `n` days ago (one in three cancelled)."""
    from app.domain.marketplace.fees import DEFAULT_FEE_SCHEDULE, compute_charge
    from app.domain.marketplace.model import Order, OrderStatus, Quote
    from app.domain.shared.ids import new_id
    from app.domain.shared.quantity import Quantity

    at = now - timedelta(days=2 + 7 * (n % 3), hours=n % 24)
    kg = 1000 * (1 + n % 7)
    price = listing.unit_price
    charge = compute_charge(Quantity(kg), price, DEFAULT_FEE_SCHEDULE, "card")
    quote = Quote(
        id=new_id(),
        listing_id=listing.id,
        buyer_id=buyer,
        organization_id=None,
        quantity_kg=kg,
        currency=price.currency,
        payment_method="card",
        unit_price=price,
        subtotal=charge.subtotal,
        fees=charge.fees,
        total=charge.total,
        fx_rate=Decimal(1),
        fx_as_of="2025-11-28",
        factors=[],
        listing_unit_price=price,
        created_at=at,
        expires_at=at + timedelta(minutes=15),
    )
    status = (OrderStatus.PENDING_PAYMENT, OrderStatus.FULFILLED, OrderStatus.CANCELLED)[n % 3]
    order = Order(
        id=new_id(),
        quote_id=quote.id,
        listing_id=listing.id,
        project_id=listing.project_id,
        vintage=listing.vintage,
        token_id=listing.token_id,
        seller_organization_id=listing.seller_organization_id,
        seller_address=listing.seller_address,
        quantity_kg=kg,
        unit_price=price,
        subtotal=charge.subtotal,
        fees=charge.fees,
        total=charge.total,
        fx_rate=Decimal(1),
        payment_method="card",
        buyer_id=buyer,
        buyer_kind="user",
        owner_id=buyer,
        organization_id=None,
        created_at=at,
        expires_at=at + timedelta(days=1),
        seller_proceeds=charge.distribution.issuer_proceeds,
        platform_amount=charge.distribution.platform,
        processor_amount=charge.distribution.processor,
        status=status,
        history=[(status.value, at)],
    )
    return quote, order


def _poai_cases(project: Any, reviewer: str, index: int, now: datetime) -> Iterator[Any]:
    """An approved case decided by the bench's reviewer, after `index % 3` rounds of
    changes; yields the case, then its history entries."""
    from app.domain.poai.model import Case, CaseHistoryEntry, CaseStatus, Decision

    rounds = index % 3
    opened = now - timedelta(days=200)
    yield Case(
        f"bench-case-{index:05d}",
        project.id,
        project.organization_id,
        opened,
        status=CaseStatus.APPROVED,
        round=rounds + 1,
        reviewer_ids=[reviewer],
        decision=Decision.APPROVE,
        decision_reason="bench data",
        decided_by=reviewer,
        decided_at=opened + timedelta(days=30),
    )
    case_id = f"bench-case-{index:05d}"
    for r in range(rounds):
        yield CaseHistoryEntry(
            case_id,
            r + 1,
            CaseStatus.IN_REVIEW,
            CaseStatus.CHANGES_REQUESTED,
            reviewer,
            "bench data",
            opened + timedelta(days=r + 1),
        )
    yield CaseHistoryEntry(
        case_id,
        rounds + 1,
        CaseStatus.IN_REVIEW,
        CaseStatus.APPROVED,
        reviewer,
        "bench data",
        opened + timedelta(days=30),
    )


def populate(p: Any, args: argparse.Namespace) -> Fixture:
    """The buyer, the seller, the projects with their listings, orders and PoAI record,
    the fee settings, and the quoted listings priced by the engine (`services.price_of`,
    as `create_listing` prices a new listing)."""
    from app.domain.auth import admin, organizations
    from app.domain.auth.permissions import OrgRole, Role
    from app.domain.marketplace import services
    from app.domain.poai.model import Case
    from app.domain.shared.ids import new_id
    from app.ports.repositories.marketplace import OrganizationTerms, PricePoint

    clock = p.clock
    now = clock.now()
    vintage = now.year - 3

    def user(email: str, name: str, role: Any) -> str:
        view, _ = admin.ensure_user(
            email,
            BUYER_PASSWORD,
            roles={role},
            display_name=name,
            uow=p.uow(),
            hasher=p.hasher,
            clock=clock,
        )
        return str(view.id)

    buyer = user(BUYER_EMAIL, "Bench Buyer", Role.ENTERPRISE)
    seller = user(SELLER_EMAIL, "Bench Seller", Role.ISSUER)
    reviewer = user(REVIEWER_EMAIL, "Bench Reviewer", Role.POAI_REVIEWER)
    organizations.ensure_organization(
        SELLER_ORG, "Bench Seller Cooperative", {seller: OrgRole.ADMIN}, uow=p.uow(), clock=clock
    )
    organizations.ensure_organization(
        BUYER_ORG, "Bench Buyer Ltd", {buyer: OrgRole.FINANCE}, uow=p.uow(), clock=clock
    )
    listing_ids = [new_id() for _ in range(args.listings)]
    with p.uow() as uow:
        for index in range(args.projects):
            kind = QUOTED_TYPE if index % 2 == 0 else OTHER_TYPE
            project = _project(
                index, kind, org=SELLER_ORG, creator=seller, vintage=vintage, now=now
            )
            uow.projects.add(project)
            if kind == QUOTED_TYPE:
                for item in _poai_cases(project, reviewer, index, now):
                    if isinstance(item, Case):
                        uow.poai.add_case(item)
                    else:
                        uow.poai.add_history(item)
            background = _listing(
                new_id(),
                project,
                vintage=vintage,
                tonnes=500 + index % 50,
                reserved_t=index % 20,
                seller=seller,
                now=now,
                index=index + 1,
            )
            uow.market.add_listing(background)
            for n in range(3):
                quote, order = _quote_and_order(background, buyer, index + n, now)
                uow.market.add_quote(quote)
                uow.market.add_order(order)
            if index == 0:
                main = project
        for listing_id in listing_ids:
            uow.market.add_listing(
                _listing(
                    listing_id,
                    main,
                    vintage=vintage,
                    tonnes=LISTED_TONNES,
                    reserved_t=0,
                    seller=seller,
                    now=now,
                    index=0,
                )
            )
        uow.market.set_platform_fees(PLATFORM_RATE, dict(PROCESSING_RATES))
        uow.market.set_organization_terms(OrganizationTerms(BUYER_ORG, BUYER_RATE, None))
        uow.commit()
    # The quoted listings priced now that the market around them exists.
    price = None
    with p.uow() as uow:
        for listing_id in listing_ids:
            listing = uow.market.listing_for_update(listing_id)
            project = uow.projects.get(listing.project_id)
            price = services.price_of(listing, project, uow=uow, now=now, market=p.market)
            listing.unit_price = price.unit_price
            uow.market.save_listing(listing)
            uow.market.add_price_point(
                PricePoint(project.id, vintage, now, price.unit_price, "listed", listing.id)
            )
        uow.commit()
    assert price is not None
    return Fixture(buyer, listing_ids, str(price.unit_price))


def count_rows(conninfo: str) -> dict[str, int]:
    tables = (
        "projects",
        "market_listings",
        "market_quotes",
        "market_orders",
        "market_price_history",
        "poai_cases",
        "poai_case_history",
    )
    with psycopg.connect(conninfo, autocommit=True) as conn:
        return {
            t: int(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0])  # type: ignore[index]
            for t in tables
        }


def analyze(conninfo: str) -> None:
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


# --- the statements ------------------------------------------------------------------------

TABLE = re.compile(r"\b(?:FROM|JOIN|INTO|UPDATE)\s+(\w+)", re.IGNORECASE)
CLAUSES = ("FOR UPDATE", "ORDER BY", "LIMIT", "IN (SELECT", "JOIN", "count(", "sum(")


def shape(statement: str) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """What two spellings of one statement share: the verb, the tables, the clauses."""
    text = " ".join(statement.split())
    tables = tuple(sorted(set(TABLE.findall(text))))
    clauses = tuple(c for c in CLAUSES if c.lower() in text.lower())
    return text.split(" ", 1)[0].upper(), tables, clauses


def label(statement: str) -> str:
    verb, tables, clauses = shape(statement)
    lock = " FOR UPDATE" if "FOR UPDATE" in clauses else ""
    return f"{verb} {'+'.join(tables)}{lock}"


@dataclass
class Recording:
    """One quote as a side sent it: its statements and, for ours, the transactions."""

    statements: list[str]
    answer: dict[str, Any]
    events: list[str] = field(default_factory=list)  # BEGIN, COMMIT... of ours, by engine

    @property
    def labels(self) -> list[str]:
        return [label(s) for s in self.statements]


def quote_body(listing_id: str, args: argparse.Namespace) -> dict[str, Any]:
    return {
        "listing_id": listing_id,
        "quantity": args.quantity,
        "currency": args.currency,
        "payment_method": args.payment_method,
        "organization_id": BUYER_ORG,
    }


def record_ours(p: Any, token: str, body: dict[str, Any]) -> Recording:
    """The platform's request, in this process (Flask's test client), the second of two
    (the first warms its caches); every statement on both engines, with the transaction
    events of each."""
    import sqlalchemy as sa

    from app.main.app_factory import create_app

    client = create_app(platform=p).test_client()
    seen: list[str] = []
    events: list[str] = []

    def statement(*args: Any) -> None:  # conn, cursor, statement, parameters, context, many
        seen.append(args[2])

    def event(name: str) -> Any:
        return lambda *_args: events.append(name)

    listeners = [
        (p.db.engine, "before_cursor_execute", statement),
        (p.db.read_engine, "before_cursor_execute", statement),
    ]
    for engine_name, engine in (("write", p.db.engine), ("read", p.db.read_engine)):
        for kind in ("checkout", "begin", "commit", "rollback"):
            listeners.append((engine, kind, event(f"{engine_name}:{kind}")))
    for engine, kind, listener in listeners:
        sa.event.listen(engine, kind, listener)
    headers = {"Authorization": f"Bearer {token}"}
    try:
        for _ in range(2):
            seen.clear()
            events.clear()
            response = client.post(PATH, json=body, headers=headers)
            if response.status_code != 201:
                raise BenchError(f"ours in process: HTTP {response.status_code}: {response.text}")
    finally:
        for engine, kind, listener in listeners:
            sa.event.remove(engine, kind, listener)
    return Recording(list(seen), response.get_json(), list(events))


def record_baseline(
    conninfo: str, env: dict[str, str], token: str, body: dict[str, Any], prepare: bool
) -> Recording:
    """The baseline's request, in this process, with its recorder (the second of two)."""
    import baseline_quotes

    seen: list[str] = []
    app = baseline_quotes.create_app(
        conninfo,
        secret=env["SECRET_KEY"],
        issuer=public_base_url(env),
        prepare=prepare,
        record=seen.append,
    )
    client = app.test_client()
    for _ in range(2):
        seen.clear()
        response = client.post(PATH, json=body, headers={"Authorization": f"Bearer {token}"})
        if response.status_code != 201:
            raise BenchError(f"baseline in process: HTTP {response.status_code}: {response.text}")
    return Recording(list(seen), response.get_json())


def public_base_url(env: dict[str, str]) -> str:
    from app.main.config import Settings

    return Settings.from_env(env).public_base_url


def check_statements(ours: Recording, base: Recording) -> None:
    """The same statements in the same order (verb, tables, clauses), and no price move."""
    mine, theirs = [shape(s) for s in ours.statements], [shape(s) for s in base.statements]
    if mine != theirs:
        lines = [
            f"{i + 1:>2}. ours: {a:<45} baseline: {b}"
            for i, (a, b) in enumerate(
                itertools.zip_longest(ours.labels, base.labels, fillvalue="")
            )
            if a or b
        ]
        raise BenchError("the two sides send different statements:\n" + "\n".join(lines))
    moved = [s for s in ours.labels if "price_history" in s and s.startswith("INSERT")]
    if moved:
        raise BenchError("the listing's price moved between quotes: the steady state is not one")


VARYING = ("id", "created_at", "expires_at")


def comparable(answer: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in answer.items() if k not in VARYING}


def check_answers(answers: dict[str, dict[str, Any]]) -> dict[str, Any]:
    reference = comparable(answers["ours"])
    differ = {k: v for k, v in answers.items() if comparable(v) != reference}
    if differ:
        raise BenchError(f"the answers differ: ours {answers['ours']}, others {differ}")
    return answers["ours"]


# --- the load ------------------------------------------------------------------------------


class Quotes:
    """Bodies of quotes of the listings in turn, shared by the threads."""

    def __init__(self, listing_ids: Sequence[str], args: argparse.Namespace) -> None:
        self.bodies = [json.dumps(quote_body(i, args)).encode() for i in listing_ids]
        self._next = 0
        self._lock = threading.Lock()

    def next_body(self) -> bytes:
        with self._lock:
            body = self.bodies[self._next % len(self.bodies)]
            self._next += 1
        return body


def quote_poster(url: str, token: str, quotes: Quotes) -> CallOpener:
    """An opener of a keep-alive client POSTing quotes to `url`, a success being a 201."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    @contextlib.contextmanager
    def opener() -> Iterator[Call]:
        with httpx.Client(timeout=30.0, headers=headers) as client:

            def call() -> str | None:
                try:
                    status = client.post(url, content=quotes.next_body()).status_code
                except httpx.HTTPError as exc:
                    return type(exc).__name__
                return None if status == 201 else f"HTTP {status}"

            yield call

    return opener


def login(server: Server) -> str:
    response = httpx.post(
        f"{server.base_url}{LOGIN_PATH}",
        json={"email": BUYER_EMAIL, "password": BUYER_PASSWORD},
        timeout=30.0,
    )
    if response.status_code != 200:
        raise BenchError(f"login: HTTP {response.status_code}: {response.text[:300]}")
    return str(response.json()["access_token"])


def post_one(server: Server, token: str, body: dict[str, Any]) -> dict[str, Any]:
    response = httpx.post(
        f"{server.base_url}{PATH}",
        json=body,
        headers={"Authorization": f"Bearer {token}"},
        timeout=30.0,
    )
    if response.status_code != 201:
        raise BenchError(f"{server.name}: HTTP {response.status_code}: {response.text[:300]}")
    return dict(response.json())


# --- the report ----------------------------------------------------------------------------


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values)


def transactions(events: Sequence[str]) -> str:
    """Ours' request as the engines saw it: checkouts, transactions and how they ended."""
    count = {e: events.count(e) for e in set(events)}
    write = count.get("write:checkout", 0)
    return (
        f"{count.get('read:checkout', 0)} read on the autocommit engine, {write} write-engine "
        f"checkouts (each pinged first) with {count.get('write:commit', 0)} COMMIT and "
        f"{count.get('write:rollback', 0)} ROLLBACK"
    )


def print_header(
    args: argparse.Namespace,
    pg_version: str,
    fixture: Fixture,
    ours: Recording,
    answer: dict[str, Any],
) -> None:
    rows = fixture.rows
    print(f"## POST {PATH}")
    print()
    print(
        f"- machine: {core_count()} cores, {platform.machine()}, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}; load average (1 min) "
        f"{fixture.load_at_start:.2f} when the bench started"
    )
    print(
        f"- PostgreSQL {pg_version}; projects {rows['projects']}, listings "
        f"{rows['market_listings']}, orders {rows['market_orders']}, quotes before the run "
        f"{rows['market_quotes']}, PoAI cases {rows['poai_cases']}"
    )
    print(
        f"- gunicorn: {args.workers} sync workers x 1 thread per server; client: "
        f"{args.concurrency} threads (httpx, keep-alive), {args.requests} quotes per server "
        f"per round, {WARMUP_REQUESTS} warm-up; {args.listings} listing(s) quoted in turn"
    )
    print(
        f"- quote: {args.quantity} t in {args.currency} by {args.payment_method} for the "
        f"buyer's organization (enterprise rate {BUYER_RATE}); listing price "
        f"{fixture.listing_price}, quote total {answer['total']} {answer['currency']}"
    )
    print(
        f"- statements per quote, both sides: {len(ours.statements)} "
        f"({', '.join(_grouped(ours.labels))})"
    )
    print(f"- ours: {transactions(ours.events)}; baseline: one transaction, one COMMIT")
    baseline_plans = "prepared after 5 executions" if args.baseline_prepared else "never prepared"
    print(f"- server-side prepared statements: ours never; baseline {baseline_plans}")
    print()


def _grouped(labels: Sequence[str]) -> list[str]:
    """Consecutive equal labels as one, with a count: `4x SELECT poai_cases`."""
    out: list[tuple[str, int]] = []
    for item in labels:
        if out and out[-1][0] == item:
            out[-1] = (item, out[-1][1] + 1)
        else:
            out.append((item, 1))
    return [f"{n}x {name}" if n > 1 else name for name, n in out]


def print_rounds(rounds: Sequence[Round]) -> None:
    print("| server   | round | quotes/s | p50 ms | p99 ms | ok     | failures |")
    print("|----------|------:|---------:|-------:|-------:|-------:|----------|")
    for r in rounds:
        failures = ", ".join(f"{k}: {v}" for k, v in sorted(r.failures.items())) or "-"
        if r.aborted:
            failures += f" (aborted after {ROUND_TIMEOUT_S:.0f} s)"
        print(
            f"| {r.server:<8} | {r.number:>5} | {r.throughput:>8.0f} | "
            f"{r.percentile_ms(50):>6.2f} | {r.percentile_ms(99):>6.2f} | "
            f"{r.ok:>6} | {failures} |"
        )
    print()


def print_ratios(rounds: Sequence[Round]) -> float:
    """The ratios ours / baseline; returns the throughput ratio of the mean of rounds."""
    ours = [r for r in rounds if r.server == "ours"]
    base = [r for r in rounds if r.server == "baseline"]
    best_ours = max(ours, key=lambda r: r.throughput)
    best_base = max(base, key=lambda r: r.throughput)
    rows = {
        "mean of rounds": (
            _mean([r.throughput for r in ours]) / _mean([r.throughput for r in base]),
            _mean([r.percentile_ms(50) for r in ours]) / _mean([r.percentile_ms(50) for r in base]),
            _mean([r.percentile_ms(99) for r in ours]) / _mean([r.percentile_ms(99) for r in base]),
        ),
        "best round": (
            best_ours.throughput / best_base.throughput,
            best_ours.percentile_ms(50) / best_base.percentile_ms(50),
            best_ours.percentile_ms(99) / best_base.percentile_ms(99),
        ),
    }
    print("| ours / baseline | throughput | p50   | p99   |")
    print("|-----------------|-----------:|------:|------:|")
    for name, (thr, p50, p99) in rows.items():
        print(f"| {name:<15} | {thr:>10.2f} | {p50:>5.2f} | {p99:>5.2f} |")
    print()
    ratio = rows["mean of rounds"][0]
    verdict = "met" if ratio >= GOAL else "MISSED"
    print(
        f"Goal: ours at least {GOAL}x the baseline's throughput: {ratio:.2f}x ({verdict}). "
        "Latency ratios above 1 mean the platform is slower."
    )
    return ratio


# --- orchestration -------------------------------------------------------------------------


def measure(
    args: argparse.Namespace,
    servers: dict[str, Server],
    stop: threading.Event,
    *,
    p: Any,
    env: dict[str, str],
    conninfo: str,
    fixture: Fixture,
) -> int:
    for server in servers.values():
        wait_until_ready(server, url=f"{server.base_url}{READY_PATH}")
    token = login(servers["ours"])
    body = quote_body(fixture.listing_ids[0], args)
    log("recording the statements of both sides")
    ours = record_ours(p, token, body)
    base = record_baseline(conninfo, env, token, body, args.baseline_prepared)
    check_statements(ours, base)
    answers = {
        "ours": post_one(servers["ours"], token, body),
        "baseline": post_one(servers["baseline"], token, body),
        "ours in process": ours.answer,
        "baseline in process": base.answer,
    }
    answer = check_answers(answers)
    before = count_rows(conninfo)
    quotes = Quotes(fixture.listing_ids, args)
    openers = {name: quote_poster(s.url, token, quotes) for name, s in servers.items()}
    load = LoadGenerator(args.concurrency, stop)
    log("warming up")
    answered = 0
    for name in servers:
        warmup = load.run_calls(openers[name], Round(name, 0), WARMUP_REQUESTS, ROUND_TIMEOUT_S)
        answered += warmup.ok
        if warmup.failures:
            raise BenchError(f"{name} failed during warm-up: {warmup.failures}")
    rounds = []
    for number in range(1, ROUNDS + 1):
        for name in ("baseline", "ours"):
            log(f"round {number}: {name}")
            rounds.append(
                load.run_calls(openers[name], Round(name, number), args.requests, ROUND_TIMEOUT_S)
            )
    answered += sum(r.ok for r in rounds)
    after = count_rows(conninfo)
    print_header(args, server_version(conninfo), fixture, ours, answer)
    print_rounds(rounds)
    print_ratios(rounds)
    written = after["market_quotes"] - before["market_quotes"]
    moved = after["market_price_history"] - before["market_price_history"]
    failed = sum(sum(r.failures.values()) for r in rounds)
    print(
        f"\nQuote rows written during the run: {written} for {answered} quotes answered 201; "
        f"price points added: {moved}."
    )
    print_server_logs(list(servers.values()))
    consistent = written == answered if not failed else written >= answered
    if not consistent:
        print(f"\nThe rows do not add up: {written} written, {answered} answered.")
    return 0 if consistent and not failed else 1


def run(args: argparse.Namespace, stop: threading.Event) -> int:
    load_at_start = os.getloadavg()[0]
    with (
        throwaway_database(args.database_url, "bench_quotes") as dbname,
        tempfile.TemporaryDirectory() as logs,
    ):
        env = bench_env(sqlalchemy_url(args.database_url, dbname))
        conninfo = psycopg_url(args.database_url, dbname)
        log(f"database {dbname}: migrating")
        migrate(env)
        with local_platform(env) as p:
            log(f"filling: {args.projects} projects with listings and orders")
            fixture = populate(p, args)
            analyze(conninfo)
            fixture.rows = count_rows(conninfo)
            fixture.load_at_start = load_at_start
            baseline_env = {
                **os.environ,
                "BENCH_DB": conninfo,
                "BENCH_SECRET_KEY": env["SECRET_KEY"],
                "BENCH_ISSUER": public_base_url(env),
                "BENCH_QUOTE_TTL_SECONDS": str(p.settings.market_quote_ttl_seconds),
                "BENCH_PREPARE": "1" if args.baseline_prepared else "0",
            }
            servers: dict[str, Server] = {}
            try:
                servers["baseline"] = start_gunicorn(
                    "baseline",
                    "bench.baseline_quotes:app",
                    baseline_env,
                    args.workers,
                    Path(logs),
                    path=PATH,
                )
                servers["ours"] = start_gunicorn(
                    "ours", "wsgi:app", env, args.workers, Path(logs), path=PATH
                )
                log("servers starting")
                return measure(
                    args, servers, stop, p=p, env=env, conninfo=conninfo, fixture=fixture
                )
            finally:
                stop.set()
                for server in servers.values():
                    stop_gunicorn(server)


def main(argv: Sequence[str] | None = None) -> int:
    return run_bench(run, parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
