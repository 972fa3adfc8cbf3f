"""Ranges cut into UTC buckets: days, ISO weeks from Monday, calendar months; widened to
whole buckets, every bucket present, too many refused."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.domain.analytics.model import (
    MAX_BUCKETS,
    DailyFigure,
    Granularity,
    Metric,
    Range,
    bucket_start,
    summed,
)
from app.domain.shared.errors import InvalidValue

TODAY = date(2026, 3, 15)
DAY, WEEK, MONTH = Granularity.DAY, Granularity.WEEK, Granularity.MONTH


def test_the_default_range_is_the_last_thirty_days_by_day():
    r = Range.of(None, None, DAY, today=TODAY)
    assert (r.first, r.last, r.bucket_count()) == (date(2026, 2, 14), TODAY, 30)


def test_weeks_start_on_monday_and_the_range_widens_to_whole_weeks():
    r = Range.of(date(2025, 1, 1), date(2025, 1, 8), WEEK, today=TODAY)  # a Wednesday each
    assert [b.start for b in r.buckets()] == [date(2024, 12, 30), date(2025, 1, 6)]
    assert r.last == date(2025, 1, 12)  # a Sunday
    assert bucket_start(date(2025, 1, 5), WEEK) == date(2024, 12, 30)  # Sunday's Monday


def test_months_run_from_their_first_day_across_a_year_end_and_a_leap_february():
    r = Range.of(date(2023, 12, 31), date(2024, 3, 1), MONTH, today=TODAY)
    buckets = r.buckets()
    starts = [date(2023, 12, 1), date(2024, 1, 1), date(2024, 2, 1), date(2024, 3, 1)]
    assert [b.start for b in buckets] == starts
    assert buckets[2].last_day == date(2024, 2, 29)
    assert r.last == date(2024, 3, 31)


def test_a_leap_year_by_day_holds_366_buckets():
    r = Range.of(date(2024, 1, 1), date(2024, 12, 31), DAY, today=TODAY)
    assert len(r.buckets()) == r.bucket_count() == 366


@pytest.mark.parametrize(
    ("first", "last", "granularity", "code"),
    [
        (date(2026, 2, 1), date(2026, 1, 1), DAY, "invalid_range"),
        (date(2020, 1, 1), date(2026, 1, 1), DAY, "range_too_long"),
        (date(1900, 1, 1), date(2026, 1, 1), MONTH, "range_too_long"),
        (None, date(1, 1, 3), DAY, "invalid_range"),
        (date(9999, 12, 1), date(9999, 12, 31), MONTH, "invalid_range"),
    ],
)
def test_bad_ranges_are_refused(first, last, granularity, code):
    with pytest.raises(InvalidValue) as refused:
        Range.of(first, last, granularity, today=TODAY)
    assert refused.value.code == code


def test_the_cap_holds_at_its_limit():
    r = Range.of(date(2000, 1, 1), date(2033, 4, 30), MONTH, today=TODAY)
    assert r.bucket_count() == MAX_BUCKETS


def _fig(day: date, kg: int, currency: str = "", amount: str = "0") -> DailyFigure:
    metric = Metric.PURCHASED if currency else Metric.ISSUED
    return DailyFigure(day, metric, currency, kg, 1, Decimal(amount))


def test_figures_sum_into_their_buckets_and_empty_buckets_stay():
    r = Range.of(date(2026, 1, 1), date(2026, 3, 31), MONTH, today=TODAY)
    figures = [
        _fig(date(2026, 1, 31), 1000),
        _fig(date(2026, 1, 1), 500),
        _fig(date(2026, 3, 2), 10, "EUR", "1.10"),
        _fig(date(2026, 3, 3), 20, "EUR", "2.25"),
    ]
    buckets, series, totals = summed(r, figures, {date(2026, 3, 1): 2}, 2)
    assert len(buckets) == len(series) == 3
    assert series[0].kg == {Metric.ISSUED: 1500}
    assert series[1].kg == {}
    assert series[1].active_users == 0
    assert series[2].amounts(Metric.PURCHASED)[0].amount == Decimal("3.35")
    assert series[2].active_users == 2
    assert totals.kg == {Metric.ISSUED: 1500, Metric.PURCHASED: 30}
    assert totals.count[Metric.ISSUED] == 2


def test_a_figure_outside_the_range_is_left_out():
    r = Range.of(date(2026, 1, 5), date(2026, 1, 5), DAY, today=TODAY)
    _, series, totals = summed(r, [_fig(date(2026, 1, 6), 7)], {}, 0)
    assert series[0].kg == {}
    assert totals.kg == {}
