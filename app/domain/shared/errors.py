"""Domain errors. No HTTP here: `app.http.common.errors` maps each class to a status."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error the domain raises on purpose."""

    code = "domain_error"

    def __init__(
        self, detail: str, *, code: str | None = None, errors: dict[str, list[str]] | None = None
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.code = code
        self.errors = errors or {}


class NotFound(DomainError):
    """The resource does not exist, or the caller may not see it."""

    code = "not_found"


class Unauthenticated(DomainError):
    """The caller did not prove who they are."""

    code = "unauthenticated"


class PermissionDenied(DomainError):
    """The caller may see the resource but not do this to it."""

    code = "permission_denied"


class Conflict(DomainError):
    """The request clashes with the current state (or an idempotency key)."""

    code = "conflict"


class RuleViolation(DomainError):
    """The request is well formed but breaks a business rule."""

    code = "rule_violation"


class InvalidValue(RuleViolation):
    """A value object refused its input."""

    code = "invalid_value"


class Unavailable(DomainError):
    """A service the request needs (a payment provider) is down or too slow: retry later."""

    code = "unavailable"


class UpstreamRefused(DomainError):
    """A service the request needs (a payment provider) refused what the platform sent:
    the platform's side is wrong (a key, a parameter), not the caller's."""

    code = "upstream_refused"


class Throttled(DomainError):
    """Too many attempts: the caller must wait `retry_after_seconds` before the next."""

    code = "throttled"

    def __init__(self, detail: str, *, retry_after_seconds: int, code: str | None = None) -> None:
        super().__init__(detail, code=code)
        self.retry_after_seconds = max(1, retry_after_seconds)
