"""One table from errors to problem+json responses, installed on the app."""

from __future__ import annotations

import logging
import time
import traceback
from typing import Any

from flask import Flask, Response, current_app
from flask_limiter.errors import RateLimitExceeded
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from app.domain.shared import errors as domain
from app.http.common.limiter import limiter
from app.http.common.problems import problem, strip_locations

log = logging.getLogger(__name__)

DOMAIN_STATUS: list[tuple[type[domain.DomainError], int]] = [
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
    return problem(status, error.code, error.detail, errors=error.errors or None)


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


def handle_unexpected(error: Exception) -> Response:
    log.exception("unhandled error")
    extra = None
    if current_app.config.get("PROBLEM_DEBUG"):
        extra = {"traceback": traceback.format_exception(error)}
    detail = "An unexpected error occurred; it has been logged with the request id."
    return problem(500, "internal_error", detail, extra=extra)


def install(app: Flask) -> None:
    app.register_error_handler(domain.DomainError, handle_domain_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected)
