"""Benchmark of project search: `GET /api/v1/projects?q=...&page_size=20` (anonymous)
against the same SQL run directly with psycopg 3, on a catalogue of `--rows` projects.

What it measures: for a common word (`q=forest`, ~10% of the rows), a rare word, two
words and a filter-only query (`type=cookstoves&country=KE`), plus the common word sorted
by date instead of relevance, the latency (p50, p99) of three sides:

- ours: the platform's endpoint served by gunicorn (production settings), over HTTP;
- raw: the statement the platform runs for that request (the page's rows, each with its
  vintages and the total; for text over a CTE of at most 2000 candidates by recency
  ranked with `ts_rank_cd`, for filters with the count capped at 10,000), executed by
  psycopg on one autocommit connection in this process, no HTTP, no framework, with
  psycopg's defaults (the platform turns preparing off): a statement run 5 times is
  prepared, and PostgreSQL may then switch it to a generic plan. The connection is kept
  across the queries, in the order above, as a pooled connection of the platform is: the
  text queries share their statements, so the plan chosen for the first one is the plan
  of the others;
- custom: the same statements never prepared, so every execution is planned with its
  values (what the SQL costs when the plan cache is out of the way).

The goals compare ours with the faster of raw and custom for each query and percentile
(p50 within 1.2x, p99 within 1.5x; ranked p99 within 2x of unranked): a prepared statement
stuck on a poor generic plan must not flatter ours. The SQL is obtained by running
the platform's own search code (`services.search_projects` with
`app.adapters.sql.project_search`, as the route calls it for an anonymous caller) with a
SQLAlchemy `before_cursor_execute` listener recording the exact statements and
parameters; the raw sides replay them (the vintages statement with the ids of their own
page). All sides must answer the same ids and total before anything is measured.

How: it creates a database `bench_search_<random>`, migrates it with `flask db upgrade`,
loads organizations, projects (PostgreSQL computes the generated, weighted `fts_vector`)
and vintages with binary COPY, keys and indexes dropped during the load and rebuilt from
their own definitions, then VACUUM ANALYZE. It starts the platform under gunicorn, then
per query: warm-up (`--warmup` requests to ours, enough for every worker's connection to
settle on its plans; 12 executions raw), then up to `--requests` sequential rounds of one
request per side, order rotating (concurrency 1), time-boxed by `--max-seconds`, then,
unless the query is too slow for it, `--concurrency` threads for throughput. It prints
Markdown tables and the goal check (`--explain`: every statement with EXPLAIN ANALYZE of
its custom and, when used, generic plan), stops gunicorn and drops the database, also on
error or Ctrl-C. The load generator shares the machine with the server and PostgreSQL.

`--keep-db NAME` keeps the loaded database: the first run creates and loads `NAME` and
does not drop it; later runs given the same name skip creation and loading (drop it with
`dropdb -h 127.0.0.1 -U postgres NAME` when done). Only a database this bench loaded
completely is reused.

Run from the repository root, PostgreSQL reachable (trust or password in the URL):

    .venv/bin/python bench/search.py --rows 100000
    .venv/bin/python bench/search.py --keep-db bench_search_1m      # 1M rows, kept
    .venv/bin/python bench/search.py --keep-db bench_search_1m --explain

Exit status: 0, or 1 when the server does not start, a request fails, or the sides
disagree; the goal check is printed, it does not change the status.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import platform
import re
import secrets
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import psycopg
from _harness import (
    DEFAULT_URL,
    BenchError,
    Call,
    CallOpener,
    LoadGenerator,
    Round,
    Server,
    app_env,
    core_count,
    create_database,
    drop_database,
    log,
    migrate,
    percentile_ms,
    print_server_logs,
    psycopg_url,
    run_bench,
    server_version,
    sqlalchemy_url,
    start_gunicorn,
    stop_gunicorn,
    wait_until_ready,
)
from _projects_data import LoadReport, load
from psycopg import sql

PATH = "/api/v1/projects"
PAGE_SIZE = 20
MARKER = "bench_search:"  # prefix of the comment on a database this bench loaded completely
START_TIMEOUT_S = 60.0
RAW_WARMUP = 12  # psycopg prepares at the 6th execution, PostgreSQL picks its plan after 5
HISTORY_WARMUP = 10  # executions after which a statement's plan choice is made
THROUGHPUT_MAX_P50_MS = 250.0  # slower queries get no throughput figure
GOAL_P50, GOAL_P99, GOAL_RANKED = 1.2, 1.5, 2.0
PUBLIC_STATUSES = ("registered", "active", "suspended", "closed")
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


@dataclass(frozen=True)
class Query:
    key: str
    params: dict[str, str]

    @property
    def label(self) -> str:
        return "&".join(f"{k}={v}" for k, v in self.params.items())


COMMON = Query("common word", {"q": "forest"})
COMMON_BY_DATE = Query("common word, by date", {"q": "forest", "sort": "-created"})
QUERIES = [
    COMMON,
    Query("rare word", {"q": "pangolin"}),
    Query("two words", {"q": "mangrove restoration"}),
    Query("filter only", {"type": "cookstoves", "country": "KE"}),
    COMMON_BY_DATE,
]


# --- arguments -----------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=DEFAULT_URL,
        help="SQLAlchemy URL of the PostgreSQL server; only its server is used",
    )
    parser.add_argument("--rows", type=int, default=1_000_000, help="projects to load")
    parser.add_argument("--seed", type=int, default=42, help="seed of the generated data")
    parser.add_argument(
        "--keep-db",
        metavar="NAME",
        help="load into NAME and keep it; reuse NAME as is if this bench loaded it before",
    )
    parser.add_argument("--requests", type=int, default=300, help="sequential requests per query")
    parser.add_argument(
        "--warmup",
        type=int,
        default=30,
        help="warm-up requests per query to our server (enough for each worker's connection "
        "to reach its steady plans)",
    )
    parser.add_argument(
        "--max-seconds",
        type=float,
        default=150.0,
        help="time box of the sequential rounds of one query (throughput: half, per side)",
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--concurrency", type=int, default=8, help="threads for throughput")
    parser.add_argument(
        "--throughput-requests",
        type=int,
        default=200,
        help="requests per query and side at --concurrency (0: no throughput figures)",
    )
    parser.add_argument(
        "--explain",
        action="store_true",
        help="print every statement with EXPLAIN (ANALYZE, BUFFERS) of its custom plan and, "
        "when the raw side used one, its generic plan",
    )
    args = parser.parse_args(argv)
    for name in ("rows", "requests", "workers", "concurrency", "max_seconds"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    for name in ("warmup", "throughput_requests"):
        if getattr(args, name) < 0:
            parser.error(f"--{name.replace('_', '-')} must not be negative")
    return args


# --- the database --------------------------------------------------------------------------


@dataclass
class Catalogue:
    name: str
    load: LoadReport | None  # None when an existing database was reused
    comment: str = ""


def database_comment(server_url: str, name: str) -> str | None:
    """The comment on database `name` ("" without one), or None when it does not exist."""
    with psycopg.connect(psycopg_url(server_url, "postgres"), autocommit=True) as conn:
        row = conn.execute(
            "SELECT coalesce(shobj_description(oid, 'pg_database'), '') FROM pg_database "
            "WHERE datname = %s",
            (name,),
        ).fetchone()
    return None if row is None else str(row[0])


@contextlib.contextmanager
def catalogue(args: argparse.Namespace, env_for: Any) -> Iterator[Catalogue]:
    """The loaded database: new and dropped at the end, or `--keep-db` (created and loaded
    when missing, dropped only if that load did not finish)."""
    server = args.database_url
    if args.keep_db:
        comment = database_comment(server, args.keep_db)
        if comment is not None:
            if not comment.startswith(MARKER):
                raise BenchError(
                    f"database {args.keep_db} exists but was not loaded completely by this "
                    f"bench (comment {comment!r}); drop it or choose another name"
                )
            log(f"reusing database {args.keep_db} ({comment}); --rows and --seed ignored")
            log("migrating if needed")
            migrate(env_for(args.keep_db))
            yield Catalogue(args.keep_db, None, comment)
            return
        name = args.keep_db
    else:
        name = f"bench_search_{secrets.token_hex(4)}"
    create_database(server, name)
    keep = False
    try:
        report = populate(args, name, env_for(name))
        comment = (
            f"{MARKER} projects={args.rows} seed={args.seed} "
            f"loaded={datetime.now(UTC):%Y-%m-%dT%H:%M}Z"
        )
        if args.keep_db:
            with psycopg.connect(psycopg_url(server, "postgres"), autocommit=True) as conn:
                conn.execute(
                    sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                        sql.Identifier(name), sql.Literal(comment)
                    )
                )
            keep = True
        yield Catalogue(name, report, comment)
    finally:
        if not keep:
            drop_database(server, name)


def populate(args: argparse.Namespace, name: str, env: dict[str, str]) -> LoadReport:
    log(f"database {name}: migrating")
    migrate(env)
    log(f"loading {args.rows:,} projects (seed {args.seed})")
    report = load(psycopg_url(args.database_url, name), args.rows, args.seed, log)
    log(
        f"loaded in {report.total_s:.0f} s: COPY {report.copy_s:.0f} s, keys and indexes "
        f"{report.index_s:.0f} s, VACUUM ANALYZE {report.vacuum_s:.0f} s"
    )
    return report


def table_counts(conninfo: str) -> tuple[int, int]:
    with psycopg.connect(conninfo, autocommit=True) as conn:
        row = conn.execute(
            "SELECT (SELECT count(*) FROM projects), (SELECT count(*) FROM project_vintages)"
        ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


# --- the platform's SQL --------------------------------------------------------------------


@dataclass
class Statement:
    sql: str
    params: dict[str, Any]


@dataclass
class Plan:
    """What the platform's code sends to PostgreSQL for one request, and what it found."""

    query: Query
    statements: list[Statement]  # the page first (its rows carry a `total` column)
    ids: list[str]
    total: int
    matches: int = 0  # public rows matching, uncapped (for the report)

    def execute(self, conn: psycopg.Connection[Any]) -> tuple[list[str], int]:
        """The statements, fetched completely, as the platform runs them."""
        first, *rest = self.statements
        cursor = conn.execute(first.sql, first.params)
        rows = cursor.fetchall()
        names = [column.name for column in cursor.description or ()]
        total = rows[0][names.index("total")] if rows and "total" in names else -1
        for statement in rest:  # only when the page is empty: the total alone
            found = conn.execute(statement.sql, statement.params).fetchall()
            total = found[0][0] if found else total
        return [row[0] for row in rows], int(total)


