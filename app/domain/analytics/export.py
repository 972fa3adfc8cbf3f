"""A dashboard's series as report content, for the reports module's CSV and XLSX writers:
one row per period (tonnes as decimals, money in one column per currency), the totals as
facts, and a chart of the tonnes issued per period."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from app.domain.analytics.model import Dashboard, Figures, Metric
from app.domain.reports.content import Cell, Chart, Column, ReportContent, Table
from app.domain.shared.quantity import Quantity

COUNTS = (
    ("projects_created", Metric.PROJECTS),
    ("retirements", Metric.RETIRED),
    ("orders", Metric.PURCHASED),
)
TONNES = (
    ("credits_issued", Metric.ISSUED),
    ("credits_retired", Metric.RETIRED),
    ("purchased", Metric.PURCHASED),
)
MONEY = (("purchases", Metric.PURCHASED), ("revenue", Metric.REVENUE))


def _tonnes(kg: int) -> Decimal:
    return Quantity(kg).tonnes


def _currencies(board: Dashboard, metric: Metric) -> list[str]:
    return sorted(board.totals.money.get(metric, {}))


def _cells(figures: Figures, money: list[tuple[Metric, str]]) -> list[Cell]:
    cells: list[Cell] = [_tonnes(figures.kg.get(m, 0)) for _, m in TONNES]
    cells += [figures.count.get(m, 0) for _, m in COUNTS]
    cells.append(figures.active_users)
    cells += [figures.money.get(m, {}).get(c, Decimal(0)) for m, c in money]
    return cells


def export_content(board: Dashboard, organization_id: str | None) -> ReportContent:
    money = [(m, c) for _, m in MONEY for c in _currencies(board, m)]
    names = {m: n for n, m in MONEY}
    columns = (
        Column("period_start"),
        Column("period_end"),
        *(Column(n, "tonnes") for n, _ in TONNES),
        *(Column(n, "integer") for n, _ in COUNTS),
        Column("active_users", "integer"),
        *(Column(f"{names[m]}_{c}", "money") for m, c in money),
    )

    def rows() -> Iterator[tuple[Cell, ...]]:
        for bucket, figures in zip(board.buckets, board.series, strict=True):
            start, end = bucket.start.isoformat(), bucket.last_day.isoformat()
            yield (start, end, *_cells(figures, money))

    t = board.totals
    scope = f"organization {organization_id}" if organization_id else "platform"
    facts = [
        ("scope", scope),
        ("from", board.range.first.isoformat()),
        ("to", board.range.last.isoformat()),
        ("granularity", board.range.granularity.value),
        ("projects", str(board.projects.total)),
        *((f"{n} (t)", format(_tonnes(t.kg.get(m, 0)), "f")) for n, m in TONNES),
        ("active_users", str(t.active_users)),
        *((f"{names[m]} ({c})", str(t.money[m][c])) for m, c in money),
    ]
    chart = Chart(
        "credits_issued",
        tuple(b.start.isoformat() for b in board.buckets),
        tuple(_tonnes(f.kg.get(Metric.ISSUED, 0)) for f in board.series),
    )
    return ReportContent(
        title=f"Analytics of the {scope}",
        facts=tuple(facts),
        detail=Table("series", "Series", columns, rows()),
        charts=(chart,),
    )
