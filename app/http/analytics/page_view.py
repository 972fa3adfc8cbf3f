"""What the statistics and dashboard pages show of a dashboard: the totals as labelled
figures, SVG charts of the series, and the platform's health."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from app.domain.analytics.model import Dashboard, Granularity, Metric
from app.domain.shared.quantity import Quantity
from app.http.analytics.charts import Series, SvgChart, bar_chart


@dataclass(frozen=True)
class PageBoard:
    first: str
    last: str
    granularity: str
    figures: list[tuple[str, str]]
    charts: list[SvgChart]
    health: list[tuple[str, str]] | None


def _t(kg: int) -> Decimal:
    return Quantity(kg).tonnes


def _label(board: Dashboard, i: int) -> str:
    start = board.buckets[i].start
    return f"{start:%Y-%m}" if board.range.granularity is Granularity.MONTH else start.isoformat()


def page_board(board: Dashboard, *, money: bool) -> PageBoard:
    t, series = board.totals, board.series
    labels = [_label(board, i) for i in range(len(series))]
    figures = [
        ("Projects", str(board.projects.total)),
        ("Tonnes issued", format(_t(t.kg.get(Metric.ISSUED, 0)), "f")),
        ("Tonnes retired", format(_t(t.kg.get(Metric.RETIRED, 0)), "f")),
        ("Retirements", str(t.count.get(Metric.RETIRED, 0))),
        ("Tonnes purchased", format(_t(t.kg.get(Metric.PURCHASED, 0)), "f")),
        ("Orders", str(t.count.get(Metric.PURCHASED, 0))),
        ("Active users", str(t.active_users)),
    ]
    if money:
        figures += [("Purchases", str(m)) for m in t.amounts(Metric.PURCHASED)]
        figures += [("Revenue", str(m)) for m in t.amounts(Metric.REVENUE)]
    charts = [
        bar_chart(
            "chart-tonnes",
            "Tonnes issued and retired",
            labels,
            [
                Series("issued", "issued", [_t(f.kg.get(Metric.ISSUED, 0)) for f in series], " t"),
                Series(
                    "retired", "retired", [_t(f.kg.get(Metric.RETIRED, 0)) for f in series], " t"
                ),
            ],
        ),
        bar_chart(
            "chart-purchases",
            "Tonnes purchased",
            labels,
            [
                Series(
                    "purchased", "bought", [_t(f.kg.get(Metric.PURCHASED, 0)) for f in series], " t"
                )
            ],
        ),
        bar_chart(
            "chart-users",
            "Active users",
            labels,
            [Series("users who signed in", "users", [Decimal(f.active_users) for f in series])],
        ),
    ]
    health = None
    if board.health is not None:
        h = board.health
        health = [
            (
                "Indexer lag (blocks)",
                "no checkpoint" if h.indexer_lag_blocks is None else str(h.indexer_lag_blocks),
            ),
            ("Outbox backlog", str(h.outbox_backlog)),
            ("Failed jobs", str(h.failed_jobs)),
            ("Job error rate", str(h.error_rate)),
        ]
    r = board.range
    return PageBoard(
        r.first.isoformat(), r.last.isoformat(), r.granularity.value, figures, charts, health
    )
