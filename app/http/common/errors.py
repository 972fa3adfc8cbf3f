"""One table from errors to problem+json responses, installed on the app.

Database errors that concurrency can cause are answered, not crashed on: a constraint a
concurrent request won (`IntegrityError`) is a 409 `conflict` the client may retry; a
database still locked after the busy timeout, or a lock wait that timed out, is a 503 with
`Retry-After`; a transaction the database aborted to break a deadlock or a serialization
conflict is a 409 too. The full error, SQL included, goes to the log under the request id.

A 500 body never carries SQL, not even in development: there it lists where the error
happened (exception types, files, lines, functions), not what the messages or source lines
say, since both can hold statements and their parameters."""

from __future__ import annotations

import logging
import time
import traceback
from typing import Any

from flask import Flask, Response, current_app, g
from flask_limiter.errors import RateLimitExceeded
from sqlalchemy import exc as db
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from app.domain.shared import errors as domain
from app.http.common.limiter import limiter
from app.http.common.problems import problem, strip_locations

log = logging.getLogger(__name__)

DOMAIN_STATUS: list[tuple[type[domain.DomainError], int]] = [
    (domain.Throttled, 429),
    (domain.Unavailable, 503),
    (domain.UpstreamRefused, 502),
    (domain.NotFound, 404),
    (domain.Unauthenticated, 401),
    (domain.PermissionDenied, 403),
    (domain.Conflict, 409),
    (domain.RuleViolation, 422),
    (domain.DomainError, 422),
]

HTTP_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}


def handle_domain_error(error: domain.DomainError) -> Response:
    status = next(code for cls, code in DOMAIN_STATUS if isinstance(error, cls))
    headers = None
    if isinstance(error, domain.Throttled):
        headers = {"Retry-After": str(error.retry_after_seconds)}
        g.throttled_retry_after = error.retry_after_seconds
    return problem(status, error.code, error.detail, errors=error.errors or None, headers=headers)


def handle_http_exception(error: HTTPException) -> Response:
    status = error.code or 500
    data: dict[str, Any] = getattr(error, "data", None) or {}
    code = HTTP_CODES.get(status, "http_error")
    detail = data.get("message") or error.description or ""
    errors = None
    headers: dict[str, str] = dict(data.get("headers") or {})
    messages = data.get("errors") or data.get("messages")
    if isinstance(messages, dict) and messages:
        errors = strip_locations(messages)
        if status == 400 and "json" in messages:
            code, detail = "malformed_json", "The request body is not valid JSON."
        elif status == 422:
            detail = "The request has invalid fields."
    if isinstance(error, MethodNotAllowed):
        headers["Allow"] = ", ".join(sorted(error.valid_methods or []))
    if isinstance(error, RateLimitExceeded):
        headers["Retry-After"] = str(_retry_after())
        detail = f"Rate limit exceeded ({error.description}). Try again later."
    return problem(status, code, detail, errors=errors, headers=headers)


def _retry_after() -> int:
    current = limiter.current_limit
    if current is None:
        return 1
    return max(1, int(current.reset_at - time.time()) + 1)


CONFLICT_DETAIL = (
    "The request conflicted with a concurrent change to the same data and was not applied;"
    " it can be retried."
)
BUSY_DETAIL = "The database is busy with other writes; retry after the delay given."
BUSY_RETRY_AFTER_SECONDS = 1

# SQLite result codes (BUSY and LOCKED are the low byte of an extended code) and
# PostgreSQL SQLSTATEs.
_SQLITE_BUSY_CODES = frozenset({5, 6})
_SQLITE_CONSTRAINT_NOTNULL = 1299
_PG_NOT_NULL = "23502"
_PG_LOCK_NOT_AVAILABLE = "55P03"
_PG_TRANSACTION_ROLLBACK = "40"  # serialization failure, deadlock detected


def handle_integrity_error(error: db.IntegrityError) -> Response:
    """A unique, exclusion, check, foreign-key or trigger constraint that a concurrent
    request satisfied first. A NOT NULL violation is no race but a defect: a 500."""
    if _sqlite_code(error) == _SQLITE_CONSTRAINT_NOTNULL or _sqlstate(error) == _PG_NOT_NULL:
        return handle_unexpected(error)
    log.warning("constraint conflict: %s", error)
    return problem(409, "conflict", CONFLICT_DETAIL)


def handle_operational_error(error: db.OperationalError) -> Response:
    state = _sqlstate(error) or ""
    if state.startswith(_PG_TRANSACTION_ROLLBACK):
        log.warning("transaction aborted by the database: %s", error)
        return problem(409, "conflict", CONFLICT_DETAIL)
    code = _sqlite_code(error)
    if state == _PG_LOCK_NOT_AVAILABLE or (code is not None and code & 0xFF in _SQLITE_BUSY_CODES):
        log.warning("database busy: %s", error)
        headers = {"Retry-After": str(BUSY_RETRY_AFTER_SECONDS)}
        return problem(503, "unavailable", BUSY_DETAIL, headers=headers)
    return handle_unexpected(error)


def _sqlite_code(error: db.DBAPIError) -> int | None:
    """The extended SQLite result code (`sqlite3` errors carry it since Python 3.11)."""
    code = getattr(error.orig, "sqlite_errorcode", None)
    return code if isinstance(code, int) else None


def _sqlstate(error: db.DBAPIError) -> str | None:
    state = getattr(error.orig, "sqlstate", None)
    return state if isinstance(state, str) else None


def handle_unexpected(error: Exception) -> Response:
    log.error("unhandled error", exc_info=error)
    extra = None
    if current_app.config.get("PROBLEM_DEBUG"):
        extra = {"traceback": _where(error)}
    detail = "An unexpected error occurred; it has been logged with the request id."
    return problem(500, "internal_error", detail, extra=extra)


def _where(error: BaseException) -> list[str]:
    """Each exception's type and frames, outermost cause first, without messages or
    source lines (they can hold SQL, its parameters, or secrets)."""
    lines: list[str] = []
    for part in _chain(error):
        lines.extend(
            f"{frame.filename}:{frame.lineno} in {frame.name}"
            for frame in traceback.extract_tb(part.__traceback__)
        )
        lines.append(f"{type(part).__module__}.{type(part).__qualname__}")
    return lines


def _chain(error: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or (
            None if current.__suppress_context__ else current.__context__
        )
    return list(reversed(chain))


def keep_throttle_retry_after(response: Response) -> Response:
    """flask-limiter stretches any `Retry-After` it finds to the end of its own window on
    every response it counts; a throttle's refusal means its own wait."""
    seconds = g.pop("throttled_retry_after", None)
    if seconds is not None:
        response.headers["Retry-After"] = str(seconds)
    return response


def install_before_limiter(app: Flask) -> None:
    """Flask runs after-request hooks last registered first: registered before the
    limiter's, this one runs after it."""
    app.after_request(keep_throttle_retry_after)


def install(app: Flask) -> None:
    app.register_error_handler(domain.DomainError, handle_domain_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(db.IntegrityError, handle_integrity_error)
    app.register_error_handler(db.OperationalError, handle_operational_error)
    app.register_error_handler(Exception, handle_unexpected)
