"""The analytics module's wiring that `Platform` inherits: its read side on an autocommit
connection, and the recomputation of the daily rollups on the write engine."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Protocol

from app.adapters.sql.analytics_reads import SqlAnalyticsReads, SqlAnalyticsRollups
from app.adapters.sql.database import Database
from app.domain.analytics import services
from app.main.gc_pause import cyclic_gc_paused
from app.ports.clock import Clock


class AnalyticsParts(Protocol):
    @property
    def db(self) -> Database: ...

    @property
    def clock(self) -> Clock: ...


class AnalyticsWiring:
    @contextmanager
    def analytics_reads(self: AnalyticsParts) -> Iterator[SqlAnalyticsReads]:
        """The read side on an autocommit connection. A dashboard builds thousands of
        short-lived objects: cyclic collection waits until it is built (a full collection
        of the platform's heap in the middle of one was its p99)."""
        with cyclic_gc_paused(), self.db.read() as conn:
            yield SqlAnalyticsReads(conn)

    def refresh_analytics(self: AnalyticsParts) -> int:
        """Recompute yesterday's and today's rollups, and any day never summed since it
        ended (the periodic `analytics.refresh`)."""
        return services.refresh(SqlAnalyticsRollups(self.db.engine), clock=self.clock)

    def recompute_analytics(self: AnalyticsParts, since: date, until: date) -> int:
        """Recompute the rollups of [since, until) from the raw rows."""
        rollups = SqlAnalyticsRollups(self.db.engine)
        return services.recompute_days(rollups, since, until, clock=self.clock)
