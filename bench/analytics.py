"""Benchmark of `GET /api/v1/analytics/platform` for a year by day over `--rows` ledger
rows (retirements and orders, 70/30) on PostgreSQL, next to two baselines measured in
the same run:

- sql: the endpoint's own SQL (every statement one request sends, recorded from the
  platform's engines, its parameters included: the session check, the rollup reads, the
  active users, the project counts, the health counts) replayed directly on one psycopg
  connection, each result fetched whole. The ratio ours/sql is the price of the platform's
  layers (flask-smorest, marshmallow, SQLAlchemy, the bucketing in Python). Goal: p50 at
  most 1.5x.
- raw: the same endpoint with no day summed (the `analytics_days` marks removed), so the
  same figures are computed from the raw ledger, order and session rows. Goal: ours at
  least 10x faster. Both answers are checked equal first.

How: a throwaway database `bench_analytics_<random>` migrated with `flask db upgrade`,
filled with a generated year (`tests/integration/analytics_support.py`), ANALYZEd; the
rollups of the year are recomputed (timed); requests go through the WSGI app in process
(Flask's test client, no HTTP server: the same for ours and raw, and absent from sql),
one after another. Prints a Markdown table; the database is dropped, also on error.

Run from the repository root, PostgreSQL reachable:

    .venv/bin/python bench/analytics.py --rows 200000
    .venv/bin/python bench/analytics.py                      # 1,000,000 rows
"""

from __future__ import annotations

import argparse
import os
import platform as platform_info
import sys
import threading
import time
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
import sqlalchemy as sa
from _harness import (
    DEFAULT_URL,
    BenchError,
    app_env,
    core_count,
    log,
    migrate,
    percentile_ms,
    psycopg_url,
    run_bench,
    server_version,
    sqlalchemy_url,
    throwaway_database,
)

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
QUERY = {"from": "2025-01-01", "to": "2025-12-31", "granularity": "day"}
CHUNK = 20_000


def _load(engine: sa.Engine, rows: int) -> Any:
    from app.adapters.sql.tables import outbox
    from app.adapters.sql.tables_auth import sessions
    from app.adapters.sql.tables_chain import retirements
    from app.adapters.sql.tables_marketplace import market_orders, market_quotes
    from tests.integration import analytics_support as data

    shape = data.Shape(
        organizations=50, users=5000, projects=200,
        retirements=rows * 7 // 10, orders=rows - rows * 7 // 10, sign_ins=max(rows // 20, 100),
    )  # fmt: skip
    with engine.begin() as conn:
        for table, made in data.base_rows(shape).items():
            conn.execute(sa.insert(table), made)
        conn.execute(sa.insert(sessions), list(data.sign_in_rows(shape)))
        conn.execute(sa.insert(outbox), list(data.job_rows(shape)))
    for start in range(0, shape.retirements, CHUNK):
        count = min(CHUNK, shape.retirements - start)
        with engine.begin() as conn:
            conn.execute(sa.insert(retirements), list(data.retirement_rows(shape, start, count)))
    for start in range(0, shape.orders, CHUNK):
        pairs = list(data.order_rows(shape, start, min(CHUNK, shape.orders - start)))
        with engine.begin() as conn:
            conn.execute(sa.insert(market_quotes), [q for q, _ in pairs])
            conn.execute(sa.insert(market_orders), [o for _, o in pairs])
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("ANALYZE"))
    return shape


def _timed(call: Any, count: int) -> list[float]:
    latencies = []
    for _ in range(count):
        started = time.perf_counter()
        call()
        latencies.append(time.perf_counter() - started)
    return latencies


def _recorded(platform: Any, call: Any) -> list[tuple[str, Any]]:
    """Every statement (with its parameters) that `call` sends through the platform."""
    seen: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        seen.append((statement, params))

    engines = (platform.db.engine, platform.db.read_engine)
    for engine in engines:
        sa.event.listen(engine, "before_cursor_execute", record)
    try:
        call()
    finally:
        for engine in engines:
            sa.event.remove(engine, "before_cursor_execute", record)
    return [(s, p) for s, p in seen if s.strip().upper() not in {"BEGIN", "COMMIT", "ROLLBACK"}]


def _parts(platform: Any, ours: Any, client: Any, headers: Any) -> None:
    """Each step of one request timed alone, in milliseconds (median of 20)."""
    from app.domain.analytics import services
    from app.domain.analytics.model import Granularity, Range
    from app.domain.auth.permissions import Role
    from app.domain.auth.principal import Principal
    from app.http.analytics.views import dashboard_view

    range_ = Range.of(date(2025, 1, 1), date(2025, 12, 31), Granularity.DAY, today=date.today())
    since, until = services.midnight(range_.first), services.midnight(range_.until)
    admin = Principal("a", "user", roles=frozenset({Role.PLATFORM_ADMIN}))
    with platform.reads() as side:
        reads = side.analytics
        board = services.platform_dashboard(admin, range_, reads=reads)
        steps = {
            "summed_days": lambda: reads.summed_days(range_.first, range_.until),
            "rollup_figures": lambda: reads.rollup_figures(None, range_.first, range_.until),
            "active_users": lambda: reads.active_users(None, range_, range_.until),
            "project_counts": lambda: reads.project_counts(None, None),
            "health": lambda: reads.health(since, until),
            "the service": lambda: services.platform_dashboard(admin, range_, reads=reads),
            "the JSON view": lambda: dashboard_view(board, "platform"),
            "GET /me (a signed-in request's fixed price)": lambda: client.get(
                "/api/v1/me", headers=headers
            ),
            "the whole request": ours,
        }
        for name, step in steps.items():
            print(f"{name}: {percentile_ms(_timed(step, 20), 50):.2f} ms")
        if os.environ.get("BENCH_PROFILE_SERVICE"):
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.runcall(_timed, steps["the service"], 20)
            pstats.Stats(profiler).sort_stats("tottime").print_stats(15)


