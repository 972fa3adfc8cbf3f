"""A dashboard as the API writes it, for each audience exactly its fields (what the
schemas document): the platform's with revenue and health, an organization's with its
money but no revenue, the public's with neither money nor organization. Built as plain
JSON values here, not dumped through marshmallow: a year by day is thousands of values."""

from __future__ import annotations

import functools
from decimal import Decimal
from typing import Any, Literal

from app.domain.analytics.model import Bucket, Dashboard, Figures, Metric, tonnes_text
from app.domain.shared.money import minor_units

Audience = Literal["platform", "organization", "public"]


@functools.cache
def _quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-minor_units(currency))


def money(held: dict[str, Decimal] | None) -> list[dict[str, str]]:
    if not held:
        return []
    return [{"amount": str(held[c].quantize(_quantum(c))), "currency": c} for c in sorted(held)]


def _period(bucket: Bucket, figures: Figures, audience: Audience) -> dict[str, Any]:
    kg, count = figures.kg, figures.count
    period: dict[str, Any] = {
        "start": bucket.start.isoformat(),
        "end": bucket.last_day.isoformat(),
        "projects_created": count.get(Metric.PROJECTS, 0),
        "credits_issued": tonnes_text(kg.get(Metric.ISSUED, 0)),
        "credits_retired": tonnes_text(kg.get(Metric.RETIRED, 0)),
        "retirements": count.get(Metric.RETIRED, 0),
        "active_users": figures.active_users,
        "purchased": tonnes_text(kg.get(Metric.PURCHASED, 0)),
        "orders": count.get(Metric.PURCHASED, 0),
    }
    if audience != "public":
        period["purchase_amounts"] = money(figures.money.get(Metric.PURCHASED))
    if audience == "platform":
        period["revenue"] = money(figures.money.get(Metric.REVENUE))
    return period


def _totals(board: Dashboard, audience: Audience) -> dict[str, Any]:
    t, p = board.totals, board.projects
    purchases: dict[str, Any] = {
        "quantity": tonnes_text(t.kg.get(Metric.PURCHASED, 0)),
        "orders": t.count.get(Metric.PURCHASED, 0),
    }
    totals: dict[str, Any] = {
        "projects": {
            "total": p.total,
            "by_status": dict(p.by_status),
            "by_type": dict(p.by_type),
            "by_country": dict(p.by_country),
        },
        "credits_issued": tonnes_text(t.kg.get(Metric.ISSUED, 0)),
        "credits_retired": tonnes_text(t.kg.get(Metric.RETIRED, 0)),
        "active_users": t.active_users,
        "purchase_volume": purchases,
        "retirement_volume": {
            "quantity": tonnes_text(t.kg.get(Metric.RETIRED, 0)),
            "retirements": t.count.get(Metric.RETIRED, 0),
        },
    }
    if audience != "public":
        purchases["amounts"] = money(t.money.get(Metric.PURCHASED))
    if audience == "platform":
        totals["revenue"] = money(t.money.get(Metric.REVENUE))
    return totals


def dashboard_view(
    board: Dashboard, audience: Audience, organization_id: str | None = None
) -> dict[str, Any]:
    view: dict[str, Any] = {
        "from": board.range.first.isoformat(),
        "to": board.range.last.isoformat(),
        "granularity": board.range.granularity.value,
    }
    if audience == "organization":
        view["organization_id"] = organization_id
    view["totals"] = _totals(board, audience)
    view["series"] = [
        _period(b, f, audience) for b, f in zip(board.buckets, board.series, strict=True)
    ]
    if audience == "platform" and board.health is not None:
        h = board.health
        view["health"] = {
            "indexer_lag_blocks": h.indexer_lag_blocks,
            "outbox_backlog": h.outbox_backlog,
            "failed_jobs": h.failed_jobs,
            "error_rate": str(h.error_rate),
        }
    return view
