"""`flask serve`: the platform with its background threads, in one process."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import replace

import click
from flask import Flask
from flask.cli import with_appcontext
from flask.globals import app_ctx
from werkzeug.serving import run_simple

from app.main import background
from app.main.cli.context import current_platform
from app.main.config import Settings
from app.main.platform import Platform


def served_settings(settings: Settings, host: str, port: int, env: Mapping[str, str]) -> Settings:
    """Without PUBLIC_BASE_URL, the platform's public address is the one being served."""
    if env.get("PUBLIC_BASE_URL"):
        return settings
    shown = f"[{host}]" if ":" in host else host
    return replace(settings, public_base_url=f"http://{shown}:{port}")


def _app_serving(host: str, port: int) -> Flask:
    """This app, or one built again for the served address: the token issuer, the SIWE
    domain, signed links and metadata URIs are all fixed when the platform is built."""
    settings = served_settings(current_platform().settings, host, port, os.environ)
    if settings == current_platform().settings:
        return app_ctx.app
    from app.main.app_factory import create_app  # it imports this module

    current_platform().close()  # the embedded chain admits one platform per process
    return create_app(settings)


@click.command(
    help="Serve the platform with its background threads (embedded mode). Without "
    "PUBLIC_BASE_URL, links, tokens and SIWE messages name http://HOST:PORT."
)
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
@with_appcontext
def serve(host: str, port: int) -> None:
    app = _app_serving(host, port)
    platform: Platform = app.extensions["platform"]
    loops = background.Background(
        platform, embedded_worker=not platform.settings.redis_url, indexer=True
    )
    loops.start()
    click.echo(f"API docs: http://{host}:{port}/api/v1/docs")
    try:
        run_simple(host, port, app, threaded=True)
    finally:
        loops.stop()
        if app is not app_ctx.app:
            platform.close()