def project_query(params: dict[str, str]) -> Any:
    """The `ProjectQuery` the route builds from these query parameters."""
    from app.ports.repositories.projects import ProjectQuery

    vintage = params.get("vintage")
    return ProjectQuery(
        text=params.get("q"),
        type=params.get("type"),
        country=(params.get("country") or "").upper() or None,
        vintage=int(vintage) if vintage else None,
        status=params.get("status"),
        standard=params.get("standard"),
        organization_id=params.get("organization_id"),
        sort=params.get("sort", "relevance"),
    )


def record_plans(db_url: str, queries: Sequence[Query]) -> list[Plan]:
    """Run the platform's search code for each query and record its statements."""
    import sqlalchemy as sa

    from app.adapters.sql.database import Database
    from app.adapters.sql.reads import sql_reads
    from app.domain.projects import services

    db = Database(db_url, pool_size=1)
    seen: list[Statement] = []

    def listener(*args: Any) -> None:  # conn, cursor, statement, parameters, context, many
        seen.append(Statement(args[2], dict(args[3] or {})))

    try:
        db.ping()  # connect (and let the dialect initialise) before listening
        sa.event.listen(db.read_engine, "before_cursor_execute", listener)
        plans = []
        for query in queries:
            seen.clear()
            with sql_reads(db) as reads:
                found, total = services.search_projects(
                    None,
                    project_query(query.params),
                    offset=0,
                    limit=PAGE_SIZE,
                    search=reads.project_search,
                )
            ids = [p.id for p in found]
            expected = 1 if ids else 2
            if len(seen) != expected or "FROM projects" not in seen[0].sql:
                raise BenchError(
                    f"{query.key}: expected the page statement (and the total when the page "
                    "is empty), recorded " + "; ".join(s.sql[:80] for s in seen)
                )
            plans.append(Plan(query, list(seen), ids, int(total)))
        return plans
    finally:
        db.dispose()


