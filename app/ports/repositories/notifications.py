"""Repositories of notifications: the notifications, their deliveries, the users'
preferences, and the directory that says who is told of what."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from app.domain.notifications.model import Delivery, Notification, Preference
from app.ports.repositories.auth import AuthUoW


class NotificationRepository(Protocol):
    def add_notification(self, notification: Notification) -> bool:
        """Store it; False (and nothing stored) when one with its (dedup key, trigger,
        user) exists."""
        ...

    def get(self, notification_id: str) -> Notification | None: ...

    def for_update(self, notification_id: str) -> Notification | None: ...

    def save(self, notification: Notification) -> None: ...

    def list_for_user(
        self, user_id: str, unread: bool | None, offset: int, limit: int
    ) -> tuple[list[Notification], int]:
        """The user's in-app notifications, newest first, and how many match."""
        ...

    def mark_all_read(self, user_id: str, at: datetime) -> int: ...

    def add_delivery(self, delivery: Delivery) -> bool:
        """Store it; False when one with its (dedup key, trigger, user, channel) exists."""
        ...

    def delivery_for_update(self, delivery_id: str) -> Delivery | None: ...

    def save_delivery(self, delivery: Delivery) -> None: ...

    def due_deliveries(self, now: datetime, limit: int) -> list[str]:
        """Ids of pending deliveries whose next attempt is due, oldest first."""
        ...

    def users_with_held(self, limit: int) -> list[str]:
        """Users who have deliveries held for a digest."""
        ...

    def digest_held(self, user_id: str, digest_id: str) -> int:
        """Move the user's held deliveries into the digest; how many moved."""
        ...

    def digest_items(self, digest_id: str) -> list[Notification]:
        """The notifications a digest gathers, oldest first."""
        ...

    def failures(self, offset: int, limit: int) -> tuple[list[Delivery], int]:
        """Deliveries that failed for good, newest first."""
        ...

    def preferences(self, user_id: str) -> list[Preference]:
        """What the user stored (defaults are not stored)."""
        ...

    def save_preferences(self, user_id: str, preferences: list[Preference]) -> None:
        """Insert or replace each (trigger, channel)."""
        ...


class Audience(Protocol):
    """Who belongs to what, as far as notifications need to know (read across modules
    by the adapter, so this module depends on none of them)."""

    def case_reviewers(self, case_id: str) -> list[str]: ...

    def project_name(self, project_id: str) -> str | None: ...

    def users_with_role(self, role: str) -> list[str]: ...


class NotificationsUoW(AuthUoW, Protocol):
    @property
    def notifications(self) -> NotificationRepository: ...

    @property
    def audience(self) -> Audience: ...
