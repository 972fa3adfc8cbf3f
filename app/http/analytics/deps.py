"""What the analytics views reach of the platform, beyond `app.http.common.deps`."""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import UTC, date
from typing import Any, Protocol, cast

from app.domain.analytics.model import Granularity, Range
from app.http.common.deps import platform
from app.ports.analytics import AnalyticsReads
from app.ports.report_files import ReportWriter


class AnalyticsDeps(Protocol):
    @property
    def report_writer(self) -> ReportWriter: ...

    def analytics_reads(self) -> AbstractContextManager[AnalyticsReads]: ...


def analytics() -> AnalyticsDeps:
    return cast(AnalyticsDeps, platform())


def today() -> date:
    return platform().clock.now().astimezone(UTC).date()


def range_of(args: dict[str, Any]) -> Range:
    """The range of the query's `from`, `to` and `granularity` (422 when it is not one)."""
    return Range.of(args["from_"], args["to"], Granularity(args["granularity"]), today=today())
