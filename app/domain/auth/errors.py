"""Errors of the auth module."""

from __future__ import annotations

from app.domain.shared.errors import Conflict, InvalidValue, Throttled, Unauthenticated


class InvalidCredentials(Unauthenticated):
    code = "invalid_credentials"


class InvalidToken(Unauthenticated):
    code = "invalid_token"


class SessionRevoked(Unauthenticated):
    code = "session_revoked"


class WeakPassword(InvalidValue):
    code = "weak_password"


class LastAdmin(Conflict):
    code = "last_admin"


class LoginBackoff(Throttled):
    code = "login_backoff"
