"""A world of users and an organization, the fake outlets, and the clock."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.domain.auth.model import Organization, User
from app.domain.auth.permissions import OrgRole
from app.domain.auth.principal import Principal
from app.domain.notifications.jobs import Outlets
from app.domain.notifications.model import Channel, RetryPolicy
from tests.fakes.clock import FakeClock
from tests.fakes.notifications import (
    FakeMailer,
    FakeNotificationsUnitOfWork,
    FakeSender,
    PlainTemplates,
)

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
KEY = b"k" * 32


def user(user_id: str, **over: object) -> User:
    fields: dict[str, object] = {
        "id": user_id,
        "email": f"{user_id}@example.com",
        "display_name": user_id.title(),
        "password_hash": None,
        "created_at": NOW,
        "email_verified": True,
    }
    return User(**(fields | over))  # type: ignore[arg-type]


def principal(user_id: str, admin: bool = False) -> Principal:
    from app.domain.auth.permissions import Role

    return Principal(user_id, "user", frozenset({Role.PLATFORM_ADMIN}) if admin else frozenset())


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


@pytest.fixture
def uow(clock: FakeClock) -> FakeNotificationsUnitOfWork:
    uow = FakeNotificationsUnitOfWork(clock)
    for name in ("ana", "ben", "rev", "buyer"):
        uow.users.add(user(name))
    uow.organizations.add(
        Organization(
            "org-1", "Mata Viva Ltd", NOW, "ana", {"ana": OrgRole.ADMIN, "ben": OrgRole.VIEWER}
        )
    )
    uow.audience.projects["p1"] = "Mata Viva"
    uow.audience.reviewers["case-1"] = ["rev"]
    return uow


@pytest.fixture
def mailer() -> FakeMailer:
    return FakeMailer()


@pytest.fixture
def sms() -> FakeSender:
    return FakeSender()


@pytest.fixture
def outlets(mailer: FakeMailer, sms: FakeSender) -> Outlets:
    return Outlets(
        mailer=mailer,
        templates=PlainTemplates(),
        senders={Channel.SMS: sms},
        public_base_url="https://carbon.example",
        unsubscribe_key=KEY,
        retry=RetryPolicy(max_attempts=3),
    )
