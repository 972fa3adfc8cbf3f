"""Rate limits: a default per caller, stricter limits declared on sensitive endpoints.
Storage is Redis when `REDIS_URL` is set, memory otherwise.

A limit per account counts every request, so anyone can use it up for anyone: it is only
declared where the requests send mail to the account (register, forgot password), to
bound what reaches one inbox. Login slows guessing with the login throttle instead
(`app.domain.auth.throttle`), which counts failures only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, Response, current_app, g, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address


def caller_key() -> str:
    """The authenticated caller when known (set by the auth layer), else the client IP."""
    caller = g.get("caller_id")
    return f"caller:{caller}" if caller else f"ip:{get_remote_address()}"


def default_limit() -> str:
    """Read per request, so each app's `RATELIMIT_DEFAULT` applies (the limiter is shared)."""
    return str(current_app.config["RATELIMIT_DEFAULT"])


RETRY_AFTER_STATUSES = frozenset({429, 503})


def _retry_after_only_on_refusals(response: Response) -> Response:
    """flask-limiter sets `Retry-After` on every response it counts; it only means
    something on a refusal (429) or while the service is unavailable (503)."""
    if response.status_code not in RETRY_AFTER_STATUSES:
        response.headers.pop("Retry-After", None)
    return response


class PlatformLimiter(Limiter):
    def init_app(self, app: Flask) -> None:
        # Flask runs after-request hooks in reverse order: registered before the
        # limiter's own, this one sees its headers.
        app.after_request(_retry_after_only_on_refusals)
        super().init_app(app)


limiter = PlatformLimiter(key_func=caller_key, default_limits=[default_limit], headers_enabled=True)


def ip_key() -> str:
    return f"ip:{get_remote_address()}"


def account_key(field: str) -> Callable[[], str]:
    """Key a limit on an account named in the JSON body (email or address), so one
    account cannot be hammered from many addresses."""

    def key() -> str:
        body = request.get_json(silent=True)
        value = body.get(field) if isinstance(body, dict) else None
        if isinstance(value, str) and value.strip():
            return f"acct:{value.strip().lower()[:256]}"
        return ip_key()

    return key


def strict_ip_limit() -> str:
    return str(current_app.config["AUTH_RATELIMIT_IP"])


def strict_account_limit() -> str:
    return str(current_app.config["AUTH_RATELIMIT_ACCOUNT"])


def sensitive(mailbox: str | None = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The stricter limits of credential endpoints: per IP, and per email address when
    the body field `mailbox` names one the endpoint sends mail to."""
    per_ip = limiter.limit(strict_ip_limit, key_func=ip_key)
    if mailbox is None:
        return per_ip
    per_account = limiter.limit(strict_account_limit, key_func=account_key(mailbox))

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        return per_ip(per_account(view))

    return decorator
