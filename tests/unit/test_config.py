import pytest

from app.main.config import ConfigError, Settings


def test_development_defaults_start():
    settings = Settings.from_env({}).validate()
    assert settings.database_url.startswith("sqlite:///")
    assert settings.redis_url is None


def test_production_refuses_the_development_secret():
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        Settings.from_env({"APP_ENV": "production"}).validate()


def test_production_starts_with_real_secrets():
    env = {
        "APP_ENV": "production",
        "SECRET_KEY": "x" * 48,
        "MASTER_KEYS": "k1:" + "A" * 43 + "=",
        "POAI_SIGNING_KEY": "A" * 43 + "=",
    }
    settings = Settings.from_env(env).validate()
    assert settings.log_format == "json"
    assert not settings.debug_errors


def test_short_secrets_and_unknown_values_are_refused():
    with pytest.raises(ConfigError):
        Settings.from_env({"SECRET_KEY": "short"}).validate()
    with pytest.raises(ConfigError):
        Settings.from_env({"LOG_FORMAT": "xml"}).validate()


def test_access_tokens_always_expire():
    with pytest.raises(ConfigError, match="ACCESS_TOKEN_MINUTES"):
        Settings.from_env({"ACCESS_TOKEN_MINUTES": "0"}).validate()


def test_production_refuses_the_development_master_key():
    with pytest.raises(ConfigError, match="MASTER_KEYS"):
        Settings.from_env({"APP_ENV": "production", "SECRET_KEY": "x" * 48}).validate()
