"""Errors of the notifications module."""

from __future__ import annotations

from app.domain.shared.errors import InvalidValue, NotFound, RuleViolation


class NotificationNotFound(NotFound):
    """No such notification among the caller's own (another user's reads as absent)."""

    code = "not_found"


class DigestEmailOnly(RuleViolation):
    """`daily` gathers emails into one digest: the other channels are immediate or off."""

    code = "digest_email_only"


class InvalidUnsubscribeToken(InvalidValue):
    """The unsubscribe link was altered, or was not made by this platform."""

    code = "invalid_unsubscribe_token"


class InvalidTimezone(InvalidValue):
    code = "invalid_timezone"
