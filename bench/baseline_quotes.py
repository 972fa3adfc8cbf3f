"""The smallest Flask app that answers `POST /api/v1/market/quotes` like the platform: the
same access token verified with PyJWT, the same statements sent with psycopg 3 in one
transaction (autocommit off), the price, the exchange rate and the fees computed by the
platform's pure domain modules, the same JSON through `flask.jsonify`.

It is the floor `bench/quotes.py` compares the platform against. Per quote, in order: the
session (revoked or ended: refused), the user with
its roles and wallets, its memberships; then the listing locked (`FOR UPDATE`), the
project and its vintages, the PoAI record (four counts in one statement), the market
activity (two sums and the recent orders in one statement), the listing's last price
point (asked only when the price did not move, as the platform does), the platform's
fee schedule, the organization's terms (for a quote made for an organization), the
quote inserted, a price point and the listing's price written when the
price moved; COMMIT. The SQL is written out here with the platform's column lists and
conditions; `bench/quotes.py` checks it against what the platform sends.

It reads `BENCH_DB` (a psycopg URL, `postgresql://...`), `BENCH_SECRET_KEY` and
`BENCH_ISSUER` (the platform's SECRET_KEY and PUBLIC_BASE_URL, so the platform's tokens
verify), `BENCH_QUOTE_TTL_SECONDS` (default 900) and `BENCH_PREPARE` (`1`: psycopg's
default of preparing a statement on the server after 5 executions; otherwise never, as
the platform's engines). It is served by gunicorn from the repository root (the domain
modules are imported from `app/`): `BENCH_DB=... gunicorn bench.baseline_quotes:app`.

Connections come from a `psycopg_pool.ConnectionPool` when psycopg_pool is installed,
otherwise from one connection per worker process, opened on first use (after gunicorn's
fork) and reopened if it breaks.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import jwt
import psycopg
from flask import Flask, Response, jsonify, request
from psycopg.types.json import Jsonb

from app.adapters.rates.static import StaticRates
from app.domain.auth.permissions import OrgRole, Role
from app.domain.auth.principal import Principal
from app.domain.marketplace.factors import (
    MarketActivity,
    PricingInputs,
    QualityLabels,
    ReviewRecord,
)
from app.domain.marketplace.fees import (
    DEFAULT_FEE_SCHEDULE,
    PAYMENT_METHODS,
    FeeSchedule,
    compute_charge,
)
from app.domain.marketplace.fx import RateUnavailable, convert_with, rate_text
from app.domain.marketplace.pricing import compute_price
from app.domain.marketplace.pricing_config import DEFAULT_PRICING_CONFIG
from app.domain.shared.currencies import MINOR_UNITS
from app.domain.shared.errors import InvalidValue
from app.domain.shared.ids import new_id
from app.domain.shared.money import Money
from app.domain.shared.quantity import Quantity, parse_tonnes

PATH = "/api/v1/market/quotes"
AUDIENCE = "carbon-platform-api"
PUBLIC_STATUSES = frozenset({"registered", "active", "suspended", "closed"})
REVIEW_STATUSES = frozenset({"submitted", "under_review", "changes_requested"})

# --- the caller ----------------------------------------------------------------------------

SESSION = (
    "SELECT id, user_id, refresh_jti, method, user_agent, ip, created_at, last_used_at, "
    "expires_at, revoked_at, revoked_reason FROM sessions WHERE id = %s"
)
USER = (
    "SELECT id, email, display_name, password_hash, email_verified, disabled, created_at "
    "FROM users WHERE id = %s"
)
USER_ROLES = "SELECT role FROM user_roles WHERE user_id = %s"
WALLETS = "SELECT address FROM wallets WHERE user_id = %s ORDER BY position"
MEMBERSHIPS = "SELECT organization_id, role FROM memberships WHERE user_id = %s"

# --- the quote -----------------------------------------------------------------------------

LISTING_COLUMNS = (
    "id, project_id, vintage, batch_id, token_id, seller_organization_id, seller_address, "
    "quantity_kg, reserved_kg, sold_kg, base_amount, base_currency, floor_amount, "
    "floor_currency, price_amount, price_currency, status, created_by, created_at, "
    "withdrawn_at"
)
LISTING_FOR_UPDATE = f"SELECT {LISTING_COLUMNS} FROM market_listings WHERE id = %s FOR UPDATE"
PROJECT = (
    "SELECT id, organization_id, name, description, type, methodology, standard, country, "
    "region, latitude, longitude, expected_annual_reductions_kg, metadata, mitigation, "
    "ccp_approved, corsia_eligible, corresponding_adjustment, status, first_vintage, "
    "created_by, created_at, updated_at FROM projects WHERE id = %s"
)
VINTAGES = "SELECT project_id, year FROM project_vintages WHERE project_id IN (%s)"
_APPROVALS = (
    "SELECT poai_cases.project_id FROM poai_cases "
    "WHERE poai_cases.decision = %(approve)s AND poai_cases.decided_by IN ("
    "SELECT poai_assignments.reviewer_id FROM poai_assignments "
    "WHERE poai_assignments.case_id IN ("
    "SELECT poai_cases.id FROM poai_cases WHERE poai_cases.project_id = %(project_id)s))"
)
REVIEW_RECORD = (
    "SELECT (SELECT count(*) FROM poai_cases WHERE poai_cases.project_id = %(project_id)s "
    "AND poai_cases.decision IS NOT NULL) AS decided, "
    "(SELECT count(*) FROM poai_case_history JOIN poai_cases "
    "ON poai_cases.id = poai_case_history.case_id "
    "WHERE poai_cases.project_id = %(project_id)s "
    "AND poai_case_history.to_status = %(changes)s) AS rounds, "
    f"(SELECT count(*) FROM ({_APPROVALS}) AS approvals) AS approved, "
    f"(SELECT count(*) FROM projects WHERE projects.id IN ({_APPROVALS}) "
    "AND projects.status IN (%(suspended)s, %(rejected)s)) AS revoked"
)
_SIMILAR = (
    "market_listings.project_id IN (SELECT projects.id FROM projects "
    "WHERE projects.type = %(type)s) AND market_listings.vintage = %(vintage)s"
)
MARKET_ACTIVITY = (
    "SELECT coalesce(sum(market_listings.quantity_kg), 0) AS listed, "
    "coalesce(sum((market_listings.quantity_kg - market_listings.reserved_kg) "
    "- market_listings.sold_kg), 0) AS available, "
    "(SELECT coalesce(sum(market_orders.quantity_kg), 0) FROM market_orders "
    "WHERE market_orders.listing_id IN (SELECT market_listings.id FROM market_listings "
    f"WHERE {_SIMILAR}) "
    "AND market_orders.created_at >= %(since)s "
    "AND market_orders.status NOT IN (%(cancelled)s, %(expired)s)) AS ordered "
    f"FROM market_listings WHERE {_SIMILAR} AND market_listings.status = %(active)s"
)
LAST_PRICE = (
    "SELECT id, project_id, vintage, listing_id, at, price_amount, price_currency, reason "
    "FROM market_price_history WHERE listing_id = %s ORDER BY id DESC LIMIT %s"
)
PLATFORM_FEES = "SELECT value FROM market_settings WHERE name = %s"
ORGANIZATION_TERMS = (
    "SELECT organization_id, platform_rate, approval_limit_amount, approval_limit_currency "
    "FROM market_organization_terms WHERE organization_id = %s"
)
ADD_PRICE_POINT = (
    "INSERT INTO market_price_history (project_id, vintage, listing_id, at, price_amount, "
    "price_currency, reason) VALUES (%s, %s, %s, %s, %s, %s, %s)"
)
ADD_QUOTE = (
    "INSERT INTO market_quotes (id, listing_id, buyer_id, organization_id, quantity_kg, "
    "currency, payment_method, unit_price, subtotal, total, fees, fx_rate, fx_as_of, factors, "
    "listing_price_amount, listing_price_currency, created_at, expires_at) VALUES "
    "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
)
SAVE_LISTING = (
    "UPDATE market_listings SET "
    + ", ".join(f"{column} = %s" for column in LISTING_COLUMNS.split(", "))
    + " WHERE id = %s"
)

ConnectionSource = Callable[[], AbstractContextManager[psycopg.Connection[Any]]]
Recorder = Callable[[str], None]


class Refused(Exception):
    """An answer other than 201, as a small problem body."""

    def __init__(self, status: int, code: str, detail: str) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail = status, code, detail


def _connect_kwargs(prepare: bool) -> dict[str, Any]:
    return {"autocommit": False} if prepare else {"autocommit": False, "prepare_threshold": None}


def _pooled(conninfo: str, prepare: bool) -> ConnectionSource:
    from psycopg_pool import ConnectionPool

    pool = ConnectionPool(
        conninfo, min_size=1, max_size=4, kwargs=_connect_kwargs(prepare), open=False
    )
    opened = threading.Lock()

    def connection() -> AbstractContextManager[psycopg.Connection[Any]]:
        with opened:
            if pool.closed:
                pool.open(wait=True)
        return pool.connection()  # commits on a clean exit, rolls back on an exception

    return connection


def _lazy_single(conninfo: str, prepare: bool) -> ConnectionSource:
    state: dict[str, psycopg.Connection[Any]] = {}

    @contextmanager
    def connection() -> Iterator[psycopg.Connection[Any]]:
        conn = state.get("conn")
        if conn is None or conn.closed or conn.broken:
            conn = state["conn"] = psycopg.connect(conninfo, **_connect_kwargs(prepare))
        try:
            yield conn
        except BaseException:
            if not conn.broken:
                conn.rollback()
            raise
        conn.commit()

    return connection


def exact(value: Decimal) -> Decimal:
    """A NUMERIC as the digits stored, without the column's padding (as the platform's
    `ExactDecimal` reads it)."""
    return value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize()


def amount_text(money: Money) -> str:
    return format(money.rounded().amount, "f")


class Quoter:
    """One quote's statements on one connection; `record`, when given, hears each SQL."""

    def __init__(self, conn: psycopg.Connection[Any], record: Recorder | None) -> None:
        self.cur = conn.cursor()
        self.record = record

    def one(self, query: str, params: tuple[Any, ...] | dict[str, Any]) -> Any:
        if self.record is not None:
            self.record(query)
        return self.cur.execute(query, params).fetchone()

    def all(self, query: str, params: tuple[Any, ...]) -> list[Any]:
        if self.record is not None:
            self.record(query)
        return self.cur.execute(query, params).fetchall()

    def run(self, query: str, params: tuple[Any, ...]) -> None:
        if self.record is not None:
            self.record(query)
        self.cur.execute(query, params)

    def caller(self, claims: dict[str, Any]) -> Principal:
        user_id, session_id = claims["sub"], claims["sid"]
        now = datetime.now(UTC)
        session = self.one(SESSION, (session_id,))
        if session is None or session[1] != user_id or session[9] is not None or session[8] <= now:
            raise Refused(401, "session_revoked", "this session has been revoked")
        user = self.one(USER, (user_id,))
        if user is None or user[5]:
            raise Refused(401, "session_revoked", "this account is not active")
        roles = frozenset(Role(r[0]) for r in self.all(USER_ROLES, (user_id,)))
        self.all(WALLETS, (user_id,))  # loaded with the user by the platform's repository
        members = {org: OrgRole(role) for org, role in self.all(MEMBERSHIPS, (user_id,))}
        return Principal(user_id, "user", roles, members, session_id=session_id)

    def quote(
        self,
        principal: Principal,
        *,
        listing_id: str,
        quantity: Quantity,
        currency: str,
        payment_method: Any,
        organization_id: str | None,
        ttl: timedelta,
        rates: StaticRates,
    ) -> dict[str, Any]:
        if organization_id is not None and not principal.sees_org(organization_id):
            raise Refused(404, "not_found", "organization not found")
        listing = self.one(LISTING_FOR_UPDATE, (listing_id,))
        if listing is None:
            raise Refused(404, "not_found", "listing not found")
        (
            _,
            project_id,
            vintage,
            _,
            _,
            _,
            _,
            quantity_kg,
            reserved_kg,
            sold_kg,
            base_amount,
            base_currency,
            floor_amount,
            floor_currency,
            price_amount,
            price_currency,
            status,
            *_,
        ) = listing
        if status == "withdrawn":
            raise Refused(409, "listing_closed", "the listing is withdrawn")
        if quantity.kg > quantity_kg - reserved_kg - sold_kg:
            raise Refused(409, "insufficient_inventory", "not that much left on this listing")
        project = self.one(PROJECT, (project_id,))
        self.all(VINTAGES, (project_id,))
        visible = project is not None and (
            project[17] in PUBLIC_STATUSES
            or principal.sees_org(project[1])
            or (Role.POAI_REVIEWER in principal.roles and project[17] in REVIEW_STATUSES)
        )
        if not visible:
            raise Refused(404, "not_found", "project not found")
        now = datetime.now(UTC)
        config = DEFAULT_PRICING_CONFIG
        decided, rounds, approved, revoked = self.one(
            REVIEW_RECORD,
            {
                "project_id": project_id,
                "changes": "changes_requested",
                "approve": "approve",
                "suspended": "suspended",
                "rejected": "rejected",
            },
        )
        project_type = project[4]
        since = now - timedelta(days=config.demand_window_days)
        listed = self.one(
            MARKET_ACTIVITY,
            {
                "type": project_type,
                "vintage": vintage,
                "since": since,
                "cancelled": "cancelled",
                "expired": "expired",
                "active": "active",
            },
        )
        ordered = listed[2]
        inputs = PricingInputs(
            project_type=project_type,
            vintage=vintage,
            current_year=now.year,
            reviews=ReviewRecord(
                decided_cases=int(decided),
                change_rounds=int(rounds),
                reviewer_approvals=int(approved),
                reviewer_approvals_revoked=min(int(revoked), int(approved)),
            ),
            quality=QualityLabels(
                mitigation="removal" if project[13] == "removal" else "reduction",
                ccp_approved=bool(project[14]),
                corsia_eligible=bool(project[15]),
                corresponding_adjustment=bool(project[16]),
            ),
            market=MarketActivity(
                listed_kg=int(listed[0]), available_kg=int(listed[1]), ordered_kg=int(ordered)
            ),
        )
        floor = None if floor_amount is None else Money(exact(floor_amount), floor_currency)
        base = Money(exact(base_amount), base_currency)
        price = compute_price(base, inputs, floor=floor, config=config)
        current = Money(exact(price_amount), price_currency)
        moved = price.unit_price != current
        if moved or self.one(LAST_PRICE, (listing_id, 1)) is None:
            unit = price.unit_price
            self.run(
                ADD_PRICE_POINT,
                (project_id, vintage, listing_id, now, unit.amount, unit.currency, "market"),
            )
        conversion = convert_with(price.unit_price, currency, rates)
        charge = compute_charge(
            quantity, conversion.amount, self.fee_schedule(organization_id), payment_method
        )
        quote_id = new_id()
        expires = now + ttl
        fees = [
            {"kind": f.kind, "rate": str(f.rate), "amount": str(f.amount.amount)}
            for f in charge.fees
        ]
        factors = [{"name": f.name, "value": f.value, "effect": f.effect} for f in price.factors]
        self.run(
            ADD_QUOTE,
            (
                quote_id,
                listing_id,
                principal.id,
                organization_id,
                quantity.kg,
                currency,
                payment_method,
                conversion.amount.amount,
                charge.subtotal.amount,
                charge.total.amount,
                Jsonb(fees),
                conversion.rate,
                rates.as_of.isoformat(),
                Jsonb(factors),
                price.unit_price.amount,
                price.unit_price.currency,
                now,
                expires,
            ),
        )
        if moved:  # the whole row, as the platform's repository writes it
            row = list(listing)
            row[14], row[15] = price.unit_price.amount, price.unit_price.currency
            self.run(SAVE_LISTING, (*row, listing_id))
        return {
            "id": quote_id,
            "listing_id": listing_id,
            "organization_id": organization_id,
            "quantity": quantity.tonnes_str(),
            "currency": currency,
            "payment_method": payment_method,
            "unit_price": amount_text(conversion.amount),
            "subtotal": amount_text(charge.subtotal),
            "fees": [
                {
                    "kind": f.kind,
                    "rate": format(f.rate.normalize(), "f"),
                    "amount": amount_text(f.amount),
                }
                for f in charge.fees
            ],
            "total": amount_text(charge.total),
            "fx_rate": rate_text(conversion.rate),
            "fx_as_of": rates.as_of.isoformat(),
            "listing_unit_price": {
                "amount": amount_text(price.unit_price),
                "currency": price.unit_price.currency,
            },
            "factors": [f.as_dict() for f in price.factors],
            "expires_at": expires.isoformat(),
            "created_at": now.isoformat(),
        }

    def fee_schedule(self, organization_id: str | None) -> FeeSchedule:
        row = self.one(PLATFORM_FEES, ("platform_fees",))
        schedule = DEFAULT_FEE_SCHEDULE
        if row is not None:
            value = row[0]
            schedule = FeeSchedule(
                platform_rate=Decimal(value["platform_rate"]),
                processing_rates={k: Decimal(v) for k, v in value["processing_rates"].items()},
            )
        if organization_id is None:
            return schedule
        terms = self.one(ORGANIZATION_TERMS, (organization_id,))
        rate = None if terms is None or terms[1] is None else exact(terms[1])
        return schedule.for_organization(rate)


