"""Time helpers: every timestamp in the domain is an aware UTC datetime."""

from __future__ import annotations

from datetime import UTC, datetime


def utc(dt: datetime) -> datetime:
    """The same instant as an aware UTC datetime (naive values are taken as UTC)."""
    if dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def isoformat(dt: datetime) -> str:
    """Canonical text form used in hashes and APIs: `2026-01-31T12:00:00.000000Z`."""
    return utc(dt).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
