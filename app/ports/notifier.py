"""Outgoing messages. Email adapters: the log (embedded default) and SMTP; SMS and push:
webhooks (an HTTP POST, signed), off unless configured. Notification emails are drawn
from templates (`NotificationTemplates`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from app.domain.shared.json import JSON


@dataclass(frozen=True)
class EmailMessage:
    to: str
    subject: str
    text: str
    html: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)  # e.g. List-Unsubscribe


class PermanentFailure(Exception):
    """The receiving side refused the message for good (an SMTP 5xx, an HTTP 4xx other
    than 408/429): trying again would not help. Any other exception is transient."""


class Mailer(Protocol):
    def send(self, message: EmailMessage) -> None:
        """Deliver one message or raise (`PermanentFailure`, or anything transient)."""
        ...


@dataclass(frozen=True)
class ChannelMessage:
    """A notification as an SMS or push gateway receives it: the gateway knows how to
    reach the user (phone number, device tokens) by the user's id."""

    channel: str
    notification_id: str
    user_id: str
    trigger: str
    title: str
    body: str
    link: str | None


class ChannelSender(Protocol):
    def send(self, message: ChannelMessage) -> None:
        """Deliver it or raise (`PermanentFailure`, or anything transient)."""
        ...


@dataclass(frozen=True)
class NotificationEmail:
    """What a notification email's template is given."""

    trigger: str
    display_name: str
    title: str
    body: str
    link: str | None
    data: Mapping[str, JSON]
    unsubscribe_url: str


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


class NotificationTemplates(Protocol):
    def render(self, email: NotificationEmail) -> RenderedEmail:
        """The trigger's own template, text and HTML."""
        ...

    def render_digest(
        self, display_name: str, items: Sequence[NotificationEmail], unsubscribe_url: str
    ) -> RenderedEmail:
        """One email listing several notifications."""
        ...
