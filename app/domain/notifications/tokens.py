"""Unsubscribe tokens: `<user id>.<trigger>.<HMAC-SHA256 of both>` under a server key.
They never expire (an old email's link must still work) and only ever turn email off."""

from __future__ import annotations

import base64
import hashlib
import hmac

from app.domain.notifications.errors import InvalidUnsubscribeToken
from app.domain.notifications.model import DIGEST, Trigger


def _mac(key: bytes, user_id: str, trigger: str) -> str:
    digest = hmac.new(key, f"unsubscribe:{user_id}:{trigger}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def unsubscribe_token(key: bytes, user_id: str, trigger: str) -> str:
    return f"{user_id}.{trigger}.{_mac(key, user_id, trigger)}"


def read_unsubscribe_token(key: bytes, token: str) -> tuple[str, str]:
    """The (user id, trigger or `digest`) the token was made for."""
    parts = token.split(".")
    if len(parts) == 3 and (parts[1] in set(Trigger) or parts[1] == DIGEST):
        user_id, trigger, mac = parts
        if user_id and hmac.compare_digest(mac, _mac(key, user_id, trigger)):
            return user_id, trigger
    raise InvalidUnsubscribeToken("this unsubscribe link is not valid")
