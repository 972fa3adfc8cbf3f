"""Login against the throttle, through the service and in-memory repositories."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.domain.auth import services
from app.domain.auth.admin import ensure_user
from app.domain.auth.errors import InvalidCredentials, LoginBackoff
from app.domain.auth.permissions import Role
from app.domain.auth.policy import AuthPolicy
from app.domain.auth.services import ClientInfo
from app.domain.auth.throttle import EVERYWHERE, LoginThrottle
from app.domain.shared.errors import Unauthenticated
from tests.fakes.auth import FakePasswordHasher
from tests.fakes.platform import FakeUnitOfWork

PASSWORD = "Correct-Horse-42"
WRONG = "Wrong-Horse-42"
EMAIL = "ada@example.org"
POLICY = AuthPolicy(login_throttle=LoginThrottle(free_failures=3, account_free_failures=6))


class World:
    def __init__(self) -> None:
        self.uow = FakeUnitOfWork()
        self.clock = self.uow.clock
        self.hasher = FakePasswordHasher()
        ensure_user(
            EMAIL,
            PASSWORD,
            roles={Role.RETAIL},
            display_name="Ada",
            uow=self.uow,
            hasher=self.hasher,
            clock=self.clock,
        )

    def login(self, password: str = PASSWORD, *, ip: str = "198.51.100.7", email: str = EMAIL):
        return services.login(
            email,
            password,
            uow=self.uow,
            hasher=self.hasher,
            clock=self.clock,
            policy=POLICY,
            client=ClientInfo("pytest", ip),
        )

    def outcome(self, password: str = PASSWORD, **kw: str) -> str | int:
        """The outcome: "ok", "401", or the seconds to wait."""
        try:
            self.login(password, **kw)
        except LoginBackoff as refused:
            return refused.retry_after_seconds
        except InvalidCredentials:
            return "401"
        return "ok"


def test_failures_beyond_the_free_ones_make_the_address_wait_longer_each_time():
    w = World()
    assert [w.outcome(WRONG) for _ in range(4)] == ["401"] * 4
    assert w.outcome() == 1  # even the right password waits
    w.clock.advance(seconds=1)
    assert w.outcome(WRONG) == "401"
    assert w.outcome(WRONG) == 2
    w.clock.advance(seconds=2)
    assert w.outcome(WRONG) == "401"
    assert w.outcome() == 4
    w.clock.advance(seconds=4)
    assert w.outcome() == "ok"


def test_a_refused_attempt_does_not_count():
    w = World()
    for _ in range(4):
        w.outcome(WRONG)
    assert [w.outcome(WRONG) for _ in range(5)] == [1] * 5
    assert w.uow.login_failures.items[(EMAIL, "198.51.100.7")].failures == 4


def test_a_strangers_failures_do_not_stop_the_owner_at_another_address():
    w = World()
    assert [w.outcome(WRONG, ip="203.0.113.66") for _ in range(10)] == ["401"] * 4 + [1] * 6
    assert w.outcome(ip="198.51.100.7") == "ok"
    # and the owner's login does not lift the stranger's wait
    assert w.outcome(WRONG, ip="203.0.113.66") == 1


def test_failures_from_many_addresses_slow_new_addresses_not_known_ones():
    w = World()
    assert w.outcome(ip="192.0.2.1") == "ok"  # the owner's usual address
    for i in range(7):
        assert w.outcome(WRONG, ip=f"203.0.113.{i}") == "401"
    assert w.outcome(ip="198.51.100.200") == 1
    assert w.outcome(ip="192.0.2.1") == "ok"
    # the owner's login cleared the account-wide count
    assert w.outcome(ip="198.51.100.200") == "ok"


def test_a_success_clears_the_count():
    w = World()
    for _ in range(3):
        w.outcome(WRONG)
    assert w.outcome() == "ok"
    assert [w.outcome(WRONG) for _ in range(4)] == ["401"] * 4
    assert w.outcome(WRONG) == 1


def test_an_unknown_email_is_throttled_like_a_real_account():
    w = World()
    real = [w.outcome(WRONG) for _ in range(6)]
    unknown = [w.outcome(WRONG, email="nobody@example.org") for _ in range(6)]
    assert real == unknown == ["401"] * 4 + [1, 1]


def test_the_email_is_counted_normalized():
    w = World()
    for _ in range(4):
        w.outcome(WRONG, email=" ADA@Example.org")
    assert w.outcome() == 1


def test_the_right_password_of_an_unverified_account_counts_as_no_failure():
    w = World()
    user = w.uow.users.by_email(EMAIL)
    assert user is not None
    user.email_verified = False
    w.uow.users.save(user)
    for _ in range(3):
        w.outcome(WRONG)
    with pytest.raises(Unauthenticated) as refused:
        w.login()
    assert refused.value.code == "email_not_verified"
    assert w.uow.login_failures.items[(EMAIL, "198.51.100.7")].failures == 0
    assert w.uow.login_failures.items[(EMAIL, EVERYWHERE)].failures == 0


def test_expired_records_are_pruned_after_a_failure():
    w = World()
    w.outcome(WRONG, email="someone@example.org")
    assert len(w.uow.login_failures.items) == 2
    w.clock.current += timedelta(days=2)
    w.outcome(WRONG, email="other@example.org")
    assert {account for account, _ in w.uow.login_failures.items} == {"other@example.org"}
