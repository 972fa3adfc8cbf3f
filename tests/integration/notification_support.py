"""Helpers of the notifications tests: an organization of signed-in members, events
published as a use case publishes them, waiting until every notification job ran, and
what a real SMTP server received."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any

import sqlalchemy as sa

from app.adapters.sql.tables_notifications import notification_deliveries
from app.domain.notifications.model import Channel, Delivery, DeliveryStatus
from app.domain.projects.events import ProjectStatusChanged
from app.domain.shared.events import DomainEvent
from app.domain.shared.ids import new_id
from tests.integration.identity import Caller, wait_for

PREFS = "/api/v1/me/notification-preferences"


def publish(app: Any, event: DomainEvent) -> None:
    platform = app.extensions["platform"]
    with platform.uow() as unit:
        unit.publish(event)
        unit.commit()


def status_changed(org_id: str, to: str = "approved", project_id: str = "p-1") -> DomainEvent:
    return ProjectStatusChanged(project_id, org_id, "submitted", to, None, None)


def jobs_done(app: Any) -> None:
    """Wait until every notification job in the outbox ran."""
    engine = app.extensions["platform"].db.engine

    def done() -> bool:
        with engine.connect() as conn:
            left = conn.execute(
                sa.text(
                    "SELECT count(*) FROM outbox WHERE done_at IS NULL "
                    "AND name LIKE 'notifications.%'"
                )
            ).scalar_one()
        return left == 0

    wait_for(done, timeout=30)


def failed_deliveries(app: Any, user_id: str, count: int) -> None:
    """`count` deliveries to the user that failed for good."""
    platform = app.extensions["platform"]
    now = platform.clock.now()
    with platform.uow() as unit:
        for i in range(count):
            delivery = Delivery(
                new_id(), user_id, "report_ready", Channel.EMAIL, f"report:r{i}", now, None,
                status=DeliveryStatus.FAILED, attempts=1, last_error="550 refused", failed_at=now,
            )  # fmt: skip
            unit.notifications.add_delivery(delivery)
        unit.commit()


def deliveries(app: Any) -> list[Any]:
    with app.extensions["platform"].db.engine.connect() as conn:
        return list(conn.execute(sa.select(notification_deliveries)).all())


def notification_mails(messages: list[EmailMessage]) -> Counter[tuple[str, str]]:
    """(to, subject) of each notification email (those with an unsubscribe link)."""
    return Counter(
        (str(m["To"]), str(m["Subject"])) for m in messages if m["List-Unsubscribe"] is not None
    )


def in_app(caller: Caller) -> list[dict[str, Any]]:
    listed = caller.get("/api/v1/notifications?page_size=100")
    assert listed.status_code == 200, listed.get_json()
    return list(listed.get_json())


class ShiftedClock:
    """The system clock moved forward: retries and digests that are due later, now."""

    def __init__(self, by: timedelta) -> None:
        self.by = by

    def now(self) -> datetime:
        from datetime import UTC

        return datetime.now(UTC) + self.by
