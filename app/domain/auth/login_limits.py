"""Use cases of the login throttle (the rules are in `throttle`), called by `login`.

An attempt is counted as a failure before its password is checked, in a short
transaction of its own that locks the account's records (the account-wide one first,
always, so two attempts never wait on each other crosswise). So concurrent guesses
cannot all read the same count and slip past it, and no lock is held while the password
hash is computed. A correct password then takes the count back."""

from __future__ import annotations

import math
from datetime import datetime

from app.domain.auth.errors import LoginBackoff
from app.domain.auth.throttle import EVERYWHERE, LoginFailures, LoginThrottle
from app.ports.clock import Clock
from app.ports.repositories.auth import AuthUoW

PRUNE_BATCH = 100


def reserve_attempt(
    account: str, source: str, *, uow: AuthUoW, clock: Clock, throttle: LoginThrottle
) -> None:
    """Count the attempt as failed, or refuse it while a wait runs (then nothing counts)."""
    with uow:
        now = clock.now()
        everywhere, here = _records(account, source, uow)
        until = throttle.refused_until(here, everywhere, now)
        if until is not None:
            seconds = math.ceil((until - now).total_seconds())
            raise LoginBackoff(
                f"Too many failed logins for this account; try again in {seconds} s.",
                retry_after_seconds=seconds,
            )
        for record in (everywhere, here):
            throttle.failed(record, now)
            uow.login_failures.save(record)
        uow.commit()


def take_back(
    account: str, source: str, *, uow: AuthUoW, now: datetime, throttle: LoginThrottle
) -> None:
    """The password was right: clear the source's and the account-wide count (inside the
    caller's transaction); the source now counts as known."""
    for record in _records(account, source, uow):
        throttle.succeeded(record, now)
        uow.login_failures.save(record)


def prune(*, uow: AuthUoW, clock: Clock) -> None:
    """Forget a batch of records that remember nothing any more (after a failure: the
    only path that makes records for emails nobody owns)."""
    with uow:
        if uow.login_failures.prune(clock.now(), PRUNE_BATCH):
            uow.commit()


def _records(account: str, source: str, uow: AuthUoW) -> tuple[LoginFailures, LoginFailures]:
    everywhere = uow.login_failures.get_for_update(account, EVERYWHERE)
    return everywhere, uow.login_failures.get_for_update(account, source)
