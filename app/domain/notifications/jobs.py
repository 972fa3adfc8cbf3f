"""Background work of notifications: record an event's notifications (in the job's
transaction, once: the unique keys turn a second run into nothing), send each delivery
(locked, so two runners never both send it), retry transient failures with backoff, and
gather `daily` emails into one digest per user and local day."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app.domain.auth.model import User
from app.domain.notifications.model import (
    DIGEST,
    Channel,
    Delivery,
    DeliveryStatus,
    Frequency,
    Notification,
    Preference,
    RetryPolicy,
    digest_key,
    effective_preferences,
)
from app.domain.notifications.tokens import unsubscribe_token
from app.domain.notifications.triggers import RESOLVERS, Occurrence
from app.domain.shared.ids import new_id
from app.domain.shared.jobs import Job
from app.domain.shared.json import JSON
from app.ports.clock import Clock
from app.ports.notifier import (
    ChannelMessage,
    ChannelSender,
    EmailMessage,
    Mailer,
    NotificationEmail,
    NotificationTemplates,
    PermanentFailure,
    RenderedEmail,
)
from app.ports.repositories.notifications import NotificationsUoW

log = logging.getLogger(__name__)
DELIVER_JOB = "notifications.deliver"


@dataclass(frozen=True)
class Outlets:
    """Where notifications go out: email always, SMS and push when configured."""

    mailer: Mailer
    templates: NotificationTemplates
    senders: Mapping[Channel, ChannelSender] = field(default_factory=dict)
    public_base_url: str = "http://127.0.0.1:5000"
    unsubscribe_key: bytes = b""
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    digest_hour: int = 8  # local time after which the day's digest goes out

    def unsubscribe_url(self, user_id: str, trigger: str) -> str:
        token = unsubscribe_token(self.unsubscribe_key, user_id, trigger)
        return f"{self.public_base_url}/api/v1/notifications/unsubscribe?token={token}"


def record_event(
    event_name: str,
    payload: dict[str, JSON],
    *,
    uow: NotificationsUoW,
    outlets: Outlets,
    clock: Clock,
) -> int:
    """Store the event's notifications and deliveries and ask for the immediate ones to
    be sent; inside the caller's unit (the job's). Returns how many notifications."""
    occurrence = RESOLVERS[event_name](payload, uow, outlets.public_base_url)
    stored = 0
    for user_id in dict.fromkeys(occurrence.recipients):
        user = uow.users.get(user_id)
        if user is None or user.disabled:
            continue
        stored += _notify(user, occurrence, uow=uow, outlets=outlets, now=clock.now())
    return stored


def _notify(
    user: User, occ: Occurrence, *, uow: NotificationsUoW, outlets: Outlets, now: datetime
) -> int:
    prefs = {p.key: p for p in effective_preferences(uow.notifications.preferences(user.id))}
    wanted: list[Preference] = [
        p
        for c in (Channel.EMAIL, Channel.SMS, Channel.PUSH)
        if (p := prefs[(occ.trigger, c)]).enabled
        and (c in outlets.senders if c != Channel.EMAIL else user.email is not None)
    ]
    in_app = prefs[(occ.trigger, Channel.IN_APP)].enabled
    if not wanted and not in_app:
        return 0
    notification = Notification(
        new_id(), user.id, occ.trigger, occ.dedup_key, occ.title, occ.body, occ.link, now,
        in_app=in_app, data=occ.data,
    )  # fmt: skip
    if not uow.notifications.add_notification(notification):
        return 0
    for pref in wanted:
        held = pref.frequency == Frequency.DAILY
        delivery = Delivery(
            new_id(), user.id, occ.trigger, pref.channel, occ.dedup_key, now, notification.id,
            status=DeliveryStatus.HELD if held else DeliveryStatus.PENDING,
            next_attempt_at=None if held else now,
        )  # fmt: skip
        if uow.notifications.add_delivery(delivery) and not held:
            uow.enqueue(Job(DELIVER_JOB, {"delivery_id": delivery.id}))
    return 1


def deliver(delivery_id: str, *, uow: NotificationsUoW, outlets: Outlets, clock: Clock) -> str:
    """Send one delivery if it is due; returns its status afterwards. A transient failure
    is recorded with the time of the next attempt (`deliver_due` makes it), a permanent
    one fails the delivery for good."""
    with uow:
        delivery = uow.notifications.delivery_for_update(delivery_id)
        if delivery is None:
            return "unknown"
        now = clock.now()
        if not delivery.due(now):
            return delivery.status.value
        try:
            sent = _send(delivery, uow=uow, outlets=outlets)
        except PermanentFailure as exc:
            delivery.mark_failed(_why(exc), now, permanent=True, policy=outlets.retry)
        except Exception as exc:  # any other failure of a gateway is worth another try
            log.warning("delivery %s failed, will retry: %s", delivery.id, _why(exc))
            delivery.mark_failed(_why(exc), now, permanent=False, policy=outlets.retry)
        else:
            if sent:
                delivery.mark_sent(now)
            else:
                delivery.cancel()
        uow.notifications.save_delivery(delivery)
        uow.commit()
        return delivery.status.value


def _why(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def _send(delivery: Delivery, *, uow: NotificationsUoW, outlets: Outlets) -> bool:
    """Send it; False when there is nothing to send any more (the user, the address or
    the wish to receive it is gone)."""
    user = uow.users.get(delivery.user_id)
    if user is None or user.disabled:
        return False
    if delivery.trigger == DIGEST:
        return _send_digest(delivery, user, uow=uow, outlets=outlets)
    notification = uow.notifications.get(str(delivery.notification_id))
    prefs = {p.key: p for p in effective_preferences(uow.notifications.preferences(user.id))}
    if notification is None or not prefs[(notification.trigger, delivery.channel)].enabled:
        return False
    if delivery.channel == Channel.EMAIL:
        url = outlets.unsubscribe_url(user.id, notification.trigger)
        rendered = outlets.templates.render(_email_of(user, notification, url))
        return _mail(user, rendered, url, outlets)
    sender = outlets.senders.get(delivery.channel)
    if sender is not None:
        n = notification
        sender.send(
            ChannelMessage(
                delivery.channel.value, n.id, user.id, n.trigger.value, n.title, n.body, n.link
            )
        )
    return sender is not None


def _send_digest(digest: Delivery, user: User, *, uow: NotificationsUoW, outlets: Outlets) -> bool:
    items = uow.notifications.digest_items(digest.id)
    if not items:
        return False
    url = outlets.unsubscribe_url(user.id, DIGEST)
    emails = [_email_of(user, n, url) for n in items]
    return _mail(
        user, outlets.templates.render_digest(user.display_name, emails, url), url, outlets
    )


def _mail(user: User, rendered: RenderedEmail, url: str, outlets: Outlets) -> bool:
    if user.email is None:
        return False
    outlets.mailer.send(
        EmailMessage(
            to=user.email,
            subject=rendered.subject,
            text=rendered.text,
            html=rendered.html,
            headers={
                "List-Unsubscribe": f"<{url}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
        )
    )
    return True


def _email_of(user: User, n: Notification, unsubscribe_url: str) -> NotificationEmail:
    return NotificationEmail(
        n.trigger.value, user.display_name, n.title, n.body, n.link, n.data, unsubscribe_url
    )


def deliver_due(*, uow: NotificationsUoW, outlets: Outlets, clock: Clock, limit: int = 100) -> int:
    """Attempt every delivery whose (next) attempt is due; returns how many were tried."""
    with uow:
        due = uow.notifications.due_deliveries(clock.now(), limit)
    for delivery_id in due:
        deliver(delivery_id, uow=uow, outlets=outlets, clock=clock)
    return len(due)


def local_day(user: User, now: datetime) -> tuple[str, int]:
    """The user's local date (ISO) and hour: in the profile's time zone, else UTC."""
    try:
        zone = ZoneInfo(user.timezone) if user.timezone else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    local = now.astimezone(zone)
    return local.date().isoformat(), local.hour


def send_digests(*, uow: NotificationsUoW, outlets: Outlets, clock: Clock, limit: int = 500) -> int:
    """For each user with held emails whose local day is past `digest_hour` and who has
    had no digest that day: one digest with everything held, sent. Returns how many."""
    with uow:
        users = uow.notifications.users_with_held(limit)
    made = 0
    for user_id in users:
        with uow:
            user = uow.users.get(user_id)
            now = clock.now()
            if user is None:
                continue
            day, hour = local_day(user, now)
            if hour < outlets.digest_hour:
                continue
            digest = Delivery(
                new_id(), user_id, DIGEST, Channel.EMAIL, digest_key(day), now, None,
                next_attempt_at=now,
            )  # fmt: skip
            if not uow.notifications.add_delivery(digest):
                continue  # today's went out: what is held waits for tomorrow's
            uow.notifications.digest_held(user_id, digest.id)
            uow.commit()
        made += 1
        deliver(digest.id, uow=uow, outlets=outlets, clock=clock)
    return made
