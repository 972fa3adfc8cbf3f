"""A dashboard as the API writes it (the schemas pick what each audience sees)."""

from __future__ import annotations

from typing import Any

from app.domain.analytics.model import Dashboard, Figures, Metric
from app.domain.shared.money import Money
from app.domain.shared.quantity import Quantity


def tonnes(kg: int) -> str:
    return Quantity(kg).tonnes_str()


def money(amounts: list[Money]) -> list[dict[str, str]]:
    return [{"amount": str(m.amount), "currency": m.currency} for m in amounts]


def _period(figures: Figures) -> dict[str, Any]:
    kg, count = figures.kg, figures.count
    return {
        "projects_created": count.get(Metric.PROJECTS, 0),
        "credits_issued": tonnes(kg.get(Metric.ISSUED, 0)),
        "credits_retired": tonnes(kg.get(Metric.RETIRED, 0)),
        "retirements": count.get(Metric.RETIRED, 0),
        "active_users": figures.active_users,
        "purchased": tonnes(kg.get(Metric.PURCHASED, 0)),
        "orders": count.get(Metric.PURCHASED, 0),
        "purchase_amounts": money(figures.amounts(Metric.PURCHASED)),
        "revenue": money(figures.amounts(Metric.REVENUE)),
    }


def dashboard_view(board: Dashboard, organization_id: str | None = None) -> dict[str, Any]:
    t, p = board.totals, board.projects
    view: dict[str, Any] = {
        "from_": board.range.first,
        "to": board.range.last,
        "granularity": board.range.granularity.value,
        "organization_id": organization_id,
        "totals": {
            "projects": {
                "total": p.total,
                "by_status": dict(p.by_status),
                "by_type": dict(p.by_type),
                "by_country": dict(p.by_country),
            },
            "credits_issued": tonnes(t.kg.get(Metric.ISSUED, 0)),
            "credits_retired": tonnes(t.kg.get(Metric.RETIRED, 0)),
            "active_users": t.active_users,
            "purchase_volume": {
                "quantity": tonnes(t.kg.get(Metric.PURCHASED, 0)),
                "orders": t.count.get(Metric.PURCHASED, 0),
                "amounts": money(t.amounts(Metric.PURCHASED)),
            },
            "retirement_volume": {
                "quantity": tonnes(t.kg.get(Metric.RETIRED, 0)),
                "retirements": t.count.get(Metric.RETIRED, 0),
            },
            "revenue": money(t.amounts(Metric.REVENUE)),
        },
        "series": [
            {"start": b.start, "end": b.last_day, **_period(f)}
            for b, f in zip(board.buckets, board.series, strict=True)
        ],
    }
    if board.health is not None:
        h = board.health
        view["health"] = {
            "indexer_lag_blocks": h.indexer_lag_blocks,
            "outbox_backlog": h.outbox_backlog,
            "failed_jobs": h.failed_jobs,
            "error_rate": str(h.error_rate),
        }
    return view
