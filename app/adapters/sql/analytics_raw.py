"""The ledger's daily figures straight from the raw rows, by UTC day and organization:
issued tonnes (batches the chain confirmed, of the organization's projects), retired
tonnes (retirements the chain confirmed, the organization's own), purchases (orders paid
or fulfilled: a refunded order gave its credits back; by the buying organization) with
their totals and the platform's fees, and projects created. What the rollups sum, and
what a day not summed yet is read from."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from app.adapters.sql.tables_auth import memberships, sessions
from app.adapters.sql.tables_chain import credit_batches, retirements
from app.adapters.sql.tables_marketplace import market_orders
from app.adapters.sql.tables_projects import projects
from app.domain.analytics.model import DailyFigure, Metric
from app.domain.shared.money import Money

BOUGHT = ("paid", "fulfilled")
Row = tuple[date, str, Metric, str, int, int, Decimal]  # day, org, metric, currency, sums


def instant(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def utc_day(conn: Connection, column: Any) -> Any:
    """The UTC day of a timestamp column, as the dialect writes a date."""
    if conn.dialect.name == "postgresql":
        return sa.cast(sa.func.timezone("UTC", column), sa.Date)
    return sa.func.date(column)


def bucket_key(conn: Connection, day: Any, granularity: str) -> Any:
    """The first day of the bucket of a date column: its ISO week's Monday, its month's
    first day (the same cut as `app.domain.analytics.model.bucket_start`)."""
    if granularity == "day":
        return day
    if conn.dialect.name == "postgresql":
        return sa.cast(sa.func.date_trunc(granularity, day), sa.Date)
    if granularity == "week":
        return sa.func.date(day, "weekday 0", "-6 days")
    return sa.func.date(day, "start of month")


def as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _amount(value: Any, currency: str) -> Decimal:
    # SQLite sums the exact text through a float: back to the currency's minor units
    return Money.of(Decimal(str(value or 0)), currency).amount


def _org_filter(column: Any, org: str | None) -> list[Any]:
    return [] if org is None else [column == org]


def _between(column: Any, since: date, until: date) -> list[Any]:
    return [column >= instant(since), column < instant(until)]


def raw_rows(conn: Connection, org: str | None, since: date, until: date) -> Iterator[Row]:
    """Sums by (day, organization, metric, currency) of [since, until); organization ""
    for what no organization owns (a person's retirements and purchases)."""
    b, p, r = credit_batches, projects, retirements
    day = utc_day(conn, b.c.created_at)
    issued = (
        sa.select(day, p.c.organization_id, sa.func.sum(b.c.issued_kg), sa.func.count())
        .select_from(b.join(p, p.c.id == b.c.project_id))
        .where(b.c.status == "confirmed", *_between(b.c.created_at, since, until))
        .where(*_org_filter(p.c.organization_id, org))
        .group_by(day, p.c.organization_id)
    )
    for at, owner, kg, count in conn.execute(issued):
        yield as_date(at), owner, Metric.ISSUED, "", int(kg), int(count), Decimal(0)
    day = utc_day(conn, r.c.confirmed_at)
    owner = sa.case((r.c.owner_kind == "organization", r.c.owner_id), else_="")
    retired = (
        sa.select(day, owner, sa.func.sum(r.c.quantity_kg), sa.func.count())
        .where(r.c.status == "confirmed", *_between(r.c.confirmed_at, since, until))
        .group_by(day, owner)
    )
    if org is not None:
        retired = retired.where(r.c.owner_kind == "organization", r.c.owner_id == org)
    for at, holder, kg, count in conn.execute(retired):
        yield as_date(at), holder, Metric.RETIRED, "", int(kg), int(count), Decimal(0)
    yield from _purchases(conn, org, since, until)
    day = utc_day(conn, p.c.created_at)
    created = (
        sa.select(day, p.c.organization_id, sa.func.count())
        .where(*_between(p.c.created_at, since, until), *_org_filter(p.c.organization_id, org))
        .group_by(day, p.c.organization_id)
    )
    for at, owner, count in conn.execute(created):
        yield as_date(at), owner, Metric.PROJECTS, "", 0, int(count), Decimal(0)


def _purchases(conn: Connection, org: str | None, since: date, until: date) -> Iterator[Row]:
    o = market_orders
    day, buyer = utc_day(conn, o.c.paid_at), sa.func.coalesce(o.c.organization_id, "")
    query = (
        sa.select(
            day,
            buyer,
            o.c.currency,
            sa.func.sum(o.c.quantity_kg),
            sa.func.count(),
            sa.func.sum(o.c.total),
            sa.func.sum(o.c.platform_amount),
        )
        .where(o.c.status.in_(BOUGHT), *_between(o.c.paid_at, since, until))
        .where(*_org_filter(o.c.organization_id, org))
        .group_by(day, buyer, o.c.currency)
    )
    for at, owner, currency, kg, count, total, fees in conn.execute(query):
        on = as_date(at)
        yield on, owner, Metric.PURCHASED, currency, int(kg), int(count), _amount(total, currency)
        yield on, owner, Metric.REVENUE, currency, 0, int(count), _amount(fees, currency)


def folded(rows: Iterator[Row]) -> list[DailyFigure]:
    """Rows of any organizations summed per (day, metric, currency)."""
    sums: dict[tuple[date, Metric, str], list[Any]] = {}
    for at, _, metric, currency, kg, count, amount in rows:
        held = sums.setdefault((at, metric, currency), [0, 0, Decimal(0)])
        held[0], held[1], held[2] = held[0] + kg, held[1] + count, held[2] + amount
    return [DailyFigure(k[0], k[1], k[2], v[0], v[1], v[2]) for k, v in sorted(sums.items())]


def signed_in(conn: Connection, org: str | None, since: date, until: date) -> sa.Select[Any]:
    """(day, user) of every sign-in of [since, until), of the organization's members."""
    s = sessions
    day = utc_day(conn, s.c.created_at).label("day")
    query = sa.select(day, s.c.user_id.label("user_id")).where(
        *_between(s.c.created_at, since, until)
    )
    if org is not None:
        query = query.join(
            memberships,
            sa.and_(memberships.c.user_id == s.c.user_id, memberships.c.organization_id == org),
        )
    return query
