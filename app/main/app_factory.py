"""Builds the Flask application around a bootstrapped platform."""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from app.http import api
from app.http.common import errors, request_context
from app.http.common.limiter import limiter
from app.main.bootstrap import Platform, bootstrap
from app.main.cli import register_cli
from app.main.config import Settings
from app.main.logging import configure_logging

VERSION = "0.1.0"


def create_app(settings: Settings | None = None, *, platform: Platform | None = None) -> Flask:
    settings = (settings or (platform.settings if platform else Settings.from_env())).validate()
    configure_logging(settings.log_format, settings.log_level)
    platform = platform or bootstrap(settings)

    app = Flask("app", instance_relative_config=False)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=settings.max_upload_mb * 1024 * 1024,
        PROBLEM_DEBUG=settings.debug_errors,
        RATELIMIT_ENABLED=settings.ratelimit_enabled,
        RATELIMIT_DEFAULT=settings.ratelimit_default,
        RATELIMIT_STORAGE_URI=settings.redis_url or "memory://",
        RATELIMIT_HEADERS_ENABLED=True,
        RATELIMIT_KEY_PREFIX=f"{settings.dramatiq_namespace}-rl",
        JSON_SORT_KEYS=False,
        **api.api_config(VERSION),
    )
    if settings.trusted_proxy_hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.trusted_proxy_hops)  # type: ignore[method-assign]
    app.extensions["platform"] = platform
    request_context.install(app)
    limiter.init_app(app)
    errors.install(app)
    app.extensions["api"] = api.register(app)
    register_cli(app)
    return app
