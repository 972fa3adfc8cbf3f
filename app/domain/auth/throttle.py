"""The login throttle: how long failed password logins make the next attempt wait.

Only failures count, never successes, and a correct password clears the count; so a
stranger who does not know the password can slow guessing but not lock the owner out:

- **Per account and address** (`free_failures`, default 5): after that many failures
  from one address (an IPv4 address, or the /64 block of an IPv6 one: one host has a
  whole /64), each further failure makes that address wait before its next attempt for
  the account, twice as long each time (1 s, 2 s, 4 s ... up to `max_wait`, 15 minutes).
  Other addresses are not affected, so a stranger's ten wrong passwords from their
  address do nothing to the owner at theirs.
- **Per account from every address together** (`account_free_failures`, default 50, far
  above the per-address number): the same doubling once the account has had that many
  failures from anywhere, which slows guessing spread over many addresses. It does not
  apply to an address the account logged in from within `known_for` (30 days): a
  distributed attack slows new devices of the owner, never one they already use.
- While a wait runs the attempt is refused before the password is checked, and the
  refusal counts as nothing (waiting out the wait is always enough).
- A correct password clears the address's count and the account-wide count (not other
  addresses' counts: the owner's login does not lift a guesser's wait). Failures are
  forgotten after `forget_after` (24 hours) without another.

Unknown emails are counted like real accounts, so a refusal says nothing about whether an
account exists. The records are `LoginFailures`, one per (account, source), with
`EVERYWHERE` as the account-wide source; `expires_at` tells when one remembers nothing."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

EVERYWHERE = "*"
UNKNOWN_SOURCE = "unknown"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_IPV6_BLOCK = 64
_MAX_DOUBLINGS = 40  # 2**40 s is far beyond any cap: no overflow for huge counts


@dataclass
class LoginFailures:
    """Failed logins for one account (normalized email) from one source."""

    account: str
    source: str
    failures: int = 0
    last_failure_at: datetime | None = None
    last_success_at: datetime | None = None
    expires_at: datetime = EPOCH  # a record that remembers nothing expires at once


def address_block(ip: str | None) -> str:
    """The source an address counts as: the IPv4 address, the /64 of an IPv6 one."""
    try:
        address = ipaddress.ip_address((ip or "").strip())
    except ValueError:
        return UNKNOWN_SOURCE
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, _IPV6_BLOCK), strict=False))
    return str(address)


@dataclass(frozen=True)
class LoginThrottle:
    free_failures: int = 5
    account_free_failures: int = 50
    first_wait: timedelta = timedelta(seconds=1)
    max_wait: timedelta = timedelta(minutes=15)
    forget_after: timedelta = timedelta(hours=24)
    known_for: timedelta = timedelta(days=30)

    def wait(self, failures: int, free: int) -> timedelta:
        """The wait after `failures` failures of which `free` cost nothing."""
        over = failures - free
        if over <= 0:
            return timedelta(0)
        doublings = min(over - 1, _MAX_DOUBLINGS)
        return min(self.max_wait, self.first_wait * (1 << doublings))

    def retry_at(self, record: LoginFailures, now: datetime) -> datetime | None:
        """When the record's source may try again; None: now."""
        last = record.last_failure_at
        if last is None or self._forgotten(record, now):
            return None
        free = self.account_free_failures if record.source == EVERYWHERE else self.free_failures
        at = last + self.wait(record.failures, free)
        return at if at > now else None

    def known(self, record: LoginFailures, now: datetime) -> bool:
        """The account logged in from this source recently."""
        success = record.last_success_at
        return success is not None and now - success < self.known_for

    def refused_until(
        self, here: LoginFailures, everywhere: LoginFailures, now: datetime
    ) -> datetime | None:
        """The end of the wait an attempt from `here` must sit out; None: it may try."""
        records = [here] if self.known(here, now) else [here, everywhere]
        waits = [at for at in (self.retry_at(r, now) for r in records) if at is not None]
        return max(waits, default=None)

    def failed(self, record: LoginFailures, now: datetime) -> None:
        if self._forgotten(record, now):
            record.failures = 0
        record.failures += 1
        record.last_failure_at = now
        record.expires_at = self._expiry(record, now)

    def succeeded(self, record: LoginFailures, now: datetime) -> None:
        record.failures = 0
        record.last_failure_at = None
        if record.source != EVERYWHERE:
            record.last_success_at = now
        record.expires_at = self._expiry(record, now)

    @property
    def memory(self) -> timedelta:
        """How long failures are remembered (never shorter than the longest wait)."""
        return max(self.forget_after, self.max_wait)

    def _forgotten(self, record: LoginFailures, now: datetime) -> bool:
        last = record.last_failure_at
        return last is None or now - last >= self.memory

    def _expiry(self, record: LoginFailures, now: datetime) -> datetime:
        ends = [now]
        if record.last_failure_at is not None:
            ends.append(record.last_failure_at + self.memory)
        if record.last_success_at is not None:
            ends.append(record.last_success_at + self.known_for)
        return max(ends)