def count_matches(conninfo: str, plans: Sequence[Plan]) -> None:
    """Public rows each query matches, without the 2000-candidate cap (for the report)."""
    with psycopg.connect(conninfo, autocommit=True) as conn:
        for plan in plans:
            params = plan.query.params
            if "q" in params:
                row = conn.execute(
                    "SELECT count(*) FROM projects WHERE status = ANY(%s) "
                    "AND fts_vector @@ plainto_tsquery('english', %s)",
                    (list(PUBLIC_STATUSES), params["q"]),
                ).fetchone()
                plan.matches = int(row[0]) if row else -1
            else:
                plan.matches = plan.total


def connect(conninfo: str, *, custom_plans: bool = False) -> psycopg.Connection[Any]:
    """An autocommit connection; psycopg's defaults (statements prepared after 5
    executions, as the platform's) or, with `custom_plans`, never prepared, so PostgreSQL
    plans each execution with its parameters' values."""
    conn = psycopg.connect(conninfo, autocommit=True)
    if custom_plans:
        conn.prepare_threshold = None
    return conn


def raw_opener(conninfo: str, history: Sequence[Plan], plan: Plan) -> CallOpener:
    """One connection per thread, warmed up (not timed) like the platform's pooled
    connections: the queries measured before this one (each statement's plan is chosen
    by its first executions, whatever the search terms), then this one."""

    @contextlib.contextmanager
    def opener() -> Iterator[Call]:
        with connect(conninfo) as conn:
            for earlier in history:
                for _ in range(HISTORY_WARMUP):
                    earlier.execute(conn)
            for _ in range(RAW_WARMUP):
                plan.execute(conn)

            def call() -> str | None:
                try:
                    plan.execute(conn)
                except psycopg.Error as exc:
                    return type(exc).__name__
                return None

            yield call

    return opener


