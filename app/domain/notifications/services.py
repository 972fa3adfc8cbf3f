"""Use cases of notifications on the user's side: the in-app list and read marks, the
preferences, one-click unsubscribe, and the failures platform admins look at."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app.domain.auth.principal import Principal
from app.domain.notifications.errors import InvalidTimezone, NotificationNotFound
from app.domain.notifications.model import (
    DIGEST,
    Channel,
    Delivery,
    Frequency,
    Notification,
    Preference,
    Trigger,
    effective_preferences,
)
from app.domain.notifications.tokens import read_unsubscribe_token
from app.domain.shared.audit import AuditRecord
from app.domain.shared.errors import NotFound, PermissionDenied
from app.ports.clock import Clock
from app.ports.repositories.notifications import NotificationsUoW


def _user(principal: Principal) -> str:
    if principal.user_id is None:
        raise PermissionDenied("notifications belong to users, not API keys")
    return principal.user_id


def list_notifications(
    principal: Principal, *, unread: bool | None, offset: int, limit: int, uow: NotificationsUoW
) -> tuple[list[Notification], int]:
    with uow:
        return uow.notifications.list_for_user(_user(principal), unread, offset, limit)


def mark_read(
    principal: Principal, notification_id: str, *, uow: NotificationsUoW, clock: Clock
) -> Notification:
    with uow:
        found = uow.notifications.for_update(notification_id)
        if found is None or found.user_id != _user(principal) or not found.in_app:
            raise NotificationNotFound("notification not found")
        if found.mark_read(clock.now()):
            uow.notifications.save(found)
            uow.commit()
        return found


def mark_all_read(principal: Principal, *, uow: NotificationsUoW, clock: Clock) -> int:
    with uow:
        count = uow.notifications.mark_all_read(_user(principal), clock.now())
        uow.commit()
        return count


def get_preferences(principal: Principal, *, uow: NotificationsUoW) -> list[Preference]:
    with uow:
        return effective_preferences(uow.notifications.preferences(_user(principal)))


def _store(user_id: str, changes: list[Preference], actor: str, uow: NotificationsUoW) -> None:
    before = {p.key: p for p in effective_preferences(uow.notifications.preferences(user_id))}
    changed = [p for p in changes if before[p.key] != p]
    if not changed:
        return
    uow.notifications.save_preferences(user_id, changed)
    uow.audit(
        AuditRecord(
            "notifications.preferences_changed",
            "user",
            user_id,
            actor,
            before=[_pref_json(before[p.key]) for p in changed],
            after=[_pref_json(p) for p in changed],
        )
    )


def set_preferences(
    principal: Principal, changes: list[Preference], *, uow: NotificationsUoW
) -> list[Preference]:
    """Change the (trigger, channel) pairs given; the others stay as they are. The
    last one given for a pair wins."""
    user_id = _user(principal)
    with uow:
        _store(user_id, list({p.key: p for p in changes}.values()), user_id, uow)
        uow.commit()
        return effective_preferences(uow.notifications.preferences(user_id))


def get_timezone(principal: Principal, *, uow: NotificationsUoW) -> str | None:
    with uow:
        user = uow.users.get(_user(principal))
        return user.timezone if user else None


def set_timezone(principal: Principal, timezone: str | None, *, uow: NotificationsUoW) -> None:
    """The profile's IANA time zone (`Europe/Paris`), in which daily digests go out;
    None: UTC."""
    if timezone is not None:
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise InvalidTimezone(
                f"{timezone!r} is not a known time zone",
                errors={"timezone": ["not an IANA time zone name, e.g. Europe/Paris"]},
            ) from exc
    with uow:
        user = uow.users.get_for_update(_user(principal))
        if user is None or user.timezone == timezone:
            return
        before, user.timezone = user.timezone, timezone
        uow.users.save(user)
        uow.audit(
            AuditRecord(
                "auth.timezone_changed", "user", user.id, user.id, before=before, after=timezone
            )
        )
        uow.commit()


def unsubscribe(token: str, *, key: bytes, uow: NotificationsUoW) -> tuple[str, list[Trigger]]:
    """One click from an email: that trigger's email off (a digest's link: every trigger
    whose email is daily). Returns the user and the triggers turned off."""
    user_id, trigger = read_unsubscribe_token(key, token)
    with uow:
        if uow.users.get(user_id) is None:
            raise NotFound("this unsubscribe link's account no longer exists")
        current = effective_preferences(uow.notifications.preferences(user_id))
        emails = [p for p in current if p.channel == Channel.EMAIL and p.enabled]
        if trigger == DIGEST:
            emails = [p for p in emails if p.frequency == Frequency.DAILY]
        else:
            emails = [p for p in emails if p.trigger == trigger]
        off = [Preference(p.trigger, p.channel, False, p.frequency) for p in emails]
        _store(user_id, off, user_id, uow)
        uow.commit()
        return user_id, [p.trigger for p in off]


def list_failures(
    principal: Principal, *, offset: int, limit: int, uow: NotificationsUoW
) -> tuple[list[Delivery], int]:
    if not principal.is_admin:
        raise PermissionDenied("delivery failures are shown to platform admins")
    with uow:
        return uow.notifications.failures(offset, limit)


def _pref_json(p: Preference) -> dict[str, object]:
    return {
        "trigger": p.trigger.value,
        "channel": p.channel.value,
        "enabled": p.enabled,
        "frequency": p.frequency.value,
    }
