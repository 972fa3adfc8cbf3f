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
import contextlib
import json
import math
import os
import platform
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import FrameType
from urllib.parse import urlsplit, urlunsplit

import httpx
import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent  # .venv/bin when run as documented
PATH = "/api/v1/public/audit-logs/head"
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
START_TIMEOUT_S = 30.0
ROUND_TIMEOUT_S = 120.0
WARMUP_REQUESTS = 200
ROUNDS = 2


class BenchError(RuntimeError):
    """The bench cannot go on, or its result is not trustworthy."""


# --- arguments and URLs -------------------------------------------------------------------


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


def with_database(url: str, *, scheme: str, dbname: str) -> str:
    """`url` with its scheme and database name replaced (user, host, port, query kept)."""
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        raise BenchError(f"not a PostgreSQL URL: {url}")
    return urlunsplit((scheme, parts.netloc, f"/{dbname}", parts.query, ""))


def sqlalchemy_url(url: str, dbname: str) -> str:
    return with_database(url, scheme="postgresql+psycopg", dbname=dbname)


def psycopg_url(url: str, dbname: str) -> str:
    return with_database(url, scheme="postgresql", dbname=dbname)


# --- the throwaway database ----------------------------------------------------------------


@contextlib.contextmanager
def throwaway_database(server_url: str) -> Iterator[str]:
    """Create `bench_read_<random>` on the server, yield its name, drop it whatever happens."""
    name = f"bench_read_{secrets.token_hex(4)}"
    admin = psycopg_url(server_url, "postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield name
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def migrate(env: dict[str, str]) -> None:
    result = subprocess.run(
        [str(BIN / "flask"), "--app", "wsgi", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).splitlines()[-25:])
        raise BenchError(f"flask db upgrade failed:\n{tail}")


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


# --- the servers ---------------------------------------------------------------------------


@dataclass
class Server:
    name: str
    url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def log_tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_gunicorn(
    name: str, wsgi_target: str, env: dict[str, str], workers: int, log_dir: Path
) -> Server:
    port = free_port()
    log_path = log_dir / f"{name}.log"
    command = [
        str(BIN / "gunicorn"),
        wsgi_target,
        "--worker-class",
        "sync",
        "--workers",
        str(workers),
        "--threads",
        "1",
        "-b",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    return Server(name, f"http://127.0.0.1:{port}{PATH}", process, log_path)


def stop_gunicorn(server: Server) -> None:
    """TERM the server's process group (master and workers), KILL it if it lingers."""
    if server.process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.process.pid, signal.SIGTERM)
    try:
        server.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.process.pid, signal.SIGKILL)
        server.process.wait(timeout=5)


def wait_until_ready(server: Server, timeout: float = START_TIMEOUT_S) -> bytes:
    """Poll until the endpoint answers 200; return that body."""
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise BenchError(
                f"{server.name} exited ({server.process.returncode}):\n{server.log_tail()}"
            )
        try:
            response = httpx.get(server.url, timeout=2.0)
        except httpx.TransportError as exc:
            last = repr(exc)
        else:
            if response.status_code == 200:
                return response.content
            last = f"HTTP {response.status_code}: {response.text[:300]}"
        time.sleep(0.2)
    raise BenchError(
        f"{server.name} not ready after {timeout:.0f} s ({last}):\n{server.log_tail()}"
    )


# --- the load ------------------------------------------------------------------------------


@dataclass
class Round:
    server: str
    number: int
    latencies_s: list[float] = field(default_factory=list)
    failures: dict[str, int] = field(default_factory=dict)
    elapsed_s: float = 0.0
    aborted: bool = False

    @property
    def ok(self) -> int:
        return len(self.latencies_s)

    @property
    def throughput(self) -> float:
        return self.ok / self.elapsed_s if self.elapsed_s else 0.0

    def percentile_ms(self, pct: float) -> float:
        """Nearest-rank percentile of the successful requests, in milliseconds."""
        if not self.latencies_s:
            return math.nan
        ordered = sorted(self.latencies_s)
        rank = max(1, math.ceil(pct / 100 * len(ordered)))
        return ordered[rank - 1] * 1000


class LoadGenerator:
    """`concurrency` threads, one keep-alive client each, sharing a budget of requests."""

    def __init__(self, concurrency: int, stop: threading.Event) -> None:
        self.concurrency = concurrency
        self.stop = stop
        self._lock = threading.Lock()
        self._left = 0
        self._deadline = 0.0

    def run(self, url: str, result: Round, requests: int, timeout: float) -> Round:
        self._left = requests
        self._deadline = time.perf_counter() + timeout
        threads = [
            threading.Thread(target=self._worker, args=(url, result), daemon=True)
            for _ in range(self.concurrency)
        ]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        result.elapsed_s = time.perf_counter() - started
        result.aborted = self._left > 0 and not self.stop.is_set()
        return result

    def _take(self) -> bool:
        with self._lock:
            if self._left <= 0 or self.stop.is_set() or time.perf_counter() > self._deadline:
                return False
            self._left -= 1
            return True

    def _worker(self, url: str, result: Round) -> None:
        latencies: list[float] = []
        failures: dict[str, int] = {}
        with httpx.Client(timeout=10.0) as client:
            while self._take():
                began = time.perf_counter()
                try:
                    status = client.get(url).status_code
                except httpx.HTTPError as exc:
                    key = type(exc).__name__
                else:
                    if status == 200:
                        latencies.append(time.perf_counter() - began)
                        continue
                    key = f"HTTP {status}"
                failures[key] = failures.get(key, 0) + 1
        with self._lock:
            result.latencies_s.extend(latencies)
            for key, count in failures.items():
                result.failures[key] = result.failures.get(key, 0) + count


# --- the report ----------------------------------------------------------------------------


def core_count() -> str:
    total = os.cpu_count() or 0
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else total
    return f"{total}" if usable == total else f"{total} ({usable} usable by this process)"


def server_version(conninfo: str) -> str:
    with psycopg.connect(conninfo, autocommit=True) as conn:
        row = conn.execute("SHOW server_version").fetchone()
    return str(row[0]) if row else "?"


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


def print_server_logs(servers: Sequence[Server]) -> None:
    """Anything the servers logged at WARNING or above during the bench."""
    for server in servers:
        lines = server.log_path.read_text(errors="replace").splitlines()
        if lines:
            print(f"\n{server.name}: {len(lines)} log line(s) at WARNING+, last ones:")
            print(server.log_tail(10))


# --- orchestration -------------------------------------------------------------------------


def app_env(db_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": db_url,
        "APP_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(36),  # 48 characters
        "RATELIMIT_ENABLED": "false",
        "LOG_LEVEL": "WARNING",
        "LOG_FORMAT": "json",
    }


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
            )
            servers["ours"] = start_gunicorn("ours", "wsgi:app", env, args.workers, Path(logs))
            log("servers starting; measuring")
            return measure(args, servers, stop)
        finally:
            stop.set()
            for server in servers.values():
                stop_gunicorn(server)


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def _on_sigterm(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even if started with INT ignored
    signal.signal(signal.SIGTERM, _on_sigterm)
    stop = threading.Event()
    try:
        return run(args, stop)
    except BenchError as exc:
        log(f"error: {exc}")
        return 1
    except psycopg.Error as exc:
        log(f"database error: {exc}")
        return 1
    except KeyboardInterrupt:
        log("interrupted; servers stopped and database dropped")
        return 130


if __name__ == "__main__":
    sys.exit(main())
