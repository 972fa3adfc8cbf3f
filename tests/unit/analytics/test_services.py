"""Who sees which dashboard, what the public one leaves out, and how days are read:
from the rollups once summed after they ended, from the raw rows otherwise."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from types import MappingProxyType

import pytest

from app.domain.analytics import services
from app.domain.analytics.model import DailyFigure, Granularity, Metric, Range
from app.domain.auth.permissions import OrgRole, Role
from app.domain.auth.principal import Principal
from app.domain.shared.errors import NotFound, PermissionDenied
from tests.fakes.analytics import FakeAnalytics
from tests.fakes.clock import FakeClock

ORG, OTHER = "org-1", "org-2"
ADMIN = Principal("admin", "user", roles=frozenset({Role.PLATFORM_ADMIN}))
MEMBER = Principal("member", "user", memberships=MappingProxyType({ORG: OrgRole.AUDITOR}))
STRANGER = Principal("stranger", "user")
JAN = Range.of(date(2026, 1, 1), date(2026, 1, 31), Granularity.WEEK, today=date(2026, 2, 1))


def _world() -> FakeAnalytics:
    world = FakeAnalytics(organizations={ORG, OTHER})
    for org, day, kg in ((ORG, 5, 1000), (OTHER, 6, 2000), (ORG, 20, 500)):
        on = date(2026, 1, day)
        world.raw.append((org, DailyFigure(on, Metric.RETIRED, "", kg, 1, Decimal(0))))
        world.raw.append((org, DailyFigure(on, Metric.REVENUE, "EUR", 0, 1, Decimal("1.50"))))
        world.raw.append((org, DailyFigure(on, Metric.PURCHASED, "EUR", kg, 1, Decimal("30"))))
    world.sign_ins += [
        (date(2026, 1, 5), "u1", frozenset({ORG})),
        (date(2026, 1, 6), "u2", frozenset()),
    ]
    world.projects += [(ORG, "active", "forestry", "BR"), (OTHER, "draft", "cookstoves", "KE")]
    return world


def test_only_platform_admins_see_the_platform():
    with pytest.raises(PermissionDenied):
        services.platform_dashboard(MEMBER, JAN, reads=_world())
    board = services.platform_dashboard(ADMIN, JAN, reads=_world())
    assert board.totals.kg[Metric.RETIRED] == 3500
    assert board.totals.amounts(Metric.REVENUE)[0].amount == Decimal("4.50")
    assert board.health is not None
    assert board.health.error_rate == Decimal("0.1000")


def test_an_organization_is_its_members_and_has_no_revenue():
    board = services.organization_dashboard(MEMBER, ORG, JAN, reads=_world())
    assert board.totals.kg[Metric.RETIRED] == 1500
    assert Metric.REVENUE not in board.totals.money
    assert board.totals.active_users == 1
    assert board.projects.total == 1
    with pytest.raises(NotFound):
        services.organization_dashboard(MEMBER, OTHER, JAN, reads=_world())
    with pytest.raises(NotFound):
        services.organization_dashboard(STRANGER, ORG, JAN, reads=_world())
    with pytest.raises(NotFound):
        services.organization_dashboard(ADMIN, "missing", JAN, reads=_world())


def test_the_public_sees_tonnes_and_counts_but_no_money_and_no_drafts():
    board = services.public_stats(JAN, reads=_world())
    assert board.totals.money == {}
    assert all(f.money == {} for f in board.series)
    assert board.totals.kg[Metric.PURCHASED] == 3500
    assert board.projects.by_status == {"active": 1}
    assert board.totals.active_users == 2


def test_days_summed_after_they_ended_come_from_the_rollups_the_rest_from_raw_rows():
    world = _world()
    clock = FakeClock(datetime(2026, 1, 16, 8, tzinfo=UTC))
    # the weeks start on 2025-12-29; the days up to 15 January are over at 8:00 on the 16th
    services.recompute_days(world, date(2025, 12, 29), date(2026, 1, 17), clock=clock)
    world.raw.append((ORG, DailyFigure(date(2026, 1, 7), Metric.RETIRED, "", 99, 1, Decimal(0))))
    board = services.platform_dashboard(ADMIN, JAN, reads=world)
    assert world.reads == [
        ("rollup", date(2025, 12, 29), date(2026, 1, 16)),
        ("raw", date(2026, 1, 16), date(2026, 2, 2)),
    ]
    assert board.totals.kg[Metric.RETIRED] == 3500  # the late row waits for its day's rerun
    services.recompute_days(world, date(2026, 1, 7), date(2026, 1, 8), clock=clock)
    assert services.platform_dashboard(ADMIN, JAN, reads=world).totals.kg[Metric.RETIRED] == 3599


def test_the_periodic_refresh_fills_the_days_never_summed_and_redoes_the_last_two():
    world = _world()
    clock = FakeClock(datetime(2026, 1, 21, 9, tzinfo=UTC))
    assert services.refresh(world, clock=clock) == 17  # 5 Jan .. 21 Jan
    assert services.refresh(world, clock=clock) == 2  # yesterday and today again
    assert services.refresh(FakeAnalytics(), clock=clock) == 0


def test_a_gap_in_the_summed_days_sends_the_rest_of_the_range_to_the_raw_rows():
    world = _world()
    clock = FakeClock(datetime(2026, 2, 1, tzinfo=UTC))
    services.recompute_days(world, date(2025, 12, 29), date(2026, 1, 6), clock=clock)
    services.recompute_days(world, date(2026, 1, 7), date(2026, 2, 1), clock=clock)
    assert services.summed_until(world, JAN) == date(2026, 1, 6)
    world.computed_at.clear()
    assert services.summed_until(world, JAN) == JAN.first