def _claims(secret: str, issuer: str) -> dict[str, Any]:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Refused(401, "missing_token", "sign in, or send an API key")
    try:
        claims: dict[str, Any] = jwt.decode(
            token.strip(),
            secret,
            algorithms=["HS256"],
            audience=AUDIENCE,
            issuer=issuer,
            leeway=0,
        )
    except jwt.ExpiredSignatureError:
        raise Refused(401, "token_expired", "the token has expired") from None
    except jwt.PyJWTError as exc:
        raise Refused(
            401, "invalid_token", f"the token is not valid ({type(exc).__name__})"
        ) from None
    if claims.get("type") != "access":
        raise Refused(401, "wrong_token_type", "an access token is required")
    if not isinstance(claims.get("sid"), str) or not isinstance(claims.get("sub"), str):
        raise Refused(401, "invalid_token", "the token lacks its session")
    return claims


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise Refused(422, "validation_failed", "a JSON object is expected")
    listing_id, currency = body.get("listing_id"), body.get("currency")
    organization_id = body.get("organization_id")
    if not isinstance(listing_id, str) or len(listing_id) > 64:
        raise Refused(422, "validation_failed", "listing_id: a string")
    if currency not in MINOR_UNITS:
        raise Refused(422, "validation_failed", "currency: an ISO 4217 code")
    if body.get("payment_method") not in PAYMENT_METHODS:
        raise Refused(422, "validation_failed", "payment_method: unknown")
    if organization_id is not None and (
        not isinstance(organization_id, str) or len(organization_id) > 32
    ):
        raise Refused(422, "validation_failed", "organization_id: a string")
    try:
        quantity = parse_tonnes(body.get("quantity"))  # type: ignore[arg-type]
    except InvalidValue as exc:
        raise Refused(422, "validation_failed", f"quantity: {exc.detail}") from None
    return {**body, "quantity": quantity, "organization_id": organization_id}


