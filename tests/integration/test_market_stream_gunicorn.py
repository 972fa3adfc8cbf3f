"""`GET /market/stream` behind gunicorn with several worker processes (the repository's
`gunicorn.conf.py`): every open stream, whichever process serves it, gets a change
published once through Redis, and the API keeps answering while the streams are open."""

from __future__ import annotations

import base64
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from app.adapters.market.feed import RedisFeed
from app.domain.shared.money import Money
from app.ports.market_feed import ListingUpdate
from tests.conftest import REDIS_URL, require

ROOT = Path(__file__).resolve().parents[2]
STREAMS = 6  # more than the worker processes: a sync worker per stream would starve


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(tmp_path: Path, redis_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "APP_ENV": "production",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'stream.db'}",
        "REDIS_URL": redis_url,
        "SECRET_KEY": base64.b64encode(os.urandom(36)).decode(),
        "MASTER_KEYS": f"k1:{base64.b64encode(os.urandom(32)).decode()}",
        "POAI_SIGNING_KEY": base64.b64encode(os.urandom(32)).decode(),
        "CHAIN_BACKEND": "rpc",
        "CHAIN_RPC_URL": "http://127.0.0.1:9",  # never called by these endpoints
        "OPERATOR_PRIVATE_KEY": "0x" + "11" * 32,
        "RATELIMIT_ENABLED": "false",
        "LOG_LEVEL": "WARNING",
        "GUNICORN_THREADS": "8",
    }


def _open(url: str, timeout: float):
    return urllib.request.urlopen(url, timeout=timeout)  # noqa: S310 (loopback http)


def _wait_ready(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()[-3000:]
        try:
            with _open(f"{base}/api/v1/health", 2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"gunicorn did not answer: {log.read_text()[-3000:]}")


def _read_stream(url: str, opened: threading.Barrier, got: list[str]) -> None:
    with _open(url, 30) as stream:
        assert stream.readline().startswith(b"retry:")
        stream.readline()
        opened.wait(20)
        for raw in stream:
            line = raw.decode()
            if line.startswith("data:"):
                got.append(line)
                return


def test_streams_on_several_workers_all_see_one_change(tmp_path: Path):
    redis_url = require("redis", REDIS_URL)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "gunicorn.log"
    command = [sys.executable, "-m", "gunicorn", "wsgi:app", "-w", "2", "-b", f"127.0.0.1:{port}"]
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 (this interpreter's gunicorn)
            command,
            cwd=ROOT,
            env=_env(tmp_path, redis_url),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_ready(base, process, log)
        opened = threading.Barrier(STREAMS + 1)
        got: list[str] = []
        readers = [
            threading.Thread(
                target=_read_stream,
                args=(f"{base}/api/v1/market/stream?max_seconds=20", opened, got),
            )
            for _ in range(STREAMS)
        ]
        for reader in readers:
            reader.start()
        opened.wait(30)
        with _open(f"{base}/api/v1/health", 5) as answer:
            assert answer.status == 200  # the API answers beside the open streams
        time.sleep(0.5)  # each stream subscribed right after its first lines
        update = ListingUpdate(
            "listing-1", Money.of("12.50", "EUR"), 4_000, "active", datetime.now(UTC)
        )
        RedisFeed(redis_url).publish(update)
        for reader in readers:
            reader.join(25)
        assert len(got) == STREAMS, log.read_text()[-3000:]
        assert all('"listing_id":"listing-1"' in line and '"12.50"' in line for line in got)
    finally:
        os.killpg(process.pid, signal.SIGKILL)  # master and workers: nothing here to keep
        process.wait(10)