# --- the measurement -----------------------------------------------------------------------

SIDES = ("ours", "raw", "custom")


@dataclass
class Result:
    plan: Plan
    latencies: dict[str, list[float]] = field(default_factory=lambda: {s: [] for s in SIDES})
    failures: dict[str, int] = field(default_factory=dict)
    time_boxed: bool = False
    ours_rps: float = 0.0
    raw_rps: float = 0.0
    throughput_note: str = ""
    # (generic, custom) plans of the raw side's prepared statements
    prepared: list[tuple[int, int]] = field(default_factory=list)

    @property
    def n(self) -> int:
        return min(len(v) for v in self.latencies.values())

    def p(self, side: str, pct: float) -> float:
        return percentile_ms(self.latencies[side], pct)

    def ratio(self, pct: float, base: str = "raw") -> float:
        return self.p("ours", pct) / self.p(base, pct)

    def direct(self, pct: float) -> tuple[str, float]:
        """The faster way to run the same SQL directly at this percentile: prepared (raw)
        or planned with its values (custom)."""
        return min((("raw", self.p("raw", pct)), ("custom", self.p("custom", pct))), key=_ms)

    def goal_ratio(self, pct: float) -> float:
        return self.p("ours", pct) / self.direct(pct)[1]


def _ms(side: tuple[str, float]) -> float:
    return side[1]


def endpoint(server: Server, query: Query) -> str:
    return f"{server.base_url}{PATH}?{urlencode({**query.params, 'page_size': PAGE_SIZE})}"