def create_app(
    conninfo: str,
    *,
    secret: str,
    issuer: str,
    quote_ttl: timedelta = timedelta(minutes=15),
    prepare: bool = False,
    record: Recorder | None = None,
) -> Flask:
    has_pool = importlib.util.find_spec("psycopg_pool") is not None
    connection = (_pooled if has_pool else _lazy_single)(conninfo, prepare)
    rates = StaticRates()
    app = Flask(__name__)

    @app.errorhandler(Refused)
    def refused(exc: Refused) -> tuple[Response, int]:
        return jsonify(status=exc.status, code=exc.code, detail=exc.detail), exc.status

    @app.get("/api/v1/health")
    def health() -> Response:
        return jsonify(status="ok")

    @app.post(PATH)
    def create_quote() -> tuple[Response, int]:
        claims = _claims(secret, issuer)
        body = _body()
        try:
            with connection() as conn:
                quoter = Quoter(conn, record)
                principal = quoter.caller(claims)
                if not principal.can("market:buy"):
                    raise Refused(403, "permission_denied", "this requires market:buy")
                quote = quoter.quote(
                    principal,
                    listing_id=body["listing_id"],
                    quantity=body["quantity"],
                    currency=body["currency"],
                    payment_method=body["payment_method"],
                    organization_id=body["organization_id"],
                    ttl=quote_ttl,
                    rates=rates,
                )
        except RateUnavailable as exc:
            raise Refused(422, "rate_unavailable", exc.detail) from None
        return jsonify(quote), 201

    return app


def _from_env() -> Flask:
    return create_app(
        os.environ.get("BENCH_DB", "postgresql://postgres@127.0.0.1:5432/postgres"),
        secret=os.environ.get("BENCH_SECRET_KEY", ""),
        issuer=os.environ.get("BENCH_ISSUER", "http://127.0.0.1:5000"),
        quote_ttl=timedelta(seconds=int(os.environ.get("BENCH_QUOTE_TTL_SECONDS", "900"))),
        prepare=os.environ.get("BENCH_PREPARE") == "1",
    )


app = _from_env()
