"""`flask serve`: the platform names the address it serves unless PUBLIC_BASE_URL says."""

from __future__ import annotations

import pytest

from app.main import background
from app.main.app_factory import create_app
from app.main.cli import serving
from app.main.cli.serving import served_settings
from app.main.config import Settings


class FakeBackground:
    platforms: list = []

    def __init__(self, platform, *, embedded_worker: bool, indexer: bool) -> None:
        self.platforms.append(platform)

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass


@pytest.fixture
def served(monkeypatch):
    """What `flask serve` hands to the WSGI server, without serving."""
    apps: list = []
    monkeypatch.setattr(serving, "run_simple", lambda host, port, app, **kw: apps.append(app))
    monkeypatch.setattr(background, "Background", FakeBackground)
    FakeBackground.platforms = []
    return apps


def test_the_public_base_url_defaults_to_the_served_address():
    settings = Settings()
    assert served_settings(settings, "127.0.0.1", 5077, {}).public_base_url == (
        "http://127.0.0.1:5077"
    )
    assert served_settings(settings, "::1", 8000, {}).public_base_url == "http://[::1]:8000"
    explicit = {"PUBLIC_BASE_URL": "https://carbon.example"}
    assert served_settings(settings, "127.0.0.1", 5077, explicit) is settings


def test_serve_on_another_port_signs_for_that_port(make_platform, served, monkeypatch):
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    app = create_app(platform=make_platform())
    result = app.test_cli_runner().invoke(args=["serve", "--port", "5077"])
    assert result.exit_code == 0, result.output
    [served_app] = served
    platform = served_app.extensions["platform"]
    assert platform.settings.public_base_url == "http://127.0.0.1:5077"
    assert served_app.config["JWT_ENCODE_ISSUER"] == "http://127.0.0.1:5077"
    assert served_app.config["JWT_DECODE_ISSUER"] == "http://127.0.0.1:5077"
    assert platform.auth_policy.siwe_domain == "127.0.0.1:5077"
    assert platform.project_uri("p1") == "http://127.0.0.1:5077/api/v1/projects/p1"
    assert FakeBackground.platforms == [platform]  # the worker and indexer too


def test_serve_keeps_an_explicit_public_base_url(make_platform, served, monkeypatch):
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://carbon.example")
    app = create_app(platform=make_platform(public_base_url="https://carbon.example"))
    result = app.test_cli_runner().invoke(args=["serve", "--port", "5077"])
    assert result.exit_code == 0, result.output
    assert served == [app]
    assert app.config["JWT_ENCODE_ISSUER"] == "https://carbon.example"