def check_same(plan: Plan, response: httpx.Response, raw: tuple[list[str], int]) -> None:
    """Ours and raw answer the same page and total as the recorded run."""
    if response.status_code != 200:
        raise BenchError(f"{plan.query.key}: HTTP {response.status_code}: {response.text[:300]}")
    ours_ids = [p["id"] for p in response.json()]
    ours_total = json.loads(response.headers.get("X-Pagination", "{}")).get("total")
    expected = (plan.ids, plan.total)
    if (ours_ids, ours_total) != expected or raw != expected:
        raise BenchError(
            f"{plan.query.key}: answers differ: recorded {len(plan.ids)} ids/total "
            f"{plan.total}, ours {len(ours_ids)}/{ours_total}, raw {len(raw[0])}/{raw[1]} "
            f"(same ids: ours {ours_ids == plan.ids}, raw {raw[0] == plan.ids})"
        )


def measure_latency(
    args: argparse.Namespace,
    server: Server,
    plan: Plan,
    stop: threading.Event,
    *,
    raw_conn: psycopg.Connection[Any],
    custom_conn: psycopg.Connection[Any],
) -> Result:
    """Sequential requests, one per side in turn (the order rotating), until `--requests`
    rounds or `--max-seconds`. The raw connection lives across all queries, as a pooled
    connection of the platform does, so its prepared statements have the same history."""
    result = Result(plan)
    url = endpoint(server, plan.query)
    with httpx.Client(timeout=120.0) as client:
        check_same(plan, client.get(url), plan.execute(raw_conn))
        for _ in range(args.warmup):
            client.get(url)
        for _ in range(RAW_WARMUP):
            plan.execute(raw_conn)
        for _ in range(3):
            plan.execute(custom_conn)

        def ours() -> None:
            began = time.perf_counter()
            try:
                status = client.get(url).status_code
            except httpx.HTTPError as exc:
                key = type(exc).__name__
            else:
                if status == 200:
                    result.latencies["ours"].append(time.perf_counter() - began)
                    return
                key = f"HTTP {status}"
            result.failures[key] = result.failures.get(key, 0) + 1

        def direct(side: str, conn: psycopg.Connection[Any]) -> None:
            began = time.perf_counter()
            plan.execute(conn)
            result.latencies[side].append(time.perf_counter() - began)

        sides = [ours, lambda: direct("raw", raw_conn), lambda: direct("custom", custom_conn)]
        deadline = time.perf_counter() + args.max_seconds
        for n in range(args.requests):
            if stop.is_set():
                break
            if time.perf_counter() > deadline:
                result.time_boxed = True
                break
            for side in sides[n % 3 :] + sides[: n % 3]:
                side()
    result.prepared = prepared_plans(raw_conn, plan)
    return result


def numbered(text: str) -> tuple[str, list[str]]:
    """`text` with psycopg's `%(name)s` placeholders as PostgreSQL's `$n` (a name keeps its
    number), as psycopg sends it; and the names in number order."""
    numbers: dict[str, int] = {}

    def number(match: re.Match[str]) -> str:
        return f"${numbers.setdefault(match.group(1), len(numbers) + 1)}"

    return PLACEHOLDER.sub(number, text), list(numbers)


def prepared_plans(conn: psycopg.Connection[Any], plan: Plan) -> list[tuple[int, int]]:
    """(generic, custom) executions so far of the plan's statements prepared on `conn`."""
    counts = []
    for statement in plan.statements:
        row = conn.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement = %s",
            (numbered(statement.sql)[0],),
        ).fetchone()
        counts.append((int(row[0]), int(row[1])) if row else (0, 0))
    return counts


