"""Webhook signatures as Stripe makes them, with the sandbox's header name.

    Sandbox-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">

The receiver recomputes the HMAC over the raw bytes it received with each secret it
accepts (several during a rotation; the first one signs), compares in constant time and
refuses a timestamp more than `TOLERANCE_SECONDS` away from its clock, so a captured
request cannot be replayed later. Pure: the sandbox signs with it, the platform checks."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence

from app.domain.payments.errors import InvalidSignature

HEADER = "Sandbox-Signature"
TOLERANCE_SECONDS = 300
SCHEME = "v1"


def parse_secrets(setting: str) -> list[str]:
    """The comma-separated secrets of a setting, the signing one first."""
    return [part.strip() for part in setting.split(",") if part.strip()]


def _mac(secret: str, timestamp: int, body: bytes) -> str:
    signed = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def sign(body: bytes, secret: str, timestamp: int) -> str:
    """The header value for `body` signed at `timestamp` (unix seconds)."""
    return f"t={timestamp},{SCHEME}={_mac(secret, timestamp, body)}"


def _parts(header: str) -> tuple[int, list[str]]:
    timestamp: int | None = None
    signatures: list[str] = []
    for item in header.split(","):
        key, _, value = item.strip().partition("=")
        if key == "t" and value.isascii() and value.isdigit() and len(value) <= 12:
            timestamp = int(value)
        elif key == SCHEME and value:
            signatures.append(value)
    if timestamp is None or not signatures:
        raise InvalidSignature("the signature header has no timestamp or no v1 signature")
    return timestamp, signatures


def verify(
    body: bytes,
    header: str | None,
    secrets: Sequence[str],
    now: int,
    tolerance: int = TOLERANCE_SECONDS,
) -> int:
    """Check `header` against `body`; returns the signed timestamp. Raises
    `InvalidSignature` when no accepted secret made it or it is outside the tolerance."""
    if not header:
        raise InvalidSignature(f"the {HEADER} header is missing")
    timestamp, signatures = _parts(header)
    expected = [_mac(secret, timestamp, body) for secret in secrets]
    matched = False
    for signature in signatures:
        for mac in expected:
            matched |= hmac.compare_digest(signature.encode(), mac.encode())
    if not matched:
        raise InvalidSignature("the signature does not match the body")
    if abs(now - timestamp) > tolerance:
        raise InvalidSignature("the signature is too old (or from the future): refused")
    return timestamp