def _row(name: str, lat: list[float], ours: list[float] | None = None) -> str:
    p50, p99 = percentile_ms(lat, 50), percentile_ms(lat, 99)
    ratio = ""
    if ours is not None:
        ratio = f"{percentile_ms(ours, 50) / p50:.2f}x, {percentile_ms(ours, 99) / p99:.2f}x"
    return f"| {name} | {len(lat)} | {p50:.1f} | {p99:.1f} | {ratio} |"


def run(args: argparse.Namespace, stop: threading.Event) -> int:
    with throwaway_database(args.database_url, "bench_analytics") as name:
        url = sqlalchemy_url(args.database_url, name)
        env = app_env(url)
        migrate(env)
        from app.main.app_factory import create_app
        from app.main.bootstrap import bootstrap
        from app.main.config import Settings
        from tests.integration.identity import PASSWORD

        platform = bootstrap(Settings.from_env(env))
        try:
            return _measure(args, platform, create_app(platform=platform), name, PASSWORD)
        finally:
            platform.close()


def _measure(args: Any, platform: Any, app: Any, name: str, password: str) -> int:
    from app.domain.auth.admin import ensure_user
    from app.domain.auth.permissions import Role
    from app.main.wiring_analytics import recompute_analytics

    log(f"loading {args.rows:,} ledger rows")
    started = time.perf_counter()
    _load(platform.db.engine, args.rows)
    log(f"loaded in {time.perf_counter() - started:.0f} s; recomputing the year's rollups")
    started = time.perf_counter()
    days = recompute_analytics(platform, date(2025, 1, 1), date(2026, 1, 1))
    rollup_s = time.perf_counter() - started
    ensure_user("admin@bench.example", password, roles={Role.PLATFORM_ADMIN},
                display_name="admin", uow=platform.uow(), hasher=platform.hasher,
                clock=platform.clock)  # fmt: skip
    client = app.test_client()
    token = client.post(
        "/api/v1/auth/login", json={"email": "admin@bench.example", "password": password}
    ).get_json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}

    def ours() -> Any:
        got = client.get("/api/v1/analytics/platform", query_string=QUERY, headers=headers)
        if got.status_code != 200:
            raise BenchError(f"GET answered {got.status_code}: {got.get_data(as_text=True)}")
        return got.get_json()

    rolled = ours()
    if args.profile:
        _parts(platform, ours, client, headers)
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.runcall(_timed, ours, 20)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
        return 0
    statements = _recorded(platform, ours)
    with psycopg.connect(psycopg_url(args.database_url, name), autocommit=True) as conn:

        def direct() -> None:
            for statement, params in statements:
                cursor = conn.execute(statement, params)
                if cursor.description is not None:
                    cursor.fetchall()

        for _ in range(args.warmup):
            ours()
            direct()
        log(f"measuring {args.requests} requests of ours and of its {len(statements)} statements")
        ours_lat, sql_lat = [], []
        for _ in range(2):  # two rounds, alternating
            ours_lat += _timed(ours, args.requests // 2)
            sql_lat += _timed(direct, args.requests // 2)
    with platform.db.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM analytics_days"))
    raw = ours()
    if raw != rolled:
        raise BenchError("the rollups and the raw rows answer differently")
    log(f"measuring {args.raw_requests} requests computed from the raw rows")
    raw_lat = _timed(ours, args.raw_requests)
    ratio = percentile_ms(raw_lat, 50) / percentile_ms(ours_lat, 50)
    print(f"\n## GET /analytics/platform, a year by day, {args.rows:,} ledger rows\n")
    print(f"PostgreSQL {server_version(psycopg_url(args.database_url, name))}, "
          f"Python {platform_info.python_version()}, {core_count()}; {days} rollup days "
          f"recomputed in {rollup_s:.1f} s ({rollup_s / days * 1000:.0f} ms a day)\n")  # fmt: skip
    print("| side | requests | p50 ms | p99 ms | ours / side (p50, p99) |")
    print("|---|---|---|---|---|")
    print(_row("ours (rollups)", ours_lat))
    print(_row("sql: its statements on psycopg", sql_lat, ours_lat))
    print(_row("raw: no rollups", raw_lat, ours_lat))
    sql_ratio = percentile_ms(ours_lat, 50) / percentile_ms(sql_lat, 50)
    sql_p99 = percentile_ms(ours_lat, 99) / percentile_ms(sql_lat, 99)
    print(f"\nours / sql: p50 {sql_ratio:.2f}x, p99 {sql_p99:.2f}x (goal p50 <= 1.5x)")
    print(f"raw / ours: p50 {ratio:.1f}x (goal >= 10x)")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--raw-requests", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--profile", action="store_true", help="profile 20 requests of ours")
    return run_bench(run, parser.parse_args())


if __name__ == "__main__":
    sys.exit(main())