def measure_throughput(
    args: argparse.Namespace,
    server: Server,
    conninfo: str,
    results: Sequence[Result],
    stop: threading.Event,
) -> None:
    """Throughput of the last query of `results`, the earlier ones being the history."""
    result = results[-1]
    if result.p("raw", 50) > THROUGHPUT_MAX_P50_MS:
        result.throughput_note = f"skipped: raw p50 over {THROUGHPUT_MAX_P50_MS:.0f} ms"
        return
    load = LoadGenerator(args.concurrency, stop)
    n, limit = args.throughput_requests, args.max_seconds / 2
    ours = load.run(endpoint(server, result.plan.query), Round("ours", 1), n, limit)
    opener = raw_opener(conninfo, [r.plan for r in results[:-1]], result.plan)
    raw = load.run_calls(opener, Round("raw", 1), n, limit)
    for r in (ours, raw):
        for key, count in r.failures.items():
            result.failures[f"{r.server} c{args.concurrency}: {key}"] = count
    if ours.aborted or raw.aborted:
        result.throughput_note = f"time-boxed: {ours.ok} ours, {raw.ok} raw requests"
    result.ours_rps, result.raw_rps = ours.throughput, raw.throughput


# --- the report ----------------------------------------------------------------------------


def fmt_ratio(value: float, goal: float | None = None) -> str:
    return f"{value:.2f}" + (" !" if goal is not None and value > goal else "")


def print_header(
    args: argparse.Namespace, cat: Catalogue, counts: tuple[int, int], pg_version: str
) -> None:
    print(f"## GET {PATH}?q=... (anonymous, page_size={PAGE_SIZE}) vs the same SQL over psycopg")
    print()
    print(
        f"- machine: {core_count()} cores, {platform.machine()}, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}"
    )
    print(f"- PostgreSQL {pg_version}; projects: {counts[0]:,}, project_vintages: {counts[1]:,}")
    if cat.load is not None:
        r = cat.load
        print(
            f"- load: {r.total_s:.0f} s for {r.projects:,} projects + {r.vintages:,} vintages "
            f"= {r.projects / r.total_s:,.0f} projects/s overall (binary COPY "
            f"{r.copy_s:.0f} s = {r.projects / r.copy_s:,.0f} projects/s with the generated "
            f"tsvector, keys and indexes rebuilt in {r.index_s:.0f} s, VACUUM ANALYZE "
            f"{r.vacuum_s:.0f} s)"
        )
    else:
        print(f"- load: reused database `{cat.name}` ({cat.comment})")
    print(
        f"- ours: gunicorn {args.workers} sync workers x 1 thread, production settings, "
        "HTTP from this process; raw: the platform's recorded statement (page rows with "
        "their vintages and the total) on one psycopg autocommit connection in this "
        "process, kept across the "
        "queries like a pooled connection, psycopg's defaults (prepared "
        "after 5 executions); custom: the same, never prepared (PostgreSQL plans every "
        "execution with the values)"
    )
    print(
        f"- latency: up to {args.requests} sequential rounds per query (one request per side, "
        f"order rotating) or {args.max_seconds:.0f} s, after {args.warmup} warm-up requests "
        f"(raw: {RAW_WARMUP}); throughput: {args.concurrency} threads, up to "
        f"{args.throughput_requests} requests per side or {args.max_seconds / 2:.0f} s"
    )
    print()


def print_latency(results: Sequence[Result]) -> None:
    print(
        "| query | parameters | public matches | total | n | ours p50 | raw p50 | p50 x "
        "| ours p99 | raw p99 | p99 x | custom p50 | custom p99 |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r.plan.query.key} | `{r.plan.query.label}` | {r.plan.matches:,} | "
            f"{r.plan.total:,} | {r.n}{'*' if r.time_boxed else ''} | "
            f"{r.p('ours', 50):.2f} | {r.p('raw', 50):.2f} | "
            f"{fmt_ratio(r.ratio(50), GOAL_P50)} | {r.p('ours', 99):.2f} | "
            f"{r.p('raw', 99):.2f} | {fmt_ratio(r.ratio(99), GOAL_P99)} | "
            f"{r.p('custom', 50):.2f} | {r.p('custom', 99):.2f} |"
        )
    print()
    print(
        "Milliseconds; `x` is ours / raw, `!` marks a ratio over its goal; `n` rounds measured "
        "(`*`: stopped by --max-seconds); `matches`: public rows matching, `total`: what the "
        "API reports (capped at 2000 candidates for text)."
    )
    print()


