"""The login throttle's rules: pure functions of the counts and the time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.domain.auth.throttle import (
    EVERYWHERE,
    UNKNOWN_SOURCE,
    LoginFailures,
    LoginThrottle,
    address_block,
)
from tests.fakes.clock import FakeClock

THROTTLE = LoginThrottle(free_failures=3, account_free_failures=10)
ACCOUNT = "ada@example.org"


def seconds(n: float) -> timedelta:
    return timedelta(seconds=n)


def fail(throttle: LoginThrottle, record: LoginFailures, clock: FakeClock, times: int) -> None:
    for _ in range(times):
        throttle.failed(record, clock.now())


def test_the_free_failures_cost_nothing_then_each_one_doubles_the_wait():
    waits = [THROTTLE.wait(n, free=3) for n in range(1, 9)]
    assert waits == [seconds(0)] * 3 + [seconds(1), seconds(2), seconds(4), seconds(8), seconds(16)]


def test_the_wait_is_capped():
    throttle = LoginThrottle(max_wait=timedelta(minutes=15))
    assert throttle.wait(20, free=5) == timedelta(minutes=15)
    assert throttle.wait(10**9, free=5) == timedelta(minutes=15)


def test_a_source_waits_from_its_last_failure():
    clock, here = FakeClock(), LoginFailures(ACCOUNT, "198.51.100.7")
    fail(THROTTLE, here, clock, 3)
    assert THROTTLE.retry_at(here, clock.now()) is None
    fail(THROTTLE, here, clock, 1)
    assert THROTTLE.retry_at(here, clock.now()) == clock.now() + seconds(1)
    clock.advance(seconds=1)
    assert THROTTLE.retry_at(here, clock.now()) is None
    fail(THROTTLE, here, clock, 1)
    assert THROTTLE.retry_at(here, clock.now()) == clock.now() + seconds(2)


def test_the_account_wide_count_has_its_own_much_higher_threshold():
    clock = FakeClock()
    here, everywhere = LoginFailures(ACCOUNT, "203.0.113.9"), LoginFailures(ACCOUNT, EVERYWHERE)
    fail(THROTTLE, everywhere, clock, 10)
    assert THROTTLE.refused_until(here, everywhere, clock.now()) is None
    fail(THROTTLE, everywhere, clock, 1)
    assert THROTTLE.refused_until(here, everywhere, clock.now()) == clock.now() + seconds(1)


def test_an_address_the_account_logged_in_from_ignores_the_account_wide_wait():
    clock = FakeClock()
    home, everywhere = LoginFailures(ACCOUNT, "192.0.2.1"), LoginFailures(ACCOUNT, EVERYWHERE)
    THROTTLE.succeeded(home, clock.now())
    fail(THROTTLE, everywhere, clock, 30)
    assert THROTTLE.refused_until(home, everywhere, clock.now()) is None
    stranger = LoginFailures(ACCOUNT, "203.0.113.9")
    assert THROTTLE.refused_until(stranger, everywhere, clock.now()) is not None
    # but the address's own count still applies to it
    fail(THROTTLE, home, clock, 4)
    assert THROTTLE.refused_until(home, everywhere, clock.now()) == clock.now() + seconds(1)


def test_an_address_is_known_for_a_limited_time():
    clock, home = FakeClock(), LoginFailures(ACCOUNT, "192.0.2.1")
    THROTTLE.succeeded(home, clock.now())
    clock.advance(days=29)
    assert THROTTLE.known(home, clock.now())
    clock.advance(days=1)
    assert not THROTTLE.known(home, clock.now())


def test_a_success_clears_the_count():
    clock, here = FakeClock(), LoginFailures(ACCOUNT, "198.51.100.7")
    fail(THROTTLE, here, clock, 6)
    THROTTLE.succeeded(here, clock.now())
    assert (here.failures, here.last_failure_at) == (0, None)
    assert THROTTLE.retry_at(here, clock.now()) is None
    fail(THROTTLE, here, clock, 3)
    assert THROTTLE.retry_at(here, clock.now()) is None


def test_failures_are_forgotten_after_a_quiet_day():
    clock, here = FakeClock(), LoginFailures(ACCOUNT, "198.51.100.7")
    fail(THROTTLE, here, clock, 12)
    clock.advance(hours=23, minutes=59)
    assert here.failures == 12
    assert THROTTLE.retry_at(here, clock.now()) is None  # the capped wait is long over
    clock.advance(minutes=1)
    fail(THROTTLE, here, clock, 1)
    assert here.failures == 1


def test_a_record_expires_when_it_remembers_nothing_useful():
    clock = FakeClock()
    here, everywhere = LoginFailures(ACCOUNT, "198.51.100.7"), LoginFailures(ACCOUNT, EVERYWHERE)
    fail(THROTTLE, here, clock, 1)
    assert here.expires_at == clock.now() + timedelta(hours=24)
    THROTTLE.succeeded(here, clock.now())
    assert here.expires_at == clock.now() + timedelta(days=30)
    fail(THROTTLE, everywhere, clock, 1)
    THROTTLE.succeeded(everywhere, clock.now())
    assert everywhere.expires_at == clock.now()
    assert everywhere.last_success_at is None


def test_failures_are_remembered_at_least_as_long_as_the_longest_wait():
    throttle = LoginThrottle(free_failures=0, max_wait=timedelta(hours=48))
    start = datetime(2026, 1, 1, tzinfo=UTC)
    record = LoginFailures(ACCOUNT, "198.51.100.7")
    for _ in range(40):
        throttle.failed(record, start)
    later = start + timedelta(hours=47)
    assert throttle.retry_at(record, later) == start + timedelta(hours=48)


@pytest.mark.parametrize(
    ("ip", "source"),
    [
        ("198.51.100.7", "198.51.100.7"),
        (" 198.51.100.7 ", "198.51.100.7"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff::1", "2001:db8:1:2::/64"),
        ("::ffff:198.51.100.7", "198.51.100.7"),
        (None, UNKNOWN_SOURCE),
        ("", UNKNOWN_SOURCE),
        ("not an address", UNKNOWN_SOURCE),
    ],
)
def test_sources_are_addresses_and_ipv6_blocks(ip, source):
    assert address_block(ip) == source
