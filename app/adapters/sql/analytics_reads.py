"""Analytics on SQL: the read side (rollups, raw rows for the days not summed yet,
distinct active users per bucket, project counts, health) on one connection, and the
recomputation of a day's rollups from the raw rows (DELETE then INSERT .. ON CONFLICT in
one transaction, so running it twice, or twice at once, leaves the same rows)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine

from app.adapters.sql import analytics_raw as raw
from app.adapters.sql.tables import outbox
from app.adapters.sql.tables_analytics import analytics_daily, analytics_daily_users, analytics_days
from app.adapters.sql.tables_auth import memberships, organizations, sessions
from app.adapters.sql.tables_chain import chain_checkpoints, credit_batches, retirements
from app.adapters.sql.tables_marketplace import market_orders
from app.adapters.sql.tables_projects import projects
from app.domain.analytics.model import (
    ONE_DAY,
    DailyFigure,
    Health,
    Metric,
    ProjectCounts,
    Range,
)

METRICS = {m.value: m for m in Metric}
PLATFORM = ""  # the organization id of the platform's own sums
d, du, days = analytics_daily, analytics_daily_users, analytics_days


def summed_days(conn: Connection, since: date, until: date) -> set[date]:
    # a day counts as summed once recomputed after it ended (`closed`)
    query = sa.select(days.c.day).where(days.c.closed, days.c.day >= since, days.c.day < until)
    return {raw.as_date(day) for day in conn.execute(query).scalars()}


def summed_span(conn: Connection, since: date, until: date) -> tuple[int, date | None, date | None]:
    span = sa.select(sa.func.count(), sa.func.min(days.c.day), sa.func.max(days.c.day)).where(
        days.c.closed, days.c.day >= since, days.c.day < until
    )
    count, first, last = conn.execute(span).one()
    return int(count), first and raw.as_date(first), last and raw.as_date(last)


class SqlAnalyticsReads:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def summed_days(self, since: date, until: date) -> set[date]:
        return summed_days(self._conn, since, until)

    def summed_span(self, since: date, until: date) -> tuple[int, date | None, date | None]:
        return summed_span(self._conn, since, until)

    def rollup_figures(self, org: str | None, since: date, until: date) -> list[DailyFigure]:
        # the amount as the driver gives it (a Decimal on PostgreSQL, the exact text on
        # SQLite), without the column type's normalizing
        amount = sa.type_coerce(d.c.amount, sa.types.NullType())
        query = sa.select(d.c.day, d.c.metric, d.c.currency, d.c.kg, d.c.count, amount).where(
            d.c.organization_id == (org or PLATFORM), d.c.day >= since, d.c.day < until
        )
        metrics, exact = METRICS, Decimal
        return [
            DailyFigure(
                day, metrics[metric], currency, kg, count, v if type(v) is exact else exact(v)
            )
            for day, metric, currency, kg, count, v in self._conn.execute(query).all()
        ]

    def raw_figures(self, org: str | None, since: date, until: date) -> list[DailyFigure]:
        return raw.folded(raw.raw_rows(self._conn, org, since, until))

    def active_users(
        self, org: str | None, range_: Range, summed_until: date
    ) -> tuple[dict[date, int], int]:
        since, until = range_.first, range_.until
        rolled = sa.select(du.c.day, du.c.user_id).where(
            du.c.day >= since, du.c.day < min(summed_until, until)
        )
        if org is not None:
            rolled = rolled.join(
                memberships,
                sa.and_(
                    memberships.c.user_id == du.c.user_id, memberships.c.organization_id == org
                ),
            )
        parts: list[Any] = [rolled]
        if summed_until < until:
            parts.append(raw.signed_in(self._conn, org, max(summed_until, since), until))
        users = sa.union_all(*parts).subquery("u")
        # DISTINCT in a subquery, then a count: PostgreSQL hashes it, where
        # COUNT(DISTINCT ..) sorts
        key = raw.bucket_key(self._conn, users.c.day, range_.granularity.value).label("k")
        pairs = sa.select(key, users.c.user_id).distinct().subquery("p")
        per = sa.select(pairs.c.k, sa.func.count()).group_by(pairs.c.k)
        found = {raw.as_date(k): int(n) for k, n in self._conn.execute(per)}
        distinct = sa.select(users.c.user_id).distinct().subquery("d")
        total = self._conn.execute(sa.select(sa.func.count()).select_from(distinct))
        return found, int(total.scalar_one())

    def project_counts(self, org: str | None, statuses: Sequence[str] | None) -> ProjectCounts:
        p = projects
        query = sa.select(p.c.status, p.c.type, p.c.country, sa.func.count()).group_by(
            p.c.status, p.c.type, p.c.country
        )
        if org is not None:
            query = query.where(p.c.organization_id == org)
        if statuses is not None:
            query = query.where(p.c.status.in_(statuses))
        by: list[dict[str, int]] = [{}, {}, {}]
        total = 0
        for *keys, count in self._conn.execute(query):
            total += count
            for held, key in zip(by, keys, strict=True):
                held[key] = held.get(key, 0) + count
        return ProjectCounts(total, *(dict(sorted(h.items())) for h in by))

    def organization_exists(self, org_id: str) -> bool:
        query = sa.select(organizations.c.id).where(organizations.c.id == org_id)
        return self._conn.execute(query).first() is not None

    def health(self, since: datetime, until: datetime) -> Health:
        c = chain_checkpoints
        checkpoint = self._conn.execute(sa.select(c.c.head_block, c.c.block_number)).first()
        failed = sa.case((outbox.c.last_error.is_not(None), 1), else_=0)
        open_jobs = sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(failed), 0)).where(
            outbox.c.done_at.is_(None)
        )
        in_range = sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(failed), 0)).where(
            outbox.c.created_at >= since, outbox.c.created_at < until
        )
        backlog, failed_open = self._conn.execute(open_jobs).one()
        jobs, failed_jobs = self._conn.execute(in_range).one()
        return Health(
            indexer_lag_blocks=None
            if checkpoint is None
            else max(0, checkpoint[0] - checkpoint[1]),
            outbox_backlog=int(backlog),
            failed_jobs=int(failed_open),
            jobs_in_range=int(jobs),
            failed_in_range=int(failed_jobs),
        )


def _insert(conn: Connection, table: sa.Table) -> Any:
    return (pg_insert if conn.dialect.name == "postgresql" else sqlite_insert)(table)


class SqlAnalyticsRollups:
    """Recomputes rollup days on the write engine, one transaction per day."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def recompute(self, day: date, *, at: datetime) -> None:
        with self._engine.begin() as conn:
            rows = list(raw.raw_rows(conn, None, day, day + ONE_DAY))
            values = [
                {
                    "day": day,
                    "organization_id": org,
                    "metric": metric.value,
                    "currency": currency,
                    "kg": kg,
                    "count": count,
                    "amount": amount,
                }
                for (_, org, metric, currency, kg, count, amount) in rows
                if org
            ] + [
                {
                    "day": day,
                    "organization_id": PLATFORM,
                    "metric": f.metric.value,
                    "currency": f.currency,
                    "kg": f.kg,
                    "count": f.number,
                    "amount": f.amount,
                }
                for f in raw.folded(iter(rows))
            ]
            conn.execute(sa.delete(d).where(d.c.day == day))
            if values:
                stmt = _insert(conn, d)
                excluded = stmt.excluded
                conn.execute(
                    stmt.on_conflict_do_update(
                        index_elements=["day", "organization_id", "metric", "currency"],
                        set_={
                            "kg": excluded.kg,
                            "count": excluded.count,
                            "amount": excluded.amount,
                        },
                    ),
                    values,
                )
            conn.execute(sa.delete(du).where(du.c.day == day))
            users = raw.signed_in(conn, None, day, day + ONE_DAY).subquery()
            # (SQLite needs a WHERE in an INSERT .. SELECT .. ON CONFLICT)
            pick = sa.select(sa.literal(day, sa.Date), users.c.user_id).distinct().where(sa.true())
            conn.execute(
                _insert(conn, du).from_select(["day", "user_id"], pick).on_conflict_do_nothing()
            )
            closed = at >= raw.instant(day + ONE_DAY)
            stmt = _insert(conn, days).values(day=day, computed_at=at, closed=closed)
            conn.execute(
                stmt.on_conflict_do_update(
                    index_elements=["day"],
                    set_={"computed_at": stmt.excluded.computed_at, "closed": closed},
                )
            )

    def first_activity(self) -> date | None:
        firsts = [
            sa.select(sa.func.min(t)).scalar_subquery()
            for t in (
                credit_batches.c.created_at,
                retirements.c.confirmed_at,
                market_orders.c.paid_at,
                projects.c.created_at,
                sessions.c.created_at,
            )
        ]
        with self._engine.connect() as conn:
            found = [v for v in conn.execute(sa.select(*firsts)).one() if v is not None]
        return min(found).date() if found else None

    def summed_days(self, since: date, until: date) -> set[date]:
        with self._engine.connect() as conn:
            return summed_days(conn, since, until)

    def summed_span(self, since: date, until: date) -> tuple[int, date | None, date | None]:
        with self._engine.connect() as conn:
            return summed_span(conn, since, until)
