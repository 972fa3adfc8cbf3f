"""The figures reader of reports on SQL, over the ledger, the orders, their payments and
the audit log. Long row sources are read `CHUNK` rows at a time (`yield_per`, a
server-side cursor on PostgreSQL); a custom report's groups are summed as rows stream by.

Retired tonnes are those of retirements the chain confirmed in the period. Purchases are
the orders paid in the period that are paid or fulfilled (a refunded order gave its
credits back); spend is their totals per currency less what was refunded of them. The
price paid of a retirement is the total of the order that bought and retired it."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.adapters.sql.platform_repositories import _entry as audit_entry
from app.adapters.sql.tables import audit_logs
from app.adapters.sql.tables_chain import credit_balances, credit_batches, retirements
from app.adapters.sql.tables_marketplace import market_orders
from app.adapters.sql.tables_payments import payments
from app.adapters.sql.tables_projects import projects
from app.domain.reports.figures import (
    CustomRow,
    ProjectFigures,
    RetiredSlice,
    RetirementRow,
)
from app.domain.reports.model import CustomSpec, Period, Scope
from app.domain.shared.audit import AuditEntry
from app.domain.shared.money import Money

CHUNK, BOUGHT = 2_000, ("paid", "fulfilled")  # rows per fetch; orders that count as bought
r, p, o = retirements, projects, market_orders


def _retired_in(scope: Scope, period: Period) -> list[sa.ColumnElement[bool]]:
    at = r.c.confirmed_at
    where = [r.c.status == "confirmed", at >= period.since, at < period.until]
    if scope.kind != "platform":
        where += [r.c.owner_kind == scope.kind, r.c.owner_id == scope.id]
    if scope.project_id is not None:
        where.append(r.c.project_id == scope.project_id)
    return where


def _bought_in(scope: Scope, period: Period) -> list[sa.ColumnElement[bool]]:
    where = [o.c.status.in_(BOUGHT), o.c.paid_at >= period.since, o.c.paid_at < period.until]
    if scope.kind == "organization":
        where.append(o.c.organization_id == scope.id)
    elif scope.kind == "user":
        where += [o.c.owner_id == scope.id, o.c.organization_id.is_(None)]
    if scope.project_id is not None:
        where.append(o.c.project_id == scope.project_id)
    return where


def _custom_filters(spec: CustomSpec, vintage: Any, project: Any) -> list[sa.ColumnElement[bool]]:
    where: list[sa.ColumnElement[bool]] = []
    if (value := spec.filter("project_id")) is not None:
        where.append(project == value)
    if (value := spec.filter("country")) is not None:
        where.append(p.c.country == value.upper())
    if (value := spec.filter("type")) is not None:
        where.append(p.c.type == value)
    if (value := spec.filter("vintage")) is not None:
        where.append(vintage == (int(value) if value.isdigit() else -1))
    return where


def _grouping(group_by: str | None, project: Any, vintage: Any, at: Any) -> Any:
    return {
        None: sa.literal("all"),
        "project": project,
        "country": p.c.country,
        "vintage": vintage,
        "type": p.c.type,
        "month": at,
    }[group_by]


def _money(amount: Any, currency: str) -> Money:
    return Money.of(Decimal(str(amount)), currency)


class SqlReportFigures:
    def __init__(self, db: Session) -> None:
        self._db = db

    def _stream(self, query: sa.Select[Any]) -> Iterator[Any]:
        yield from self._db.execute(query.execution_options(yield_per=CHUNK))

    def retired_slices(self, scope: Scope, period: Period) -> list[RetiredSlice]:
        keys = (
            p.c.mitigation,
            p.c.removal_kind,
            p.c.standard,
            p.c.country,
            p.c.corresponding_adjustment,
        )
        query = (
            sa.select(*keys, sa.func.sum(r.c.quantity_kg).label("kg"))
            .select_from(r.join(p, p.c.id == r.c.project_id))
            .where(*_retired_in(scope, period))
            .group_by(*keys)
        )
        return [
            RetiredSlice(
                row.mitigation,
                row.removal_kind if row.mitigation == "removal" else None,
                row.standard,
                row.country,
                bool(row.corresponding_adjustment),
                int(row.kg),
            )
            for row in self._db.execute(query)
        ]

    def purchased_kg(self, scope: Scope, period: Period) -> int:
        query = sa.select(sa.func.coalesce(sa.func.sum(o.c.quantity_kg), 0))
        return int(self._db.execute(query.where(*_bought_in(scope, period))).scalar_one())

    def spend(self, scope: Scope, period: Period) -> list[Money]:
        where = _bought_in(scope, period)
        totals = sa.select(o.c.currency, sa.func.sum(o.c.total).label("amount"))
        refunded = (
            sa.select(payments.c.currency, sa.func.sum(payments.c.refunded).label("amount"))
            .select_from(payments.join(o, o.c.id == payments.c.order_id))
            .where(*where)
            .group_by(payments.c.currency)
        )
        found: dict[str, Money] = {}
        for row in self._db.execute(totals.where(*where).group_by(o.c.currency)):
            found[row.currency] = _money(row.amount, row.currency)
        for row in self._db.execute(refunded):
            if row.currency in found:
                found[row.currency] = found[row.currency] - _money(row.amount, row.currency)
        return [found[c].rounded() for c in sorted(found)]

    def retirement_rows(self, scope: Scope, period: Period) -> Iterator[RetirementRow]:
        query = (
            sa.select(
                r,
                p.c.name,
                p.c.type,
                p.c.standard,
                p.c.methodology,
                p.c.country,
                p.c.mitigation,
                p.c.removal_kind,
                p.c.corresponding_adjustment,
                o.c.total.label("paid_total"),
                o.c.currency.label("paid_currency"),
            )
            .select_from(
                r.join(p, p.c.id == r.c.project_id).outerjoin(o, o.c.retirement_id == r.c.id)
            )
            .where(*_retired_in(scope, period))
            .order_by(r.c.confirmed_at, r.c.id)
        )
        for row in self._stream(query):
            paid = row.paid_total
            yield RetirementRow(
                retirement_id=row.id,
                project_id=row.project_id,
                project_name=row.name,
                project_type=row.type,
                standard=row.standard,
                methodology=row.methodology,
                country=row.country,
                vintage=row.vintage,
                quantity_kg=row.quantity_kg,
                serial_start=row.serial_start,
                serial_end=row.serial_end,
                retired_at=row.confirmed_at,
                beneficiary=row.beneficiary,
                purpose=row.purpose,
                price_paid=None if paid is None else _money(paid, row.paid_currency),
                mitigation=row.mitigation,
                removal_kind=row.removal_kind if row.mitigation == "removal" else None,
                corresponding_adjustment=bool(row.corresponding_adjustment),
            )

    def project_figures(self, project_id: str, period: Period) -> ProjectFigures | None:
        project = self._db.execute(sa.select(p).where(p.c.id == project_id)).first()
        if project is None:
            return None
        b = credit_batches
        batches = self._db.execute(
            sa.select(b)
            .where(b.c.project_id == project_id, b.c.status == "confirmed")
            .order_by(b.c.vintage, b.c.serial_start)
        ).all()
        retired = sa.select(sa.func.coalesce(sa.func.sum(r.c.quantity_kg), 0)).where(
            r.c.project_id == project_id, r.c.status == "confirmed"
        )
        in_period = retired.where(*_retired_in(Scope("platform", None, project_id), period))
        holders = sa.select(sa.func.count(sa.distinct(credit_balances.c.address))).where(
            credit_balances.c.onchain_kg > 0,
            credit_balances.c.token_id.in_(
                sa.select(b.c.token_id).where(b.c.project_id == project_id)
            ),
        )
        return ProjectFigures(
            project_id=project.id,
            name=project.name,
            organization_id=project.organization_id,
            issued_kg=sum(int(x.issued_kg) for x in batches),
            retired_kg=int(self._db.execute(in_period).scalar_one()),
            retired_all_time_kg=int(self._db.execute(retired).scalar_one()),
            holders=int(self._db.execute(holders).scalar_one()),
            batches=tuple(
                (x.vintage, x.monitoring_period, x.serial_start, x.serial_end, x.issued_kg)
                for x in batches
            ),
        )

    def audit_entries(self, scope: Scope, period: Period) -> Iterator[AuditEntry]:
        a = audit_logs
        where = [a.c.occurred_at >= period.since, a.c.occurred_at < period.until]
        if scope.kind == "organization":
            where.append(a.c.organization_id == scope.id)
        elif scope.kind == "user":
            where.append(a.c.actor_id == scope.id)
        if scope.project_id is not None:
            where.append(a.c.entity_id == scope.project_id)
        query = sa.select(a).where(*where).order_by(a.c.seq)
        return (audit_entry(row) for row in self._stream(query))

    def custom_rows(self, scope: Scope, period: Period, spec: CustomSpec) -> list[CustomRow]:
        group, metrics = spec.group_by, set(spec.metrics)
        sums: dict[str, list[int]] = {}  # group -> retired kg, purchased kg, retirements
        spent: dict[str, dict[str, Money]] = {}

        def add(key: Any, at: int, kg: int) -> str:
            label = f"{key:%Y-%m}" if group == "month" else str(key)
            sums.setdefault(label, [0, 0, 0])[at] += kg
            return label

        if metrics & {"tonnes_retired", "retirements_count"}:
            key = _grouping(group, r.c.project_id, r.c.vintage, r.c.confirmed_at)
            query = (
                sa.select(key.label("g"), r.c.quantity_kg)
                .select_from(r.join(p, p.c.id == r.c.project_id))
                .where(*_retired_in(scope, period))
                .where(*_custom_filters(spec, r.c.vintage, r.c.project_id))
            )
            for row in self._stream(query):
                label = add(row.g, 0, int(row.quantity_kg))
                sums[label][2] += 1
        if metrics & {"tonnes_purchased", "spend"}:
            key = _grouping(group, o.c.project_id, o.c.vintage, o.c.paid_at)
            refunded = (
                sa.select(sa.func.coalesce(sa.func.sum(payments.c.refunded), 0))
                .where(payments.c.order_id == o.c.id)
                .scalar_subquery()
            )
            query = (
                sa.select(key.label("g"), o.c.quantity_kg, o.c.total, o.c.currency, refunded)
                .select_from(o.join(p, p.c.id == o.c.project_id))
                .where(*_bought_in(scope, period))
                .where(*_custom_filters(spec, o.c.vintage, o.c.project_id))
            )
            for row in self._stream(query):
                label = add(row.g, 1, int(row.quantity_kg))
                net = _money(row.total, row.currency) - _money(row[4], row.currency)
                mine = spent.setdefault(label, {})
                mine[row.currency] = mine.get(row.currency, Money.of(0, row.currency)) + net
        return [
            CustomRow(
                label,
                kg[0],
                kg[1],
                kg[2],
                tuple(spent.get(label, {})[c] for c in sorted(spent.get(label, {}))),
            )
            for label, kg in sorted(sums.items())
        ]
