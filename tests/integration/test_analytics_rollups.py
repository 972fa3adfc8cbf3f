"""Analytics against the ledger: over a year of generated activity, each rollup day equals
the same day computed from the raw rows, recomputing is idempotent, and every endpoint's
series and totals equal hand-written SQL over the raw tables, by day, week and month."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from app.main.seed import run_seeders
from app.main.wiring_analytics import recompute_analytics
from tests.integration.analytics_support import Shape, load_year
from tests.integration.identity import signed_in

SHAPE = Shape()
YEAR = {"from": "2025-01-01", "to": "2025-12-31"}
ORG = "og" + "0" * 30
BUCKET = {
    "postgresql": {
        "day": "(({c}) AT TIME ZONE 'UTC')::date",
        "week": "date_trunc('week', ({c}) AT TIME ZONE 'UTC')::date",
        "month": "date_trunc('month', ({c}) AT TIME ZONE 'UTC')::date",
    },
    "sqlite": {
        "day": "date({c})",
        "week": "date({c}, 'weekday 0', '-6 days')",
        "month": "date({c}, 'start of month')",
    },
}


def _hand_sql(
    conn: sa.Connection, granularity: str, org: str | None, until: str = "2026-01-01"
) -> dict[str, Any]:
    """Per bucket start: issued, retired and purchased kg, counts, money, active users."""
    b = BUCKET[conn.dialect.name][granularity]
    zone = "+00" if conn.dialect.name == "postgresql" else ""
    # every generated row lies in 2025, so a series widened to whole weeks holds no more
    between = f"{{c}} >= '2025-01-01{zone}' AND {{c}} < '{until}{zone}'"
    by: dict[str, dict[str, Any]] = defaultdict(lambda: defaultdict(int))

    def run(sql: str, col: str, **params: Any) -> Any:
        text = sql.format(k=b.format(c=col), w=between.format(c=col))
        return conn.execute(sa.text(text), params)

    issued = (
        "SELECT {k}, SUM(b.issued_kg), COUNT(*) FROM credit_batches b JOIN projects p"
        " ON p.id = b.project_id WHERE b.status = 'confirmed' AND {w}"
        + (" AND p.organization_id = :org" if org else "")
        + " GROUP BY 1"
    )
    for k, kg, n in run(issued, "b.created_at", org=org):
        by[str(k)]["issued"], by[str(k)]["batches"] = int(kg), n
    retired = (
        "SELECT {k}, SUM(quantity_kg), COUNT(*) FROM retirements WHERE status = 'confirmed'"
        " AND {w}"
        + (" AND owner_kind = 'organization' AND owner_id = :org" if org else "")
        + " GROUP BY 1"
    )
    for k, kg, n in run(retired, "confirmed_at", org=org):
        by[str(k)]["retired"], by[str(k)]["retirements"] = int(kg), n
    bought = (
        "SELECT {k}, currency, SUM(quantity_kg), COUNT(*), SUM(total), SUM(platform_amount)"
        " FROM market_orders WHERE status IN ('paid', 'fulfilled') AND {w}"
        + (" AND organization_id = :org" if org else "")
        + " GROUP BY 1, 2"
    )
    for k, currency, kg, n, total, fee in run(bought, "paid_at", org=org):
        held = by[str(k)]
        held["purchased"] += int(kg)
        held["orders"] += n
        held[f"amount_{currency}"] = Decimal(str(total)).quantize(Decimal("0.01"))
        held[f"fee_{currency}"] = Decimal(str(fee)).quantize(Decimal("0.01"))
    created = "SELECT {k}, COUNT(*) FROM projects WHERE {w}" + (
        " AND organization_id = :org GROUP BY 1" if org else " GROUP BY 1"
    )
    for k, n in run(created, "created_at", org=org):
        by[str(k)]["projects"] = n
    join = " JOIN memberships m ON m.user_id = s.user_id AND m.organization_id = :org"
    active = "SELECT {k}, COUNT(DISTINCT s.user_id) FROM sessions s" + (join if org else "")
    for k, n in run(active + " WHERE {w} GROUP BY 1", "s.created_at", org=org):
        by[str(k)]["active"] = n
    total = "SELECT COUNT(DISTINCT s.user_id) FROM sessions s" + (join if org else "")
    return {"buckets": by, "active": run(total + " WHERE {w}", "s.created_at", org=org).scalar()}


def _kg(tonnes: str) -> int:
    return int(Decimal(tonnes) * 1000)


def _money(items: list[dict[str, str]], prefix: str) -> dict[str, Decimal]:
    return {f"{prefix}_{m['currency']}": Decimal(m["amount"]) for m in items}


def _assert_equal(body: dict[str, Any], hand: dict[str, Any], *, money: bool) -> None:
    buckets = hand["buckets"]
    assert len(buckets) >= 12  # the generated year has activity in every month
    starts = {p["start"] for p in body["series"]}
    assert set(buckets) <= starts, "a bucket of the raw rows is missing from the series"
    for period in body["series"]:
        want = buckets.get(period["start"], {})
        got = {
            "issued": _kg(period["credits_issued"]),
            "retired": _kg(period["credits_retired"]),
            "retirements": period["retirements"],
            "purchased": _kg(period["purchased"]),
            "orders": period["orders"],
            "projects": period["projects_created"],
            "active": period["active_users"],
        }
        assert got == {k: want.get(k, 0) for k in got}, period["start"]
        if money:
            amounts = _money(period["purchase_amounts"], "amount")
            if "revenue" in period:
                amounts |= _money(period["revenue"], "fee")
            expected = {k: v for k, v in want.items() if k.startswith(("amount_", "fee_"))}
            if "revenue" not in period:
                expected = {k: v for k, v in expected.items() if k.startswith("amount_")}
            assert amounts == expected, period["start"]
    totals = body["totals"]
    assert _kg(totals["credits_issued"]) == sum(b.get("issued", 0) for b in buckets.values())
    assert totals["retirement_volume"]["retirements"] == sum(
        b.get("retirements", 0) for b in buckets.values()
    )
    assert totals["purchase_volume"]["orders"] == sum(b.get("orders", 0) for b in buckets.values())
    assert totals["active_users"] == hand["active"]


@pytest.fixture
def year(app):
    platform = app.extensions["platform"]
    load_year(platform.db.engine, SHAPE)
    return app


def _rollup_everything(app: Any) -> None:
    platform = app.extensions["platform"]
    assert recompute_analytics(platform, date(2024, 12, 30), date(2026, 1, 5)) == 371


@pytest.mark.parametrize("granularity", ["day", "week", "month"])
def test_every_endpoint_equals_hand_written_sql_over_the_ledger(year, client, granularity):
    admin = signed_in(year, client, "admin@example.org", roles=("platform_admin",))
    query = {**YEAR, "granularity": granularity}
    engine = year.extensions["platform"].db.engine
    with engine.connect() as conn:
        platform_sql, org_sql = (
            _hand_sql(conn, granularity, None),
            _hand_sql(conn, granularity, ORG),
        )
    for rolled in (False, True):  # straight from the raw rows, then from the rollups
        if rolled:
            _rollup_everything(year)
        body = admin.get("/api/v1/analytics/platform", query_string=query).get_json()
        _assert_equal(body, platform_sql, money=True)
        org = admin.get(f"/api/v1/analytics/organizations/{ORG}", query_string=query).get_json()
        _assert_equal(org, org_sql, money=True)
        public = client.get("/api/v1/public/stats", query_string=query).get_json()
        _assert_equal(public, platform_sql, money=False)


def test_each_rollup_day_equals_the_raw_rows_and_recomputing_changes_nothing(year):
    platform = year.extensions["platform"]
    _rollup_everything(year)
    with platform.reads() as side:
        reads = side.analytics
        first = {
            org: reads.rollup_figures(org, date(2025, 1, 1), date(2026, 1, 1))
            for org in (None, ORG, "og" + "0" * 29 + "1")
        }
        for org, rolled in first.items():
            by_day: dict[date, list[Any]] = defaultdict(list)
            for figure in rolled:
                by_day[figure.day].append(figure)
            day = date(2025, 1, 1)
            while day < date(2026, 1, 1):
                raw = reads.raw_figures(org, day, day + timedelta(days=1))
                assert sorted(by_day[day], key=repr) == sorted(raw, key=repr), (org, day)
                day += timedelta(days=1)
    recompute_analytics(platform, date(2025, 1, 1), date(2026, 1, 1))
    with platform.reads() as side:
        reads = side.analytics
        again = reads.rollup_figures(None, date(2025, 1, 1), date(2026, 1, 1))
    assert sorted(again, key=repr) == sorted(first[None], key=repr)


def test_a_refund_after_the_rollup_is_seen_once_the_day_is_recomputed(year, client):
    platform = year.extensions["platform"]
    _rollup_everything(year)
    admin = signed_in(year, client, "admin@example.org", roles=("platform_admin",))
    with platform.db.engine.begin() as conn:
        row = conn.execute(
            sa.text("SELECT id, paid_at, quantity_kg FROM market_orders WHERE status = 'paid'")
        ).first()
        conn.execute(
            sa.text("UPDATE market_orders SET status = 'refunded' WHERE id = :i"), {"i": row[0]}
        )
    paid = row[1]
    day = (
        paid.astimezone(UTC).date() if isinstance(paid, datetime) else date.fromisoformat(paid[:10])
    )
    query = {"from": day.isoformat(), "to": day.isoformat()}

    def purchased() -> int:
        body = admin.get("/api/v1/analytics/platform", query_string=query).get_json()
        return _kg(body["totals"]["purchase_volume"]["quantity"])

    before = purchased()  # the stale rollup
    recompute_analytics(platform, day, day + timedelta(days=1))
    assert purchased() == before - row[2]


def test_with_the_demo_data_and_orders_the_platform_equals_hand_written_sql(
    app, client, make_platform
):
    platform = app.extensions["platform"]
    # today's demo (accounts, projects, batches, listings), seeded by a platform of its own
    # as `flask seed` does: no worker of the app's runs jobs while it seeds
    list(run_seeders(make_platform()))
    load_year(platform.db.engine, SHAPE)
    _rollup_everything(app)  # 2025 from the rollups, today from the raw rows
    admin = signed_in(app, client, "admin@example.org", roles=("platform_admin",))
    today = platform.clock.now().astimezone(UTC).date()
    following = date(today.year + today.month // 12, today.month % 12 + 1, 1)
    query = {"from": "2025-01-01", "to": today.isoformat(), "granularity": "month"}
    body = admin.get("/api/v1/analytics/platform", query_string=query).get_json()
    with platform.db.engine.connect() as conn:
        hand = _hand_sql(conn, "month", None, until=following.isoformat())
    assert body["totals"]["projects"]["total"] > SHAPE.projects  # the demo's are counted
    _assert_equal(body, hand, money=True)
