"""What the analytics views reach of the platform: its read side (on the autocommit read
connection, with no cyclic garbage collection while a dashboard is built: a full
collection of the platform's heap in the middle of one was its p99), the reports
module's file writer, and today's date."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date
from typing import Any, Protocol, cast

from app.domain.analytics.model import Granularity, Range
from app.http.common.deps import platform, read
from app.ports.analytics import AnalyticsReads
from app.ports.report_files import ReportWriter

_lock = threading.Lock()
_pauses = [0, False]  # pauses running, whether collection was on before the first


class WriterDeps(Protocol):
    @property
    def report_writer(self) -> ReportWriter: ...


def report_writer() -> ReportWriter:
    return cast(WriterDeps, platform()).report_writer


@contextmanager
def _collection_paused() -> Iterator[None]:
    """Reference counting still frees everything; the cycle collector resumes (if it was
    on) when the last of concurrent pauses ends."""
    with _lock:
        if _pauses[0] == 0:
            _pauses[1] = gc.isenabled()
            gc.disable()
        _pauses[0] += 1
    try:
        yield
    finally:
        with _lock:
            _pauses[0] -= 1
            if _pauses[0] == 0 and _pauses[1]:
                gc.enable()


@contextmanager
def analytics_reads() -> Iterator[AnalyticsReads]:
    with _collection_paused(), read() as reads:
        yield reads.analytics


def today() -> date:
    return platform().clock.now().astimezone(UTC).date()


def range_of(args: dict[str, Any]) -> Range:
    """The range of the query's `from`, `to` and `granularity` (422 when it is not one)."""
    return Range.of(args["from_"], args["to"], Granularity(args["granularity"]), today=today())
