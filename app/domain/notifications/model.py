"""Notifications, their deliveries per channel, and what each user wants to receive.

A `Notification` is what happened, told to one user (title, body, link); it is listed in
the app when the user keeps `in_app` on. Each other channel the user wants it on gets a
`Delivery`: sent at once (`pending`), or `held` for the daily digest, which is itself a
delivery of trigger `digest`. Both are unique per (dedup key, trigger, user[, channel]):
an event told twice, or a job run twice, finds them there and adds nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from app.domain.notifications.errors import DigestEmailOnly
from app.domain.shared.json import JSON


class Trigger(StrEnum):
    PROJECT_STATUS_CHANGED = "project_status_changed"
    POAI_CASE_UPDATED = "poai_case_updated"
    PURCHASE_CONFIRMED = "purchase_confirmed"
    RETIREMENT_COMPLETED = "retirement_completed"
    CERTIFICATE_READY = "certificate_ready"
    REPORT_READY = "report_ready"
    GOVERNANCE_PROPOSAL_CREATED = "governance_proposal_created"
    RETIREMENT_REMINDER = "retirement_reminder"


# The trigger of a daily digest's own delivery (not a preference: it follows the
# triggers whose email is `daily`).
DIGEST = "digest"


class Channel(StrEnum):
    EMAIL = "email"
    IN_APP = "in_app"
    SMS = "sms"
    PUSH = "push"


class Frequency(StrEnum):
    IMMEDIATE = "immediate"
    DAILY = "daily"


# Channels that are on for a trigger until the user turns them off.
ON_BY_DEFAULT = frozenset({Channel.EMAIL, Channel.IN_APP})


@dataclass(frozen=True)
class Preference:
    trigger: Trigger
    channel: Channel
    enabled: bool
    frequency: Frequency = Frequency.IMMEDIATE

    def __post_init__(self) -> None:
        if self.frequency == Frequency.DAILY and self.channel != Channel.EMAIL:
            raise DigestEmailOnly(
                f"{self.channel} is immediate or off: only email has a daily digest",
                errors={"frequency": [f"daily is for email only, not {self.channel}"]},
            )

    @property
    def key(self) -> tuple[Trigger, Channel]:
        return (self.trigger, self.channel)


def default_preference(trigger: Trigger, channel: Channel) -> Preference:
    return Preference(trigger, channel, channel in ON_BY_DEFAULT)


def effective_preferences(stored: list[Preference]) -> list[Preference]:
    """Every (trigger, channel): what the user stored, else the default."""
    chosen = {p.key: p for p in stored}
    return [chosen.get((t, c)) or default_preference(t, c) for t in Trigger for c in Channel]


@dataclass
class Notification:
    id: str
    user_id: str
    trigger: Trigger
    dedup_key: str
    title: str
    body: str
    link: str | None
    created_at: datetime
    in_app: bool = True  # listed in the app (off: it exists only for its deliveries)
    data: dict[str, JSON] = field(default_factory=dict)
    read_at: datetime | None = None

    def mark_read(self, now: datetime) -> bool:
        if self.read_at is not None:
            return False
        self.read_at = now
        return True


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # to be sent at `next_attempt_at`
    HELD = "held"  # waits for the user's next daily digest
    DIGESTED = "digested"  # went into the digest `digest_id`
    SENT = "sent"
    FAILED = "failed"  # refused for good, or out of attempts: shown to admins
    CANCELLED = "cancelled"  # the user turned the channel off before it went out


@dataclass(frozen=True)
class RetryPolicy:
    """Transient failures (a server down, a 4xx reply) are tried again after a delay that
    doubles each time, up to `max_attempts` in all."""

    max_attempts: int = 8
    first_delay: timedelta = timedelta(seconds=30)
    max_delay: timedelta = timedelta(hours=6)

    def delay(self, attempts: int) -> timedelta:
        delay: timedelta = self.first_delay * 2 ** max(0, attempts - 1)
        return min(delay, self.max_delay)


@dataclass
class Delivery:
    id: str
    user_id: str
    trigger: str  # a Trigger, or DIGEST
    channel: Channel
    dedup_key: str
    created_at: datetime
    notification_id: str | None  # None for a digest
    status: DeliveryStatus = DeliveryStatus.PENDING
    next_attempt_at: datetime | None = None
    attempts: int = 0
    last_error: str | None = None
    sent_at: datetime | None = None
    failed_at: datetime | None = None
    digest_id: str | None = None

    def due(self, now: datetime) -> bool:
        return self.status == DeliveryStatus.PENDING and (
            self.next_attempt_at is None or self.next_attempt_at <= now
        )

    def mark_sent(self, now: datetime) -> None:
        self.attempts += 1
        self.status, self.sent_at, self.next_attempt_at = DeliveryStatus.SENT, now, None

    def mark_failed(
        self, error: str, now: datetime, *, permanent: bool, policy: RetryPolicy
    ) -> None:
        """Record a failed attempt: tried again later unless it is permanent or the last."""
        self.attempts += 1
        self.last_error = error[:2000]
        if permanent or self.attempts >= policy.max_attempts:
            self.status, self.failed_at, self.next_attempt_at = DeliveryStatus.FAILED, now, None
        else:
            self.next_attempt_at = now + policy.delay(self.attempts)

    def cancel(self) -> None:
        self.status, self.next_attempt_at = DeliveryStatus.CANCELLED, None


def digest_key(local_day: str) -> str:
    """The dedup key of a user's digest of one day (in the user's time zone)."""
    return f"digest:{local_day}"