def print_ranking(ranked: Result, by_date: Result) -> None:
    print(f"Ranked (`sort=relevance`) vs unranked (`sort=-created`), `{COMMON.label}`:")
    print()
    print("| side | relevance p50 | -created p50 | relevance p99 | -created p99 | p99 x |")
    print("|---|---:|---:|---:|---:|---:|")
    for side in SIDES:
        ratio = ranked.p(side, 99) / by_date.p(side, 99)
        print(
            f"| {side} | {ranked.p(side, 50):.2f} | {by_date.p(side, 50):.2f} | "
            f"{ranked.p(side, 99):.2f} | {by_date.p(side, 99):.2f} | "
            f"{fmt_ratio(ratio, GOAL_RANKED)} |"
        )
    print()


def print_throughput(args: argparse.Namespace, results: Sequence[Result]) -> None:
    print(f"Throughput at concurrency {args.concurrency} (requests/s):")
    print()
    print("| query | ours | raw | raw / ours | note |")
    print("|---|---:|---:|---:|---|")
    for r in results:
        if not r.ours_rps:
            print(f"| {r.plan.query.key} | - | - | - | {r.throughput_note} |")
            continue
        print(
            f"| {r.plan.query.key} | {r.ours_rps:.1f} | {r.raw_rps:.1f} | "
            f"{r.raw_rps / r.ours_rps:.2f} | {r.throughput_note} |"
        )
    print()


def print_goals(results: Sequence[Result], ranked: Result, by_date: Result) -> bool:
    print("## Goal check")
    print()
    print("| goal | query | value | result |")
    print("|---|---|---:|---|")
    met = True

    def line(goal: str, key: str, value: float, limit: float) -> None:
        nonlocal met
        ok = value <= limit
        met = met and ok
        print(f"| {goal} | {key} | {value:.2f} | {'met' if ok else 'MISSED'} |")

    # The baseline is the faster direct side for each query and percentile: a prepared
    # statement stuck on a poor generic plan must not flatter ours.
    for pct, goal in ((50, GOAL_P50), (99, GOAL_P99)):
        for r in results:
            side = r.direct(pct)[0]
            line(
                f"p{pct} ours/direct <= {goal} (vs {side})",
                r.plan.query.key,
                r.goal_ratio(pct),
                goal,
            )
    line(
        f"ranked p99 / unranked p99 <= {GOAL_RANKED} (ours)",
        COMMON.key,
        ranked.p("ours", 99) / by_date.p("ours", 99),
        GOAL_RANKED,
    )
    print()
    print("All goals met." if met else "Some goals missed (see the rows marked MISSED).")
    print()
    print(
        "For reference, ours / custom (the same SQL planned with its values each time): "
        + ", ".join(
            f"{r.plan.query.key} p50 {r.ratio(50, 'custom'):.2f} p99 {r.ratio(99, 'custom'):.2f}"
            for r in results
        )
    )
    return met


def print_prepared(results: Sequence[Result]) -> None:
    print()
    print(
        "Plans PostgreSQL used for the raw connection's prepared statements, counted since "
        "the connection opened (generic/custom; text queries share the statement): "
        + "; ".join(
            f"{r.plan.query.key}: " + ", ".join(f"{g}g/{c}c" for g, c in r.prepared)
            for r in results
        )
    )


