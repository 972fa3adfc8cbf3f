"""The builders of the audit-trail and custom reports, and the one entry the build job
calls for any kind."""

from __future__ import annotations

from decimal import Decimal

from app.domain.reports.content import (
    Cell,
    Chart,
    Column,
    ReportContent,
    Table,
    esg_summary,
    head_facts,
    project_report,
    tonnes,
)
from app.domain.reports.model import Report, ReportKind
from app.ports.repositories.reports import ReportFigures, ScheduledRetirements

AUDIT_COLUMNS = (
    Column("seq", "integer"),
    Column("occurred_at", "datetime"),
    Column("action"),
    Column("entity_type"),
    Column("entity_id"),
    Column("actor_id"),
    Column("organization_id"),
    Column("request_id"),
    Column("hash"),
)


def audit_trail(report: Report, figures: ReportFigures) -> ReportContent:
    rows = (
        (
            e.seq,
            e.occurred_at,
            e.action,
            e.entity_type,
            e.entity_id,
            e.actor_id,
            e.organization_id,
            e.request_id,
            e.hash,
        )
        for e in figures.audit_entries(report.scope, report.period)
    )
    return ReportContent(
        title="Audit trail",
        facts=tuple(head_facts(report)),
        detail=Table("audit_entries", "Audit log entries", AUDIT_COLUMNS, rows),
    )


def custom_report(report: Report, figures: ReportFigures) -> ReportContent:
    spec = report.custom
    rows = figures.custom_rows(report.scope, report.period, spec)
    currencies = sorted({m.currency for r in rows for m in r.spend})
    columns = [Column(spec.group_by or "group")]
    for metric in spec.metrics:
        if metric == "spend":
            columns += [Column(f"spend_{c}", "money") for c in currencies]
        elif metric == "retirements_count":
            columns.append(Column(metric, "integer"))
        else:
            columns.append(Column(metric, "tonnes"))
    cells: list[tuple[Cell, ...]] = []
    for r in rows:
        line: list[Cell] = [r.group]
        spent = {m.currency: m.amount for m in r.spend}
        for metric in spec.metrics:
            if metric == "spend":
                line += [spent.get(c, Decimal("0")) for c in currencies]
            elif metric == "retirements_count":
                line.append(r.retirements_count)
            elif metric == "tonnes_retired":
                line.append(tonnes(r.tonnes_retired_kg))
            else:
                line.append(tonnes(r.tonnes_purchased_kg))
        cells.append(tuple(line))
    first = 1 if cells and columns[1].kind in {"tonnes", "integer", "money"} else 0
    charts = (
        (
            Chart(
                columns[1].name,
                tuple(str(c[0]) for c in cells),
                tuple(Decimal(str(c[1])) for c in cells),
            ),
        )
        if first
        else ()
    )
    filters = ", ".join(f"{k}={v}" for k, v in spec.filters) or "none"
    return ReportContent(
        title="Custom report",
        facts=(*head_facts(report), ("Metrics", ", ".join(spec.metrics)), ("Filters", filters)),
        charts=charts,
        detail=Table("rows", "Figures", tuple(columns), cells),
    )


def build_content(
    report: Report, figures: ReportFigures, scheduled: ScheduledRetirements
) -> ReportContent:
    if report.kind == ReportKind.ESG_SUMMARY:
        return esg_summary(report, figures, scheduled)
    if report.kind == ReportKind.PROJECT:
        return project_report(report, figures)
    if report.kind == ReportKind.AUDIT_TRAIL:
        return audit_trail(report, figures)
    return custom_report(report, figures)
