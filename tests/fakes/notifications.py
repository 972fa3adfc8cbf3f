"""In-memory notifications repository (enforcing the unique keys the tables do), the
audience directory, outlets that record what they send, and the unit of work."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from datetime import datetime

from app.domain.notifications.model import (
    Delivery,
    DeliveryStatus,
    Notification,
    Preference,
)
from app.ports.notifier import (
    ChannelMessage,
    EmailMessage,
    NotificationEmail,
    PermanentFailure,
    RenderedEmail,
)
from tests.fakes.platform import FakeUnitOfWork


class FakeNotificationRepository:
    def __init__(self) -> None:
        self.rows: dict[str, Notification] = {}
        self.deliveries: dict[str, Delivery] = {}
        self.prefs: dict[tuple[str, str, str], Preference] = {}

    def add_notification(self, notification: Notification) -> bool:
        key = (notification.dedup_key, notification.trigger, notification.user_id)
        if any((n.dedup_key, n.trigger, n.user_id) == key for n in self.rows.values()):
            return False
        self.rows[notification.id] = copy.deepcopy(notification)
        return True

    def get(self, notification_id: str) -> Notification | None:
        return copy.deepcopy(self.rows.get(notification_id))

    for_update = get

    def save(self, notification: Notification) -> None:
        self.rows[notification.id] = copy.deepcopy(notification)

    def list_for_user(
        self, user_id: str, unread: bool | None, offset: int, limit: int
    ) -> tuple[list[Notification], int]:
        found = [
            n
            for n in self.rows.values()
            if n.user_id == user_id
            and n.in_app
            and (unread is None or (n.read_at is None) == unread)
        ]
        found.sort(key=lambda n: (n.created_at, n.id), reverse=True)
        return copy.deepcopy(found[offset : offset + limit]), len(found)

    def mark_all_read(self, user_id: str, at: datetime) -> int:
        unread = [
            n for n in self.rows.values() if n.user_id == user_id and n.in_app and n.read_at is None
        ]
        for n in unread:
            n.read_at = at
        return len(unread)

    def add_delivery(self, delivery: Delivery) -> bool:
        def key(d: Delivery) -> tuple[str, str, str, str]:
            return (d.dedup_key, d.trigger, d.user_id, d.channel)

        if any(key(d) == key(delivery) for d in self.deliveries.values()):
            return False
        self.deliveries[delivery.id] = copy.deepcopy(delivery)
        return True

    def delivery_for_update(self, delivery_id: str) -> Delivery | None:
        return copy.deepcopy(self.deliveries.get(delivery_id))

    def save_delivery(self, delivery: Delivery) -> None:
        self.deliveries[delivery.id] = copy.deepcopy(delivery)

    def due_deliveries(self, now: datetime, limit: int) -> list[str]:
        due = [d for d in self.deliveries.values() if d.due(now)]
        due.sort(key=lambda d: (d.next_attempt_at or d.created_at, d.id))
        return [d.id for d in due[:limit]]

    def users_with_held(self, limit: int) -> list[str]:
        held = {d.user_id for d in self.deliveries.values() if d.status == DeliveryStatus.HELD}
        return sorted(held)[:limit]

    def digest_held(self, user_id: str, digest_id: str) -> int:
        held = [
            d
            for d in self.deliveries.values()
            if d.user_id == user_id and d.status == DeliveryStatus.HELD
        ]
        for d in held:
            d.status, d.digest_id = DeliveryStatus.DIGESTED, digest_id
        return len(held)

    def digest_items(self, digest_id: str) -> list[Notification]:
        ids = [d.notification_id for d in self.deliveries.values() if d.digest_id == digest_id]
        found = [self.rows[i] for i in ids if i is not None]
        return copy.deepcopy(sorted(found, key=lambda n: (n.created_at, n.id)))

    def failures(self, offset: int, limit: int) -> tuple[list[Delivery], int]:
        failed = [d for d in self.deliveries.values() if d.status == DeliveryStatus.FAILED]
        failed.sort(key=lambda d: (d.failed_at or d.created_at, d.id), reverse=True)
        return copy.deepcopy(failed[offset : offset + limit]), len(failed)

    def preferences(self, user_id: str) -> list[Preference]:
        return [p for (u, _, _), p in self.prefs.items() if u == user_id]

    def save_preferences(self, user_id: str, preferences: list[Preference]) -> None:
        for p in preferences:
            self.prefs[(user_id, p.trigger, p.channel)] = p


class FakeAudience:
    def __init__(self) -> None:
        self.reviewers: dict[str, list[str]] = {}
        self.projects: dict[str, str] = {}
        self.roles: dict[str, list[str]] = {}

    def case_reviewers(self, case_id: str) -> list[str]:
        return list(self.reviewers.get(case_id, []))

    def project_name(self, project_id: str) -> str | None:
        return self.projects.get(project_id)

    def users_with_role(self, role: str) -> list[str]:
        return list(self.roles.get(role, []))


class FakeNotificationsUnitOfWork(FakeUnitOfWork):
    REPOSITORIES = (*FakeUnitOfWork.REPOSITORIES, "notifications")

    def __init__(self, *args: object, **kwargs: object) -> None:
        self.notifications = FakeNotificationRepository()
        self.audience = FakeAudience()
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]


class FakeMailer:
    """Records what it sends; `failures` are raised, one per send, before it delivers."""

    def __init__(self) -> None:
        self.sent: list[EmailMessage] = []
        self.failures: list[Exception] = []

    def send(self, message: EmailMessage) -> None:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append(message)


class FakeSender:
    def __init__(self, permanent: bool = False) -> None:
        self.sent: list[ChannelMessage] = []
        self.permanent = permanent

    def send(self, message: ChannelMessage) -> None:
        if self.permanent:
            raise PermanentFailure("410 gone")
        self.sent.append(message)


class PlainTemplates:
    """Templates reduced to their facts, so tests read what each email says."""

    def render(self, email: NotificationEmail) -> RenderedEmail:
        text = f"{email.display_name}: {email.body} {email.link} {email.unsubscribe_url}"
        return RenderedEmail(email.title, text, f"<p>{text}</p>")

    def render_digest(
        self, display_name: str, items: Sequence[NotificationEmail], unsubscribe_url: str
    ) -> RenderedEmail:
        text = "\n".join(i.title for i in items)
        return RenderedEmail(f"Your daily digest: {len(items)}", text, f"<p>{text}</p>")
