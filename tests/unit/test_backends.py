"""The backend registries: a setting picks an adapter by name, and a name no registry
knows refuses to start before anything is opened."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.main.backends import STORAGE_BACKENDS, exchange_rates, pick
from app.main.bootstrap import bootstrap
from app.main.config import ConfigError, Settings


def test_an_unknown_storage_backend_is_refused_naming_the_known_ones(tmp_path):
    chain_dir = tmp_path / "chain"
    settings = Settings(storage_backend="ftp", embedded_chain_dir=str(chain_dir))
    with pytest.raises(ConfigError, match="STORAGE_BACKEND must be local, s3 or ipfs"):
        bootstrap(settings)
    assert not chain_dir.exists()  # refused before the embedded chain was claimed


def test_an_unknown_chain_backend_is_refused_naming_the_known_ones():
    with pytest.raises(ConfigError, match="CHAIN_BACKEND must be embedded or rpc"):
        bootstrap(Settings(chain_backend="ganache"))


def test_a_known_name_picks_its_factory():
    assert pick(STORAGE_BACKENDS, "STORAGE_BACKEND", "s3") is STORAGE_BACKENDS["s3"]


def test_an_unknown_payments_backend_is_refused_naming_the_known_ones():
    with pytest.raises(ConfigError, match="PAYMENTS_BACKEND must be sandbox"):
        bootstrap(Settings(payments_backend="paypal"))


def test_the_eth_price_comes_from_fx_eth_eur_or_the_built_in_table():
    assert exchange_rates(Settings()).native_rate("ETH", "EUR") == Decimal("2600")
    priced = exchange_rates(Settings(fx_eth_eur="3100.50"))
    assert priced.native_rate("ETH", "EUR") == Decimal("3100.50")
