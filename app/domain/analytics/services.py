"""Analytics use cases: the platform's dashboard (platform admins), an organization's
(its members, whatever their role, and platform admins; 404 for anyone else), the public
statistics (no money, no organization), and keeping the daily rollups.

Days whose rollups were computed after the day ended are read from the rollups; the
rest of the range (today, or days not summed yet) is computed from the raw rows, so a
dashboard is never stale and never drifts from the ledger."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from app.domain.analytics.model import (
    ONE_DAY,
    DailyFigure,
    Dashboard,
    Metric,
    Range,
    summed,
)
from app.domain.auth.principal import Principal
from app.domain.shared.errors import NotFound, PermissionDenied
from app.ports.analytics import AnalyticsReads, AnalyticsRollups
from app.ports.clock import Clock

# Projects the public sees counted: those past review (drafts and rejections stay private).
PUBLIC_STATUSES = ("approved", "registered", "active", "suspended", "closed")
REFRESH_JOB = "analytics.refresh"


def midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def summed_until(reads: AnalyticsReads | AnalyticsRollups, range_: Range) -> date:
    """The first day of the range whose rollups cannot be trusted (or its end). Mostly
    the summed days run from the range's first day without a gap: one aggregate says so."""
    count, first, last = reads.summed_span(range_.first, range_.until)
    if count == 0 or first != range_.first:
        return range_.first
    if last is not None and (last - first).days + 1 == count:
        return last + ONE_DAY
    summed_days = reads.summed_days(range_.first, range_.until)
    day = range_.first
    while day < range_.until and day in summed_days:
        day += ONE_DAY
    return day


def _figures(
    reads: AnalyticsReads, org: str | None, range_: Range
) -> tuple[list[DailyFigure], date]:
    boundary = summed_until(reads, range_)
    found = reads.rollup_figures(org, range_.first, boundary) if boundary > range_.first else []
    if boundary < range_.until:
        found += reads.raw_figures(org, boundary, range_.until)
    return found, boundary


def _dashboard(
    reads: AnalyticsReads, org: str | None, range_: Range, *, public: bool = False
) -> Dashboard:
    figures, boundary = _figures(reads, org, range_)
    if public:
        figures = [f for f in figures if f.metric is not Metric.REVENUE]
    active, active_total = reads.active_users(org, range_, boundary)
    buckets, series, totals = summed(range_, figures, active, active_total)
    statuses = PUBLIC_STATUSES if public else None
    return Dashboard(range_, buckets, series, totals, reads.project_counts(org, statuses))


def platform_dashboard(principal: Principal, range_: Range, *, reads: AnalyticsReads) -> Dashboard:
    """The whole platform's figures, revenue and health included (platform admins)."""
    if not principal.is_admin:
        raise PermissionDenied("the platform's analytics are for platform admins")
    board = _dashboard(reads, None, range_)
    health = reads.health(midnight(range_.first), midnight(range_.until))
    return Dashboard(board.range, board.buckets, board.series, board.totals, board.projects, health)


def organization_dashboard(
    principal: Principal, org_id: str, range_: Range, *, reads: AnalyticsReads
) -> Dashboard:
    """One organization's figures: its projects' issuance, its own retirements and
    purchases, its members' sign-ins. Its members and platform admins only."""
    if not principal.sees_org(org_id) or not reads.organization_exists(org_id):
        raise NotFound("no such organization")
    board = _dashboard(reads, org_id, range_)
    for figures in [*board.series, board.totals]:
        figures.money.pop(Metric.REVENUE, None)
    return board


def public_stats(range_: Range, *, reads: AnalyticsReads) -> Dashboard:
    """The platform's public figures: tonnes, counts and users, no money, no organization."""
    board = _dashboard(reads, None, range_, public=True)
    for figures in [*board.series, board.totals]:
        figures.money.clear()
    return board


def recompute_days(rollups: AnalyticsRollups, since: date, until: date, *, clock: Clock) -> int:
    """Recompute the rollups of every day in [since, until) from the raw rows (safe to run
    again, or at the same time as another run). How many days were recomputed."""
    day, done = since, 0
    while day < until:
        rollups.recompute(day, at=clock.now())
        day, done = day + ONE_DAY, done + 1
    return done


def refresh(rollups: AnalyticsRollups, *, clock: Clock, backfill_days: int = 400) -> int:
    """The periodic job: recompute yesterday and today, and every earlier day (up to
    `backfill_days` back) that was never summed after it ended."""
    today = clock.now().astimezone(UTC).date()
    first = rollups.first_activity()
    if first is None:
        return 0
    start = max(first, today - timedelta(days=backfill_days))
    done, summed_days = 0, rollups.summed_days(start, today - ONE_DAY)
    day = start
    while day < today - ONE_DAY:
        if day not in summed_days:
            rollups.recompute(day, at=clock.now())
            done += 1
        day += ONE_DAY
    return done + recompute_days(rollups, max(start, today - ONE_DAY), today + ONE_DAY, clock=clock)