def print_explain(conninfo: str, results: Sequence[Result]) -> None:
    """The SQL of each statement with EXPLAIN (ANALYZE, BUFFERS): its custom plan (the
    parameters' values known to the planner) and, when the raw side ran it with a generic
    plan, that one too (PREPARE, `plan_cache_mode = force_generic_plan`, EXECUTE)."""
    print("\n## Statements and plans\n")
    with connect(conninfo, custom_plans=True) as conn:
        for result in results:
            plan = result.plan
            plan.execute(conn)
            print(f"### {plan.query.key}: `{plan.query.label}`\n")
            for i, statement in enumerate(plan.statements):
                params = statement.params
                print(f"statement {i + 1}: parameters {params}\n")
                print(f"```sql\n{statement.sql}\n```\n")
                print("custom plan:\n\n```")
                explain = "EXPLAIN (ANALYZE, BUFFERS) " + statement.sql
                for (line,) in conn.execute(explain, params).fetchall():
                    print(line)
                print("```\n")
                generic = i < len(result.prepared) and result.prepared[i][0] > 0
                if generic:
                    print("generic plan (what the prepared statement ran after warm-up):\n\n```")
                    for line in generic_plan(conn, statement.sql, params):
                        print(line)
                    print("```\n")


def generic_plan(conn: psycopg.Connection[Any], text: str, params: dict[str, Any]) -> list[str]:
    prepared, names = numbered(text)
    values = sql.SQL(", ").join(sql.Literal(params[name]) for name in names)
    conn.execute("SET plan_cache_mode = force_generic_plan")
    try:
        conn.execute(sql.SQL("PREPARE bench_generic AS {}").format(sql.SQL(prepared)))
        rows = conn.execute(
            sql.SQL("EXPLAIN (ANALYZE, BUFFERS) EXECUTE bench_generic ({})").format(values)
        ).fetchall()
    finally:
        conn.execute("DEALLOCATE bench_generic")
        conn.execute("RESET plan_cache_mode")
    return [str(row[0]) for row in rows]


# --- orchestration -------------------------------------------------------------------------


def measure(args: argparse.Namespace, cat: Catalogue, server: Server, stop: threading.Event) -> int:
    conninfo = psycopg_url(args.database_url, cat.name)
    plans = record_plans(sqlalchemy_url(args.database_url, cat.name), QUERIES)
    count_matches(conninfo, plans)
    wait_until_ready(server, START_TIMEOUT_S, url=endpoint(server, QUERIES[0]), request_timeout=60)
    results: list[Result] = []
    with connect(conninfo) as raw, connect(conninfo, custom_plans=True) as custom:
        for plan in plans:
            log(f"measuring {plan.query.key} ({plan.query.label})")
            results.append(
                measure_latency(args, server, plan, stop, raw_conn=raw, custom_conn=custom)
            )
            if args.throughput_requests and not stop.is_set():
                measure_throughput(args, server, conninfo, results, stop)
    by_key = {r.plan.query.key: r for r in results}
    ranked, by_date = by_key[COMMON.key], by_key[COMMON_BY_DATE.key]
    print_header(args, cat, table_counts(conninfo), server_version(conninfo))
    print_latency(results)
    print_ranking(ranked, by_date)
    if args.throughput_requests:
        print_throughput(args, results)
    print_goals(results, ranked, by_date)
    print_prepared(results)
    failures = {f"{r.plan.query.key}: {k}": v for r in results for k, v in r.failures.items()}
    if failures:
        print(f"\nFailures: {failures}")
    if args.explain:
        log("EXPLAIN ANALYZE of every statement")
        print_explain(conninfo, results)
    print_server_logs([server])
    return 1 if failures else 0


def run(args: argparse.Namespace, stop: threading.Event) -> int:
    def env_for(dbname: str) -> dict[str, str]:
        return app_env(sqlalchemy_url(args.database_url, dbname))

    with catalogue(args, env_for) as cat, tempfile.TemporaryDirectory() as logs:
        server = start_gunicorn(
            "ours", "wsgi:app", env_for(cat.name), args.workers, Path(logs), path=PATH
        )
        try:
            log("server starting; recording the platform's statements")
            return measure(args, cat, server, stop)
        finally:
            stop.set()
            stop_gunicorn(server)


def main(argv: Sequence[str] | None = None) -> int:
    interrupted = "interrupted; server stopped, database dropped (unless kept with --keep-db)"
    return run_bench(run, parse_args(argv), interrupted)


if __name__ == "__main__":
    sys.exit(main())
