"""The analytics module's wiring: the recomputation of the daily rollups on the write
engine, by hand (`flask analytics`) or periodically (a thread of `flask serve`, the
worker's `analytics.refresh` actor). Its read side is `SqlReads.analytics`, on the
platform's autocommit read connection."""

from __future__ import annotations

import logging
import threading
from datetime import date
from typing import Protocol

from app.adapters.sql.analytics_reads import SqlAnalyticsRollups
from app.adapters.sql.database import Database
from app.domain.analytics import services
from app.ports.clock import Clock

REFRESH_SECONDS = 300
log = logging.getLogger(__name__)


class AnalyticsParts(Protocol):
    @property
    def db(self) -> Database: ...

    @property
    def clock(self) -> Clock: ...


def refresh_analytics(platform: AnalyticsParts) -> int:
    """Recompute yesterday's and today's rollups, and any day never summed since it ended."""
    return services.refresh(SqlAnalyticsRollups(platform.db.engine), clock=platform.clock)


def recompute_analytics(platform: AnalyticsParts, since: date, until: date) -> int:
    """Recompute the rollups of [since, until) from the raw rows."""
    rollups = SqlAnalyticsRollups(platform.db.engine)
    return services.recompute_days(rollups, since, until, clock=platform.clock)


def refresh_analytics_forever(platform: AnalyticsParts, stop: threading.Event) -> None:
    """`refresh_analytics` every REFRESH_SECONDS (safe in several processes: a day's
    recomputation replaces its rows)."""
    while not stop.is_set():
        try:
            refresh_analytics(platform)
        except Exception:
            log.exception("refreshing the analytics rollups failed; retrying")
        stop.wait(REFRESH_SECONDS)
