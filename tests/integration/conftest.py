from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import pytest
from flask import Flask

from app.adapters.tasks.dramatiq_queue import EmbeddedWorker
from app.http.common.limiter import limiter
from app.main.app_factory import create_app
from app.main.bootstrap import bootstrap
from app.main.config import Settings
from app.main.platform import Platform
from tests.integration.support_api import probe_blp

AppFactory = Callable[..., Flask]


def settings_for(database_url: str, **overrides: Any) -> Settings:
    base = Settings(
        app_env="test",
        database_url=database_url,
        ratelimit_default="10000 per minute",
        dramatiq_namespace=f"t{uuid.uuid4().hex[:10]}",
        outbox_poll_seconds=0.1,
        db_pool_size=5,
        password_hash_fast=True,
        chain_confirmations=0,
        auth_ratelimit_ip="10000 per minute",
        auth_ratelimit_account="10000 per minute",
    )
    return replace(base, **overrides)


@pytest.fixture
def make_platform(db_url: str, tmp_path) -> Iterator[Callable[..., Platform]]:
    made: list[Platform] = []

    def _make(*, database_url: str | None = None, handlers=None, **overrides: Any) -> Platform:
        overrides.setdefault("storage_dir", str(tmp_path / "storage"))
        settings = settings_for(database_url or db_url, **overrides)
        platform = bootstrap(settings, handlers=handlers)
        made.append(platform)
        return platform

    yield _make
    for platform in made:
        platform.close()


@pytest.fixture
def make_app(make_platform: Callable[..., Platform]) -> Iterator[AppFactory]:
    """Apps with a Dramatiq worker running in threads, so jobs (emails) happen."""
    workers: list[EmbeddedWorker] = []

    def _make(**overrides: Any) -> Flask:
        platform = make_platform(**overrides)
        app = create_app(platform=platform)
        app.extensions["api"].register_blueprint(probe_blp, url_prefix="/api/v1/_probe")
        limiter.reset()
        worker = EmbeddedWorker(platform.broker)
        worker.start()
        workers.append(worker)
        return app

    yield _make
    for worker in workers:
        worker.stop()


@pytest.fixture
def app(make_app: AppFactory) -> Flask:
    return make_app()


@pytest.fixture
def client(app: Flask):
    return app.test_client()
