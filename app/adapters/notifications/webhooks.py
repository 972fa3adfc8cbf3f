"""SMS and push through webhooks: each message is an HTTP POST of JSON to the configured
URL, with `X-Signature: sha256=<hex HMAC-SHA256 of the body under the secret>` and a
`X-Notification-Id` the receiver can deduplicate by. The gateway behind the URL maps the
user id to a phone number or device tokens."""

from __future__ import annotations

import hashlib
import hmac
import json

import httpx

from app.ports.notifier import ChannelMessage, PermanentFailure

RETRYABLE = {408, 425, 429}


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class WebhookSender:
    def __init__(self, url: str, secret: str, *, timeout: float = 10.0) -> None:
        self.url, self._secret, self._timeout = url, secret, timeout

    def send(self, message: ChannelMessage) -> None:
        body = json.dumps(
            {
                "channel": message.channel,
                "notification_id": message.notification_id,
                "user_id": message.user_id,
                "trigger": message.trigger,
                "title": message.title,
                "body": message.body,
                "link": message.link,
            },
            separators=(",", ":"),
        ).encode()
        headers = {
            "Content-Type": "application/json",
            "X-Signature": signature(self._secret, body),
            "X-Notification-Id": message.notification_id,
        }
        response = httpx.post(self.url, content=body, headers=headers, timeout=self._timeout)
        status = response.status_code
        if 400 <= status < 500 and status not in RETRYABLE:
            raise PermanentFailure(f"{self.url} answered {status}")
        response.raise_for_status()  # 5xx and the retryable 4xx: tried again later
