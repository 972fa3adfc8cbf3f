"""SQL repositories of notifications, and the audience directory (who reviews a case,
what a project is called, who holds a role), read from the other modules' tables."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.adapters.sql.database import upsert_insert
from app.adapters.sql.paging import page_of
from app.adapters.sql.tables_auth import user_roles
from app.adapters.sql.tables_notifications import (
    notification_deliveries as deliveries,
)
from app.adapters.sql.tables_notifications import (
    notification_preferences as preferences,
)
from app.adapters.sql.tables_notifications import (
    notifications,
)
from app.adapters.sql.tables_poai import poai_assignments
from app.adapters.sql.tables_projects import projects
from app.domain.notifications.model import (
    Channel,
    Delivery,
    DeliveryStatus,
    Frequency,
    Notification,
    Preference,
    Trigger,
)


def _notification(row: Any) -> Notification:
    data = dict(row._mapping)
    data.update(trigger=Trigger(data["trigger"]), data=dict(data["data"] or {}))
    return Notification(**data)


def _delivery(row: Any) -> Delivery:
    data = dict(row._mapping)
    data.update(channel=Channel(data["channel"]), status=DeliveryStatus(data["status"]))
    return Delivery(**data)


def _delivery_row(delivery: Delivery) -> dict[str, Any]:
    row = asdict(delivery)
    row.update(channel=delivery.channel.value, status=delivery.status.value)
    return row


class SqlNotificationRepository:
    def __init__(self, db: Session) -> None:
        self._db = db

    def _changed(self, statement: Any) -> int:
        # on the session's connection: its result is typed with the rowcount DML gets
        return int(self._db.connection().execute(statement).rowcount)

    def _inserted(self, table: sa.Table, row: dict[str, Any]) -> bool:
        return bool(
            self._changed(upsert_insert(self._db, table).values(row).on_conflict_do_nothing())
        )

    def add_notification(self, notification: Notification) -> bool:
        row = asdict(notification)
        row["trigger"] = notification.trigger.value
        return self._inserted(notifications, row)

    def _one(self, notification_id: str, *, lock: bool) -> Notification | None:
        query = sa.select(notifications).where(notifications.c.id == notification_id)
        row = self._db.execute(query.with_for_update() if lock else query).first()
        return None if row is None else _notification(row)

    def get(self, notification_id: str) -> Notification | None:
        return self._one(notification_id, lock=False)

    def for_update(self, notification_id: str) -> Notification | None:
        return self._one(notification_id, lock=True)

    def save(self, notification: Notification) -> None:
        self._db.execute(
            sa.update(notifications)
            .where(notifications.c.id == notification.id)
            .values(read_at=notification.read_at)
        )

    def list_for_user(
        self, user_id: str, unread: bool | None, offset: int, limit: int
    ) -> tuple[list[Notification], int]:
        t = notifications.c
        query = sa.select(notifications).where(t.user_id == user_id, t.in_app.is_(True))
        if unread is not None:
            query = query.where(t.read_at.is_(None) if unread else t.read_at.is_not(None))
        rows, total = page_of(
            self._db, query.order_by(t.created_at.desc(), t.id.desc()), offset, limit
        )
        return [_notification(r) for r in rows], total

    def mark_all_read(self, user_id: str, at: datetime) -> int:
        t = notifications.c
        return self._changed(
            sa.update(notifications)
            .where(t.user_id == user_id, t.in_app.is_(True), t.read_at.is_(None))
            .values(read_at=at)
        )

    def add_delivery(self, delivery: Delivery) -> bool:
        return self._inserted(deliveries, _delivery_row(delivery))

    def delivery_for_update(self, delivery_id: str) -> Delivery | None:
        query = sa.select(deliveries).where(deliveries.c.id == delivery_id).with_for_update()
        row = self._db.execute(query).first()
        return None if row is None else _delivery(row)

    def save_delivery(self, delivery: Delivery) -> None:
        self._db.execute(
            sa.update(deliveries)
            .where(deliveries.c.id == delivery.id)
            .values(_delivery_row(delivery))
        )

    def due_deliveries(self, now: datetime, limit: int) -> list[str]:
        d = deliveries.c
        query = (
            sa.select(d.id)
            .where(d.status == DeliveryStatus.PENDING.value, d.next_attempt_at <= now)
            .order_by(d.next_attempt_at, d.id)
            .limit(limit)
        )
        return list(self._db.execute(query).scalars())

    def users_with_held(self, limit: int) -> list[str]:
        d = deliveries.c
        query = (
            sa.select(d.user_id)
            .where(d.status == DeliveryStatus.HELD.value)
            .group_by(d.user_id)
            .order_by(d.user_id)
            .limit(limit)
        )
        return list(self._db.execute(query).scalars())

    def digest_held(self, user_id: str, digest_id: str) -> int:
        d = deliveries.c
        return self._changed(
            sa.update(deliveries)
            .where(d.user_id == user_id, d.status == DeliveryStatus.HELD.value)
            .values(status=DeliveryStatus.DIGESTED.value, digest_id=digest_id)
        )

    def digest_items(self, digest_id: str) -> list[Notification]:
        n = notifications.c
        query = (
            sa.select(notifications)
            .join(deliveries, deliveries.c.notification_id == n.id)
            .where(deliveries.c.digest_id == digest_id)
            .order_by(n.created_at, n.id)
        )
        return [_notification(r) for r in self._db.execute(query)]

    def failures(self, offset: int, limit: int) -> tuple[list[Delivery], int]:
        d = deliveries.c
        query = (
            sa.select(deliveries)
            .where(d.status == DeliveryStatus.FAILED.value)
            .order_by(d.failed_at.desc(), d.id.desc())
        )
        rows, total = page_of(self._db, query, offset, limit)
        return [_delivery(r) for r in rows], total

    def preferences(self, user_id: str) -> list[Preference]:
        p = preferences.c
        rows = self._db.execute(sa.select(preferences).where(p.user_id == user_id))
        return [
            Preference(Trigger(r.trigger), Channel(r.channel), r.enabled, Frequency(r.frequency))
            for r in rows
            if r.trigger in Trigger.__members__.values()
        ]

    def save_preferences(self, user_id: str, prefs: list[Preference]) -> None:
        for pref in prefs:
            row = {
                "user_id": user_id,
                "trigger": pref.trigger.value,
                "channel": pref.channel.value,
                "enabled": pref.enabled,
                "frequency": pref.frequency.value,
            }
            statement = upsert_insert(self._db, preferences).values(row)
            self._db.execute(
                statement.on_conflict_do_update(
                    index_elements=["user_id", "trigger", "channel"],
                    set_={"enabled": pref.enabled, "frequency": pref.frequency.value},
                )
            )


class SqlAudience:
    def __init__(self, db: Session) -> None:
        self._db = db

    def case_reviewers(self, case_id: str) -> list[str]:
        a = poai_assignments.c
        query = sa.select(a.reviewer_id).where(a.case_id == case_id).order_by(a.position)
        return list(self._db.execute(query).scalars())

    def project_name(self, project_id: str) -> str | None:
        query = sa.select(projects.c.name).where(projects.c.id == project_id)
        name: str | None = self._db.execute(query).scalar_one_or_none()
        return name

    def users_with_role(self, role: str) -> list[str]:
        query = sa.select(user_roles.c.user_id).where(user_roles.c.role == role)
        return sorted(self._db.execute(query).scalars())
