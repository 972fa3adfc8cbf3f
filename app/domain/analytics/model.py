"""Analytics figures: a range of whole UTC days cut into day, ISO week (Monday) or
calendar month buckets, every bucket present even when empty, and the daily figures of
the ledger summed into those buckets. A range is widened to whole buckets, so the series
adds up to the totals (active users aside: a user active in two buckets counts once in
the totals)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple

from app.domain.shared.errors import InvalidValue
from app.domain.shared.money import Money

MAX_BUCKETS = 400  # a leap year by day, with room; ten years by month
DEFAULT_DAYS = 30
ONE_DAY = timedelta(days=1)
ZERO = Decimal(0)


class Granularity(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


class Metric(StrEnum):
    """What a daily figure counts (`kg`, `count`, and `amount` in its currency)."""

    ISSUED = "issued"  # credit batches the chain confirmed, by creation day
    RETIRED = "retired"  # retirements the chain confirmed, by confirmation day
    PURCHASED = "purchased"  # orders paid (and not refunded), by payment day; amount = total
    REVENUE = "revenue"  # the platform's fee of those orders
    PROJECTS = "projects"  # projects created


def tonnes_text(kg: int) -> str:
    """Kilograms as the API writes tonnes (`Quantity.tonnes_str`: "12.5", "3", "0"), in
    integer arithmetic: a dashboard writes thousands of them."""
    whole, grams = divmod(kg, 1000)
    return f"{whole}.{grams:03d}".rstrip("0").rstrip(".") if grams else str(whole)


def bucket_start(day: date, granularity: Granularity) -> date:
    """The first day of the bucket holding `day`."""
    if granularity is Granularity.WEEK:
        return day - timedelta(days=day.weekday())
    if granularity is Granularity.MONTH:
        return day.replace(day=1)
    return day


def next_bucket(start: date, granularity: Granularity) -> date:
    """The first day of the bucket after the one starting on `start`."""
    if granularity is Granularity.WEEK:
        return start + timedelta(days=7)
    if granularity is Granularity.MONTH:
        return date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return start + ONE_DAY


@dataclass(frozen=True)
class Bucket:
    start: date
    until: date  # exclusive

    @property
    def last_day(self) -> date:
        return self.until - ONE_DAY


@dataclass(frozen=True)
class Range:
    """Whole buckets from the one holding `first` to the one holding `last`."""

    first: date
    last: date
    granularity: Granularity

    @classmethod
    def of(
        cls, first: date | None, last: date | None, granularity: Granularity, *, today: date
    ) -> Range:
        """The range asked for (default: the last 30 days up to today), widened to whole
        buckets; `InvalidValue` when it is backwards or holds too many buckets."""
        last = last or today
        try:
            first = first or last - timedelta(days=DEFAULT_DAYS - 1)
            start = bucket_start(first, granularity)
            end = next_bucket(bucket_start(last, granularity), granularity)
        except (OverflowError, ValueError):  # before year 1 or after 9999
            raise InvalidValue("the range leaves the calendar", code="invalid_range") from None
        if first > last:
            raise InvalidValue("`from` is after `to`", code="invalid_range")
        made = cls(start, end - ONE_DAY, granularity)
        if made.bucket_count() > MAX_BUCKETS:
            raise InvalidValue(
                f"at most {MAX_BUCKETS} buckets: widen the granularity or narrow the range",
                code="range_too_long",
            )
        return made

    @property
    def until(self) -> date:
        return self.last + ONE_DAY

    def bucket_count(self) -> int:
        if self.granularity is Granularity.DAY:
            return (self.until - self.first).days
        if self.granularity is Granularity.WEEK:
            return (self.until - self.first).days // 7
        return (self.last.year - self.first.year) * 12 + self.last.month - self.first.month + 1

    def buckets(self) -> list[Bucket]:
        found, start = [], self.first
        while start < self.until:
            following = next_bucket(start, self.granularity)
            found.append(Bucket(start, following))
            start = following
        return found


class DailyFigure(NamedTuple):
    """One day's sum of a metric (platform-wide, or one organization's); a tuple, as a
    year of them is read for every dashboard."""

    day: date
    metric: Metric
    currency: str  # "" when the metric holds no money
    kg: int
    number: int  # how many (batches, retirements, orders, projects)
    amount: Decimal


@dataclass
class Figures:
    """The sums of one bucket or of the whole range."""

    kg: dict[Metric, int] = field(default_factory=dict)
    count: dict[Metric, int] = field(default_factory=dict)
    money: dict[Metric, dict[str, Decimal]] = field(default_factory=dict)
    active_users: int = 0

    def amounts(self, metric: Metric) -> list[Money]:
        held = self.money.get(metric, {})
        return [Money.of(held[c], c) for c in sorted(held)]


@dataclass(frozen=True)
class ProjectCounts:
    total: int
    by_status: Mapping[str, int]
    by_type: Mapping[str, int]
    by_country: Mapping[str, int]


@dataclass(frozen=True)
class Health:
    indexer_lag_blocks: int | None  # None: no checkpoint yet
    outbox_backlog: int
    failed_jobs: int
    jobs_in_range: int
    failed_in_range: int

    @property
    def error_rate(self) -> Decimal:
        """The share of the range's jobs that failed at least once (0 without jobs)."""
        if self.jobs_in_range == 0:
            return Decimal("0")
        return (Decimal(self.failed_in_range) / self.jobs_in_range).quantize(Decimal("0.0001"))


@dataclass(frozen=True)
class Dashboard:
    range: Range
    buckets: list[Bucket]
    series: list[Figures]
    totals: Figures
    projects: ProjectCounts
    health: Health | None = None


def summed(
    range_: Range,
    figures: Iterable[DailyFigure],
    active: Mapping[date, int],
    active_total: int,
) -> tuple[list[Bucket], list[Figures], Figures]:
    """The daily figures summed per bucket and over the range; `active` holds each
    bucket's distinct active users by its start. (A year by day is thousands of figures:
    the loop adds each to its bucket and to the totals, in one pass.)"""
    buckets = range_.buckets()
    series = [Figures(active_users=active.get(b.start, 0)) for b in buckets]
    index = {b.start: i for i, b in enumerate(buckets)}
    granularity = range_.granularity
    by_day = granularity is Granularity.DAY
    totals = Figures(active_users=active_total)
    all_kg, all_count, all_money = totals.kg, totals.count, totals.money
    for day, m, currency, kg, number, amount in figures:
        at = index.get(day if by_day else bucket_start(day, granularity))
        if at is None:
            continue
        bucket = series[at]
        held_kg, held_count = bucket.kg, bucket.count
        held_kg[m] = held_kg.get(m, 0) + kg
        held_count[m] = held_count.get(m, 0) + number
        all_kg[m] = all_kg.get(m, 0) + kg
        all_count[m] = all_count.get(m, 0) + number
        if currency:
            mine = bucket.money.setdefault(m, {})
            mine[currency] = mine.get(currency, ZERO) + amount
            every = all_money.setdefault(m, {})
            every[currency] = every.get(currency, ZERO) + amount
    return buckets, series, totals
