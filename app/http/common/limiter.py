"""Rate limits: a default per caller, stricter limits declared on sensitive endpoints.
Storage is Redis when `REDIS_URL` is set, memory otherwise."""

from __future__ import annotations

from flask import current_app, g
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address


def caller_key() -> str:
    """The authenticated caller when known (set by the auth layer), else the client IP."""
    caller = g.get("caller_id")
    return f"caller:{caller}" if caller else f"ip:{get_remote_address()}"


def default_limit() -> str:
    """Read per request, so each app's `RATELIMIT_DEFAULT` applies (the limiter is shared)."""
    return str(current_app.config["RATELIMIT_DEFAULT"])


limiter = Limiter(key_func=caller_key, default_limits=[default_limit], headers_enabled=True)
