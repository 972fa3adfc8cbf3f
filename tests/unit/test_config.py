import stat

import pytest

from app.main import config
from app.main.config import DEV_MASTER_KEYS, TEST_SECRET_KEY, ConfigError, Settings


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


def test_the_stripe_backend_needs_its_key_and_webhook_secrets():
    with pytest.raises(ConfigError, match="STRIPE_API_KEY and STRIPE_WEBHOOK_SECRETS"):
        Settings.from_env({"PAYMENTS_BACKEND": "stripe", "STRIPE_API_KEY": "sk_test_x"}).validate()
    env = {
        "PAYMENTS_BACKEND": "stripe",
        "STRIPE_API_KEY": "sk_test_x",
        "STRIPE_WEBHOOK_SECRETS": "whsec_new, whsec_old",
    }
    assert Settings.from_env(env).validate().stripe_webhook_secrets == "whsec_new, whsec_old"


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"FX_ETH_EUR": "-3"}, "FX_ETH_EUR"),
        ({"FX_ETH_EUR": "lots"}, "FX_ETH_EUR"),
        ({"PAYMENTS_CRYPTO_TTL_SECONDS": "5"}, "PAYMENTS_CRYPTO_TTL_SECONDS"),
        ({"PAYMENTS_CRYPTO_POLL_SECONDS": "0"}, "PAYMENTS_CRYPTO_POLL_SECONDS"),
    ],
)
def test_crypto_payment_settings_are_checked(env, named):
    with pytest.raises(ConfigError, match=named):
        Settings.from_env(env).validate()
    assert Settings.from_env({"FX_ETH_EUR": "3100.50"}).validate().fx_eth_eur == "3100.50"


def test_production_refuses_the_development_master_key():
    with pytest.raises(ConfigError, match="MASTER_KEYS"):
        Settings.from_env({"APP_ENV": "production", "SECRET_KEY": "x" * 48}).validate()


def test_development_makes_its_secret_key_once_under_instance(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "DEV_SECRET_FILE", tmp_path / "instance" / "secret_key")
    first = Settings.from_env({}).validate().secret_key
    kept = tmp_path / "instance" / "secret_key"
    assert kept.read_text().strip() == first
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert Settings.from_env({}).secret_key == first
    assert first not in {TEST_SECRET_KEY, "development-only-secret-key-change-me-0123456789"}
    assert len(first) >= 32
    assert Settings.from_env({"SECRET_KEY": "y" * 40}).secret_key == "y" * 40


def test_production_needs_an_explicit_secret_key(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "DEV_SECRET_FILE", tmp_path / "secret_key")
    with pytest.raises(ConfigError, match="SECRET_KEY is required"):
        Settings.from_env({"APP_ENV": "production"}).validate()
    assert not (tmp_path / "secret_key").exists()
    with pytest.raises(ConfigError, match="SECRET_KEY is the test default"):
        Settings.from_env({"APP_ENV": "production", "SECRET_KEY": TEST_SECRET_KEY}).validate()


def test_development_encrypts_under_its_own_master_key_and_still_reads_the_old_one(
    tmp_path, monkeypatch
):
    from app.adapters.crypto.envelope import AesGcmEnvelopeCipher, parse_master_keys

    monkeypatch.setattr(config, "DEV_MASTER_KEY_FILE", tmp_path / "master_key")
    ring = parse_master_keys(Settings.from_env({}).master_keys)
    assert parse_master_keys(Settings.from_env({}).master_keys) == ring
    assert list(ring) == ["local", "dev"]  # the first one wraps new data keys
    assert stat.S_IMODE((tmp_path / "master_key").stat().st_mode) == 0o600
    sealed = AesGcmEnvelopeCipher(parse_master_keys(DEV_MASTER_KEYS), "dev").seal(b"doc", b"v1")
    assert AesGcmEnvelopeCipher(ring, "local").open(sealed, b"v1") == b"doc"


def test_the_sandbox_webhook_secrets_are_read_as_a_list_and_one_is_needed():
    settings = Settings.from_env({"PAYMENTS_SANDBOX_WEBHOOK_SECRET": "whsec_new,whsec_old"})
    assert settings.payments_sandbox_webhook_secret == "whsec_new,whsec_old"
    with pytest.raises(ConfigError, match="PAYMENTS_SANDBOX_WEBHOOK_SECRET"):
        Settings(payments_sandbox_webhook_secret=" , ").validate()
