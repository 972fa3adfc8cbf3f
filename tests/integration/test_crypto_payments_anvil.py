"""The crypto payment of `test_crypto_payments_http` with the chain a real node: anvil on
loopback mining a block every second besides each transaction's, two confirmations (for
the minting before the payment as for the payment): order -> crypto payment -> ETH sent
to the deposit address -> confirmations mined -> paid -> delivered and fulfilled."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from web3 import Web3

from tests.integration.test_crypto_payments_http import (
    test_an_order_paid_in_eth_to_its_deposit_address_is_delivered,
)

pytest_plugins = ["tests.integration.chain_node"]

__all__ = ["test_an_order_paid_in_eth_to_its_deposit_address_is_delivered"]


@pytest.fixture
def app(make_app: Any, anvil: Any) -> Flask:
    Web3(Web3.HTTPProvider(anvil.rpc_url)).provider.make_request(
        "evm_setIntervalMining",  # type: ignore[arg-type]
        [1],
    )
    return make_app(
        chain_backend="rpc",
        chain_rpc_url=anvil.rpc_url,
        operator_private_key=anvil.private_key,
        chain_confirmations=2,
    )
