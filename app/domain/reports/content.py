"""What a report says, whatever its format: facts, the disclosure statement, small
summary tables with their charts, and one detail table whose rows are read once, as the
writer consumes them (a generator over the figures reader's streamed rows)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Literal

from app.domain.reports.figures import (
    NOT_NETTED_STATEMENT,
    Breakdown,
    RetirementRow,
    Totals,
    e1_7_breakdowns,
)
from app.domain.reports.model import Report, Scope
from app.domain.shared.errors import NotFound
from app.domain.shared.json import JSON
from app.domain.shared.quantity import Quantity
from app.ports.repositories.reports import ReportFigures, ScheduledRetirements

Cell = str | int | Decimal | datetime | None
ColumnKind = Literal["text", "tonnes", "money", "integer", "datetime", "percent"]


@dataclass(frozen=True)
class Column:
    name: str
    kind: ColumnKind = "text"


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    columns: tuple[Column, ...]
    rows: Iterable[tuple[Cell, ...]]


@dataclass(frozen=True)
class Chart:
    title: str
    labels: tuple[str, ...]
    values: tuple[Decimal, ...]


@dataclass(frozen=True)
class ReportContent:
    title: str
    facts: tuple[tuple[str, str], ...]
    detail: Table
    summaries: tuple[Table, ...] = ()
    charts: tuple[Chart, ...] = ()
    statement: str | None = None
    data: dict[str, JSON] = field(default_factory=dict)  # the summary, machine-readable


def tonnes(kg: int) -> Decimal:
    return Quantity(kg).tonnes


def _scope_text(scope: Scope) -> str:
    text = {"platform": "the whole platform", "organization": "organization", "user": "user"}
    named = text[scope.kind] + (f" {scope.id}" if scope.id else "")
    return named + (f", project {scope.project_id}" if scope.project_id else "")


def head_facts(report: Report) -> list[tuple[str, str]]:
    p = report.period
    return [
        ("Period", f"{p.start} to {p.end} (UTC, both included)"),
        ("Scope", _scope_text(report.scope)),
    ]


RETIREMENT_COLUMNS = (
    Column("project_id"),
    Column("project_name"),
    Column("project_type"),
    Column("standard"),
    Column("methodology"),
    Column("country"),
    Column("vintage", "integer"),
    Column("quantity_t", "tonnes"),
    Column("serial_start", "integer"),
    Column("serial_end", "integer"),
    Column("retired_at", "datetime"),
    Column("beneficiary"),
    Column("purpose"),
    Column("price_paid", "money"),
    Column("price_currency"),
    Column("mitigation"),
    Column("removal_kind"),
    Column("retirement_id"),
)


def retirement_cells(r: RetirementRow) -> tuple[Cell, ...]:
    paid = r.price_paid
    return (
        r.project_id,
        r.project_name,
        r.project_type,
        r.standard,
        r.methodology,
        r.country,
        r.vintage,
        tonnes(r.quantity_kg),
        r.serial_start,
        r.serial_end,
        r.retired_at,
        r.beneficiary,
        r.purpose,
        None if paid is None else paid.amount,
        None if paid is None else paid.currency,
        r.mitigation,
        r.removal_kind,
        r.retirement_id,
    )


def _retirements(rows: Iterator[RetirementRow]) -> Iterator[tuple[Cell, ...]]:
    return (retirement_cells(r) for r in rows)


def _breakdown_table(b: Breakdown) -> Table:
    columns = (Column(b.name), Column("tonnes", "tonnes"), Column("percent", "percent"))
    return Table(b.name, b.title, columns, [(r.label, tonnes(r.kg), r.percent) for r in b.rows])


def _totals_facts(t: Totals) -> list[tuple[str, str]]:
    spend = "; ".join(str(m) for m in t.spend) or "none"
    return [
        ("Tonnes purchased", Quantity(t.purchased_kg).tonnes_str()),
        ("Tonnes retired (cancelled)", Quantity(t.retired_kg).tonnes_str()),
        ("Spend", spend),
        ("Planned future cancellation (t)", Quantity(t.planned_kg).tonnes_str()),
    ]


def esg_summary(
    report: Report, figures: ReportFigures, scheduled: ScheduledRetirements
) -> ReportContent:
    scope, period = report.scope, report.period
    slices = figures.retired_slices(scope, period)
    breakdowns = e1_7_breakdowns(slices)
    totals = Totals(
        purchased_kg=figures.purchased_kg(scope, period),
        retired_kg=sum(s.kg for s in slices),
        spend=tuple(figures.spend(scope, period)),
        planned_kg=scheduled.planned_kg(scope, period),
    )
    data: dict[str, JSON] = {
        "totals": {
            "tonnes_purchased": Quantity(totals.purchased_kg).tonnes_str(),
            "tonnes_retired": Quantity(totals.retired_kg).tonnes_str(),
            "spend": [{"amount": str(m.amount), "currency": m.currency} for m in totals.spend],
            "planned_future_cancellation_t": Quantity(totals.planned_kg).tonnes_str(),
        },
        "e1_7": {
            b.name: [
                {"label": r.label, "tonnes": r.tonnes, "percent": str(r.percent)} for r in b.rows
            ]
            for b in breakdowns
        },
        "statement": NOT_NETTED_STATEMENT,
    }
    return ReportContent(
        title="ESG summary: carbon credits (CSRD ESRS E1-7, CDP)",
        facts=tuple(head_facts(report) + _totals_facts(totals)),
        summaries=tuple(_breakdown_table(b) for b in breakdowns),
        charts=tuple(
            Chart(b.title, tuple(r.label for r in b.rows), tuple(r.percent for r in b.rows))
            for b in breakdowns
            if b.total_kg
        ),
        detail=Table(
            "retirements",
            "Retirements (CDP columns)",
            RETIREMENT_COLUMNS,
            _retirements(figures.retirement_rows(scope, period)),
        ),
        statement=NOT_NETTED_STATEMENT,
        data=data,
    )


def project_report(report: Report, figures: ReportFigures) -> ReportContent:
    project_id = report.scope.project_id or ""
    found = figures.project_figures(project_id, report.period)
    if found is None:
        raise NotFound("project not found")
    facts = [
        ("Project", f"{found.name} ({found.project_id})"),
        ("Issued (t)", Quantity(found.issued_kg).tonnes_str()),
        ("Retired in the period (t)", Quantity(found.retired_kg).tonnes_str()),
        ("Retired in all (t)", Quantity(found.retired_all_time_kg).tonnes_str()),
        ("Holders", str(found.holders)),
    ]
    batches = Table(
        "batches",
        "Issuance",
        (
            Column("vintage", "integer"),
            Column("monitoring_period"),
            Column("serial_start", "integer"),
            Column("serial_end", "integer"),
            Column("issued_t", "tonnes"),
        ),
        [(v, m, a, b, tonnes(kg)) for v, m, a, b, kg in found.batches],
    )
    scope = Scope("platform", None, project_id)
    return ReportContent(
        title=f"Project report: {found.name}",
        facts=tuple(head_facts(report) + facts),
        summaries=(batches,),
        detail=Table(
            "retirements",
            "Retirements in the period",
            RETIREMENT_COLUMNS,
            _retirements(figures.retirement_rows(scope, report.period)),
        ),
        data={
            "project_id": found.project_id,
            "issued_t": Quantity(found.issued_kg).tonnes_str(),
            "retired_t": Quantity(found.retired_kg).tonnes_str(),
            "retired_all_time_t": Quantity(found.retired_all_time_kg).tonnes_str(),
            "holders": found.holders,
        },
    )
