"""Builds the Flask application around a bootstrapped platform."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from app.domain.auth.admin import ensure_admin
from app.domain.auth.errors import WeakPassword
from app.domain.shared.errors import DomainError
from app.http import api
from app.http.common import auth, deps, errors, json_body, json_limits, request_context
from app.http.common.limiter import limiter
from app.main.bootstrap import bootstrap
from app.main.cli import register_cli
from app.main.config import ConfigError, Settings
from app.main.logging import configure_logging
from app.main.platform import Platform

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

VERSION = "0.1.0"
log = logging.getLogger(__name__)


class _PlatformFlask(Flask):
    """Flask, with werkzeug's ProxyFix in front when `TRUSTED_PROXY_HOPS` reverse proxies
    are trusted. The middleware wraps `Flask.wsgi_app` as Flask documents, but from an
    override: assigning to the method is monkey-patching to a type checker."""

    def __init__(self, import_name: str, *, trusted_proxy_hops: int = 0) -> None:
        super().__init__(import_name, instance_relative_config=False)
        self._wsgi: WSGIApplication = super().wsgi_app
        if trusted_proxy_hops:
            self._wsgi = ProxyFix(self._wsgi, x_for=trusted_proxy_hops)

    def wsgi_app(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        return self._wsgi(environ, start_response)


def create_app(settings: Settings | None = None, *, platform: Platform | None = None) -> Flask:
    settings = (settings or (platform.settings if platform else Settings.from_env())).validate()
    configure_logging(settings.log_format, settings.log_level)
    platform = platform or bootstrap(settings)

    app = _PlatformFlask("app", trusted_proxy_hops=settings.trusted_proxy_hops)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=settings.max_upload_mb * 1024 * 1024,
        PROBLEM_DEBUG=settings.debug_errors,
        RATELIMIT_ENABLED=settings.ratelimit_enabled,
        RATELIMIT_DEFAULT=settings.ratelimit_default,
        RATELIMIT_STORAGE_URI=settings.redis_url or "memory://",
        RATELIMIT_HEADERS_ENABLED=True,
        RATELIMIT_KEY_PREFIX=f"{settings.dramatiq_namespace}-rl",
        AUTH_RATELIMIT_IP=settings.auth_ratelimit_ip,
        AUTH_RATELIMIT_ACCOUNT=settings.auth_ratelimit_account,
        **auth.jwt_config(
            settings.secret_key, settings.public_base_url, settings.access_token_minutes
        ),
        **api.api_config(VERSION),
    )
    deps.install(app, platform)
    platform.wsgi_app = platform.wsgi_app or app  # where the sandbox posts its webhooks
    request_context.install(app)
    json_limits.install(app)
    auth.install(app)
    errors.install_before_limiter(app)
    limiter.init_app(app)
    json_body.install(app)  # after the limiter's check: refusals count too
    errors.install(app)
    app.extensions["api"] = api.register(app)
    register_cli(app)
    _bootstrap_admin(platform)
    return app


def _bootstrap_admin(platform: Platform) -> None:
    """`BOOTSTRAP_ADMIN_EMAIL` / `_PASSWORD`: make sure this platform admin exists."""
    settings = platform.settings
    if not (settings.bootstrap_admin_email and settings.bootstrap_admin_password):
        return
    try:
        _, created = ensure_admin(
            settings.bootstrap_admin_email,
            settings.bootstrap_admin_password,
            uow=platform.uow(),
            hasher=platform.hasher,
            clock=platform.clock,
        )
    except WeakPassword as exc:
        raise ConfigError(f"BOOTSTRAP_ADMIN_PASSWORD is refused: {exc.detail}") from None
    except DomainError as exc:
        raise ConfigError(f"BOOTSTRAP_ADMIN_EMAIL is refused: {exc.detail}") from None
    except sa.exc.IntegrityError:
        return  # another process created it at the same moment
    except (sa.exc.OperationalError, sa.exc.ProgrammingError) as exc:  # not migrated yet
        log.warning("bootstrap admin not created: %s", exc.orig)
        return
    if created:
        log.info("platform admin %s is ready", settings.bootstrap_admin_email)
