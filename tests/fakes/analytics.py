"""In-memory analytics: raw daily figures and sign-ins the test puts in (per
organization), rollups recomputed from them, and the calls the service made (which
days it read from the rollups, which from the raw rows)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from app.domain.analytics.model import (
    DailyFigure,
    Health,
    ProjectCounts,
    Range,
    bucket_start,
)

ONE_DAY = timedelta(days=1)


@dataclass
class FakeAnalytics:
    raw: list[tuple[str, DailyFigure]] = field(default_factory=list)  # (org, figure)
    sign_ins: list[tuple[date, str, frozenset[str]]] = field(default_factory=list)
    rolled: dict[date, list[tuple[str, DailyFigure]]] = field(default_factory=dict)
    computed_at: dict[date, datetime] = field(default_factory=dict)
    organizations: set[str] = field(default_factory=set)
    projects: list[tuple[str, str, str, str]] = field(default_factory=list)  # org, status...
    reads: list[tuple[str, date, date]] = field(default_factory=list)

    def _of(self, rows: list[tuple[str, DailyFigure]], org: str | None) -> list[DailyFigure]:
        return [f for o, f in rows if org is None or o == org]

    def summed_days(self, since: date, until: date) -> set[date]:
        end_of = lambda d: datetime.combine(d + ONE_DAY, time(), tzinfo=UTC)  # noqa: E731
        return {d for d, at in self.computed_at.items() if since <= d < until and at >= end_of(d)}

    def summed_span(self, since: date, until: date) -> tuple[int, date | None, date | None]:
        found = self.summed_days(since, until)
        return len(found), min(found, default=None), max(found, default=None)

    def rollup_figures(self, org: str | None, since: date, until: date) -> list[DailyFigure]:
        self.reads.append(("rollup", since, until))
        rows = [r for d, rows in self.rolled.items() if since <= d < until for r in rows]
        return self._of(rows, org)

    def raw_figures(self, org: str | None, since: date, until: date) -> list[DailyFigure]:
        self.reads.append(("raw", since, until))
        return [f for f in self._of(self.raw, org) if since <= f.day < until]

    def active_users(
        self, org: str | None, range_: Range, summed_until: date
    ) -> tuple[dict[date, int], int]:
        seen = [
            (d, user)
            for d, user, orgs in self.sign_ins
            if range_.first <= d < range_.until and (org is None or org in orgs)
        ]
        per: dict[date, set[str]] = {}
        for d, user in seen:
            per.setdefault(bucket_start(d, range_.granularity), set()).add(user)
        return {k: len(v) for k, v in per.items()}, len({u for _, u in seen})

    def project_counts(self, org: str | None, statuses: Sequence[str] | None) -> ProjectCounts:
        rows = [
            p for p in self.projects
            if (org is None or p[0] == org) and (statuses is None or p[1] in statuses)
        ]  # fmt: skip
        count = lambda i: {k: sum(1 for p in rows if p[i] == k) for k in {p[i] for p in rows}}  # noqa: E731
        return ProjectCounts(len(rows), count(1), count(2), count(3))

    def organization_exists(self, org_id: str) -> bool:
        return org_id in self.organizations

    def health(self, since: datetime, until: datetime) -> Health:
        return Health(3, 2, 1, 10, 1)

    def recompute(self, day: date, *, at: datetime) -> None:
        self.rolled[day] = [(o, f) for o, f in self.raw if f.day == day]
        self.computed_at[day] = at

    def first_activity(self) -> date | None:
        return min((f.day for _, f in self.raw), default=None)
