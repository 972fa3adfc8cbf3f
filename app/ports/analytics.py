"""What analytics reads of the ledger and keeps of it: daily figures from the rollup
tables (days already summed) or straight from the raw rows (days not summed yet), the
distinct users who signed in per bucket, project counts and the platform's health, and
the recomputation of a day's rollups from the raw rows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Protocol

from app.domain.analytics.model import DailyFigure, Health, ProjectCounts, Range


class AnalyticsReads(Protocol):
    def summed_days(self, since: date, until: date) -> set[date]:
        """The days in [since, until) whose rollups were computed after the day ended."""
        ...

    def summed_span(self, since: date, until: date) -> tuple[int, date | None, date | None]:
        """How many of those days there are, the first and the last."""
        ...

    def rollup_figures(self, org: str | None, since: date, until: date) -> list[DailyFigure]:
        """Daily figures of [since, until) from the rollups (`org` None: the platform)."""
        ...

    def raw_figures(self, org: str | None, since: date, until: date) -> list[DailyFigure]:
        """The same figures computed from the raw ledger, order and project rows."""
        ...

    def active_users(
        self, org: str | None, range_: Range, summed_until: date
    ) -> tuple[dict[date, int], int]:
        """Distinct users who signed in per bucket (by its start) and over all of them:
        the daily rollup before `summed_until`, the sessions themselves after."""
        ...

    def project_counts(self, org: str | None, statuses: Sequence[str] | None) -> ProjectCounts:
        """Projects now, by status, type and country (only `statuses` when given)."""
        ...

    def organization_exists(self, org_id: str) -> bool:
        """Whether the organization exists."""
        ...

    def health(self, since: datetime, until: datetime) -> Health:
        """Indexer lag, the outbox's backlog and failures, the range's jobs."""
        ...


class AnalyticsRollups(Protocol):
    def recompute(self, day: date, *, at: datetime) -> None:
        """Replace the day's rollup rows with sums of its raw rows (idempotent)."""
        ...

    def first_activity(self) -> date | None:
        """The first day anything was recorded on, if any."""
        ...

    def summed_days(self, since: date, until: date) -> set[date]:
        """As `AnalyticsReads.summed_days`."""
        ...

    def summed_span(self, since: date, until: date) -> tuple[int, date | None, date | None]:
        """As `AnalyticsReads.summed_span`."""
        ...
