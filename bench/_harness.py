"""What the benchmarks in `bench/` share: a throwaway PostgreSQL database migrated with
`flask db upgrade`, gunicorn servers started and stopped by process group, a threaded
load generator, percentiles, and the environment the platform runs with in production.

Not a benchmark itself; the scripts in `bench/` import it (they are run as scripts, so
`bench/` is on `sys.path`)."""

from __future__ import annotations

import base64
import contextlib
import math
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import TypeVar
from urllib.parse import urlsplit, urlunsplit

import httpx
import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent  # .venv/bin when run as documented
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
START_TIMEOUT_S = 30.0


T = TypeVar("T")


class BenchError(RuntimeError):
    """The bench cannot go on, or its result is not trustworthy."""


# --- URLs ----------------------------------------------------------------------------------


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


def create_database(server_url: str, name: str) -> None:
    with psycopg.connect(psycopg_url(server_url, "postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(server_url: str, name: str) -> None:
    with psycopg.connect(psycopg_url(server_url, "postgres"), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


@contextlib.contextmanager
def throwaway_database(server_url: str, prefix: str = "bench_read") -> Iterator[str]:
    """Create `<prefix>_<random>` on the server, yield its name, drop it whatever happens."""
    name = f"{prefix}_{secrets.token_hex(4)}"
    create_database(server_url, name)
    try:
        yield name
    finally:
        drop_database(server_url, name)


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


def server_version(conninfo: str) -> str:
    with psycopg.connect(conninfo, autocommit=True) as conn:
        row = conn.execute("SHOW server_version").fetchone()
    return str(row[0]) if row else "?"


# --- the servers ---------------------------------------------------------------------------


@dataclass
class Server:
    name: str
    url: str
    process: subprocess.Popen[bytes]
    log_path: Path
    base_url: str = ""

    def log_tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_gunicorn(
    name: str,
    wsgi_target: str,
    env: dict[str, str],
    workers: int,
    log_dir: Path,
    *,
    path: str = "",
) -> Server:
    """Start `wsgi_target` under gunicorn (sync workers, loopback port); `Server.url` is
    the server's address followed by `path` (the endpoint the caller polls)."""
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
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    return Server(name, f"{base}{path}", process, log_path, base)


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


def wait_until_ready(
    server: Server,
    timeout: float = START_TIMEOUT_S,
    url: str | None = None,
    request_timeout: float = 2.0,
) -> bytes:
    """Poll `url` (default: the server's) until it answers 200; return that body."""
    target = url or server.url
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise BenchError(
                f"{server.name} exited ({server.process.returncode}):\n{server.log_tail()}"
            )
        try:
            response = httpx.get(target, timeout=request_timeout)
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


def print_server_logs(servers: Sequence[Server]) -> None:
    """Anything the servers logged at WARNING or above during the bench."""
    for server in servers:
        lines = server.log_path.read_text(errors="replace").splitlines()
        if lines:
            print(f"\n{server.name}: {len(lines)} log line(s) at WARNING+, last ones:")
            print(server.log_tail(10))


def app_env(db_url: str) -> dict[str, str]:
    """The platform's environment in production, on `db_url`, with fresh secrets."""
    master_key = base64.b64encode(os.urandom(32)).decode()
    signing_key = base64.b64encode(os.urandom(32)).decode()  # an Ed25519 private key
    return {
        **os.environ,
        "DATABASE_URL": db_url,
        "APP_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(36),  # 48 characters
        "MASTER_KEYS": f"k1:{master_key}",  # production refuses the development key
        "POAI_SIGNING_KEY": signing_key,  # required in production
        "RATELIMIT_ENABLED": "false",
        "LOG_LEVEL": "WARNING",
        "LOG_FORMAT": "json",
    }


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
        return percentile_ms(self.latencies_s, pct)


def percentile_ms(latencies_s: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile of latencies in seconds, in milliseconds."""
    if not latencies_s:
        return math.nan
    ordered = sorted(latencies_s)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1] * 1000


# A call returns None when it succeeded, else a short failure key ("HTTP 500", ...).
Call = Callable[[], "str | None"]
# Opens what one thread needs (a client, a connection) and yields its call.
CallOpener = Callable[[], contextlib.AbstractContextManager[Call]]


class LoadGenerator:
    """`concurrency` threads sharing a budget of calls; each thread opens its own caller
    (one keep-alive `httpx.Client` for `run`)."""

    def __init__(self, concurrency: int, stop: threading.Event) -> None:
        self.concurrency = concurrency
        self.stop = stop
        self._lock = threading.Lock()
        self._left = 0
        self._deadline = 0.0

    def run(self, url: str, result: Round, requests: int, timeout: float) -> Round:
        """GET `url` `requests` times; only a 200 counts as a success."""
        return self.run_calls(http_getter(url), result, requests, timeout)

    def run_calls(self, opener: CallOpener, result: Round, calls: int, timeout: float) -> Round:
        """Each thread opens its caller (and warms it up, if the opener does) first; the
        clock and the `timeout` start when all are ready."""
        self._left = calls
        self._deadline = math.inf
        ready = threading.Barrier(self.concurrency + 1)
        threads = [
            threading.Thread(target=self._worker, args=(opener, result, ready), daemon=True)
            for _ in range(self.concurrency)
        ]
        for thread in threads:
            thread.start()
        with contextlib.suppress(threading.BrokenBarrierError):  # an opener failed
            ready.wait()
        started = time.perf_counter()
        self._deadline = started + timeout
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

    def _worker(self, opener: CallOpener, result: Round, ready: threading.Barrier) -> None:
        latencies: list[float] = []
        failures: dict[str, int] = {}
        try:
            with opener() as call:
                ready.wait()
                while self._take():
                    began = time.perf_counter()
                    key = call()
                    if key is None:
                        latencies.append(time.perf_counter() - began)
                    else:
                        failures[key] = failures.get(key, 0) + 1
        except threading.BrokenBarrierError:
            pass
        except Exception as exc:  # the opener failed: the round cannot be trusted
            ready.abort()
            failures[f"open: {type(exc).__name__}: {exc}"[:120]] = 1
        with self._lock:
            result.latencies_s.extend(latencies)
            for key, count in failures.items():
                result.failures[key] = result.failures.get(key, 0) + count


def http_getter(url: str) -> CallOpener:
    """An opener of a keep-alive client GETting `url`, a success being a 200."""

    @contextlib.contextmanager
    def opener() -> Iterator[Call]:
        with httpx.Client(timeout=10.0) as client:

            def call() -> str | None:
                try:
                    status = client.get(url).status_code
                except httpx.HTTPError as exc:
                    return type(exc).__name__
                return None if status == 200 else f"HTTP {status}"

            yield call

    return opener


# --- the report and the process ------------------------------------------------------------


def core_count() -> str:
    total = os.cpu_count() or 0
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else total
    return f"{total}" if usable == total else f"{total} ({usable} usable by this process)"


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def _on_sigterm(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def install_signal_handlers() -> None:
    """Ctrl-C and SIGTERM both raise KeyboardInterrupt, so `finally` blocks clean up."""
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even if started with INT ignored
    signal.signal(signal.SIGTERM, _on_sigterm)


def run_bench(
    run: Callable[[T, threading.Event], int],
    args: T,
    interrupted: str = "interrupted; servers stopped and database dropped",
) -> int:
    """A bench's `main`: `run(args, stop)` with the signal handlers installed, and its
    refusals (`BenchError`, a database error, an interrupt) as exit codes and a line."""
    install_signal_handlers()
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
        log(interrupted)
        return 130
