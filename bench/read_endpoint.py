"""Benchmark of the cheapest public read: `GET /api/v1/public/audit-logs/head`.

What it measures: latency (p50, p99) and throughput of the platform's endpoint, served by
gunicorn, against a baseline doing the same work with nothing around it: a bare Flask app
(`bench/baseline_app.py`) running the same SQL (`SELECT length, hash FROM audit_chain_head
WHERE id = 1`) with psycopg 3 and returning the same JSON. The ratio ours/baseline is the
price of the platform's layers on a read path (flask-smorest, request ids, logging,
SQLAlchemy pool and Core, the limiter's hooks...), not of PostgreSQL.

How: it creates a throwaway database `bench_read_<random>` on the given server, migrates it
with `flask db upgrade`, fills `audit_logs` with `--rows` rows (COPY) and sets the chain
head, starts both apps under gunicorn (sync workers, same count, loopback ports), checks
they answer the same JSON, warms them up, then sends `--requests` requests to each from
`--concurrency` threads (one keep-alive `httpx.Client` each), two rounds alternating
baseline/ours. It prints a Markdown table, stops the servers and drops the database, also on
error or Ctrl-C. The load generator shares the machine with the servers: on few cores the
absolute numbers are pessimistic for both, the ratios are what to look at.

Run from the repository root, PostgreSQL reachable (trust or password in the URL):

    .venv/bin/python bench/read_endpoint.py
    .venv/bin/python bench/read_endpoint.py --requests 2000 --rows 20000 --concurrency 4

The URL is SQLAlchemy's (`postgresql+psycopg://user@host:port/db`; default from
`BENCH_DATABASE_URL`); only its server is used. Exit status: 0, or 1 when a server does not
start, answers something other than 200, or the two answer differently.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import sys
import tempfile
import threading
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
from _harness import (
    DEFAULT_URL,
    BenchError,
    LoadGenerator,
    Round,
    Server,
    app_env,
    core_count,
    log,
    migrate,
    print_server_logs,
    psycopg_url,
    run_bench,
    server_version,
    sqlalchemy_url,
    start_gunicorn,
    stop_gunicorn,
    throwaway_database,
    wait_until_ready,
)

PATH = "/api/v1/public/audit-logs/head"
ROUND_TIMEOUT_S = 120.0
WARMUP_REQUESTS = 200
ROUNDS = 2


# --- arguments -----------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL),
        help="SQLAlchemy URL of the PostgreSQL server (env BENCH_DATABASE_URL)",
    )
    parser.add_argument("--requests", type=int, default=5000, help="requests per server/round")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads")
    parser.add_argument("--rows", type=int, default=100_000, help="rows in audit_logs")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per server")
    args = parser.parse_args(argv)
    for name in ("requests", "concurrency", "workers"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    if args.rows < 0:
        parser.error("--rows must not be negative")
    return args


# --- the throwaway database ----------------------------------------------------------------


def fill_audit_log(conninfo: str, rows: int) -> tuple[int, str]:
    """COPY `rows` entries into audit_logs, point the head at the last; return the head.

    The hashes are random 64-hex strings, not a valid chain (each prev_hash is the previous
    row's hash, but nothing is recomputed): the endpoint under test only reads the head row,
    and `flask audit verify` is not part of the bench."""
    columns = (
        "seq, id, occurred_at, action, entity_type, entity_id, actor_id, organization_id, "
        "request_id, before, after, prev_hash, hash"
    )
    start = datetime.now(UTC) - timedelta(seconds=rows)
    prev_hash = "0" * 64
    with psycopg.connect(conninfo) as conn:
        with conn.cursor() as cur, cur.copy(f"COPY audit_logs ({columns}) FROM STDIN") as copy:
            for seq in range(1, rows + 1):
                row_hash = secrets.token_hex(32)
                copy.write_row(_audit_row(seq, start, prev_hash, row_hash))
                prev_hash = row_hash
        conn.execute(
            "UPDATE audit_chain_head SET length = %s, hash = %s WHERE id = 1", (rows, prev_hash)
        )
        conn.execute("ANALYZE audit_logs")
    return rows, prev_hash


def _audit_row(seq: int, start: datetime, prev_hash: str, row_hash: str) -> tuple[object, ...]:
    org = f"org-{seq % 50}"
    return (
        seq,
        uuid.uuid4().hex,
        start + timedelta(seconds=seq),
        "project.updated",
        "project",
        f"prj-{seq % 5000}",
        f"usr-{seq % 500}",
        org,
        uuid.uuid4().hex,
        json.dumps({"status": "draft", "organization": org}),
        json.dumps({"status": "submitted", "organization": org}),
        prev_hash,
        row_hash,
    )


# --- the report ----------------------------------------------------------------------------


def print_header(args: argparse.Namespace, pg_version: str, body: bytes) -> None:
    print(f"## GET {PATH}")
    print()
    print(
        f"- machine: {core_count()} cores, {platform.machine()}, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}"
    )
    print(f"- PostgreSQL {pg_version}, audit_logs rows: {args.rows}")
    print(
        f"- gunicorn: {args.workers} sync workers x 1 thread per server; client: "
        f"{args.concurrency} threads (httpx, keep-alive), {args.requests} requests "
        f"per server per round, {WARMUP_REQUESTS} warm-up"
    )
    print(f"- body: `{body.decode(errors='replace').strip()}`")
    print()


def print_rounds(rounds: Sequence[Round]) -> None:
    print("| server   | round | req/s  | p50 ms | p99 ms | ok     | failures |")
    print("|----------|------:|-------:|-------:|-------:|-------:|----------|")
    for r in rounds:
        failures = ", ".join(f"{k}: {v}" for k, v in sorted(r.failures.items())) or "-"
        if r.aborted:
            failures += f" (aborted after {ROUND_TIMEOUT_S:.0f} s)"
        print(
            f"| {r.server:<8} | {r.number:>5} | {r.throughput:>6.0f} | "
            f"{r.percentile_ms(50):>6.2f} | {r.percentile_ms(99):>6.2f} | "
            f"{r.ok:>6} | {failures} |"
        )
    print()


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values)


def print_ratios(rounds: Sequence[Round]) -> None:
    ours = [r for r in rounds if r.server == "ours"]
    base = [r for r in rounds if r.server == "baseline"]
    best_ours = max(ours, key=lambda r: r.throughput)
    best_base = max(base, key=lambda r: r.throughput)
    rows = {
        "mean of rounds": (
            _mean([r.percentile_ms(50) for r in ours]) / _mean([r.percentile_ms(50) for r in base]),
            _mean([r.percentile_ms(99) for r in ours]) / _mean([r.percentile_ms(99) for r in base]),
            _mean([r.throughput for r in base]) / _mean([r.throughput for r in ours]),
        ),
        "best round": (
            best_ours.percentile_ms(50) / best_base.percentile_ms(50),
            best_ours.percentile_ms(99) / best_base.percentile_ms(99),
            best_base.throughput / best_ours.throughput,
        ),
    }
    print("| ours / baseline | p50   | p99   | throughput (baseline / ours) |")
    print("|-----------------|------:|------:|-----------------------------:|")
    for label, (p50, p99, thr) in rows.items():
        print(f"| {label:<15} | {p50:>5.2f} | {p99:>5.2f} | {thr:>28.2f} |")
    print()
    print("Ratios above 1 mean the platform is slower than the bare baseline.")


# --- orchestration -------------------------------------------------------------------------


def check_same_body(bodies: dict[str, bytes]) -> bytes:
    decoded = {name: json.loads(body) for name, body in bodies.items()}
    if decoded["ours"] != decoded["baseline"]:
        raise BenchError(f"the two servers answer differently: {decoded}")
    return bodies["ours"]


def measure(args: argparse.Namespace, servers: dict[str, Server], stop: threading.Event) -> int:
    bodies = {name: wait_until_ready(server) for name, server in servers.items()}
    body = check_same_body(bodies)
    load = LoadGenerator(args.concurrency, stop)
    for name, server in servers.items():
        warmup = load.run(server.url, Round(name, 0), WARMUP_REQUESTS, ROUND_TIMEOUT_S)
        if warmup.failures:
            raise BenchError(f"{name} failed during warm-up: {warmup.failures}")
    rounds = [
        load.run(servers[name].url, Round(name, number), args.requests, ROUND_TIMEOUT_S)
        for number in range(1, ROUNDS + 1)
        for name in ("baseline", "ours")
    ]
    print_header(args, server_version(psycopg_url(args.database_url, "postgres")), body)
    print_rounds(rounds)
    print_ratios(rounds)
    print_server_logs(list(servers.values()))
    return 1 if any(r.failures for r in rounds) else 0


def run(args: argparse.Namespace, stop: threading.Event) -> int:
    with throwaway_database(args.database_url) as dbname, tempfile.TemporaryDirectory() as logs:
        env = app_env(sqlalchemy_url(args.database_url, dbname))
        conninfo = psycopg_url(args.database_url, dbname)
        log(f"database {dbname}: migrating")
        migrate(env)
        log(f"filling audit_logs with {args.rows} rows")
        fill_audit_log(conninfo, args.rows)
        servers: dict[str, Server] = {}
        try:
            servers["baseline"] = start_gunicorn(
                "baseline",
                "bench.baseline_app:app",
                {**os.environ, "BENCH_DB": conninfo},
                args.workers,
                Path(logs),
                path=PATH,
            )
            servers["ours"] = start_gunicorn(
                "ours", "wsgi:app", env, args.workers, Path(logs), path=PATH
            )
            log("servers starting; measuring")
            return measure(args, servers, stop)
        finally:
            stop.set()
            for server in servers.values():
                stop_gunicorn(server)


def main(argv: Sequence[str] | None = None) -> int:
    return run_bench(run, parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
