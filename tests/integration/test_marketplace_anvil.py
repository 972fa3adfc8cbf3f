"""The buy flows of `test_marketplace_orders_http` again with the chain a real node:
anvil on loopback (and PostgreSQL when configured): list, quote, order, pay, delivered
by one transfer, fulfilled when indexed; and buy and retire ending confirmed."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from tests.integration.test_marketplace_orders_http import (
    test_a_paid_order_is_delivered_on_chain_and_fulfilled,
    test_buy_and_retire_ends_in_a_confirmed_retirement,
)

pytest_plugins = ["tests.integration.chain_node"]

__all__ = [
    "test_a_paid_order_is_delivered_on_chain_and_fulfilled",
    "test_buy_and_retire_ends_in_a_confirmed_retirement",
]


@pytest.fixture
def app(make_app: Any, anvil: Any) -> Flask:
    made = make_app(
        chain_backend="rpc",
        chain_rpc_url=anvil.rpc_url,
        operator_private_key=anvil.private_key,
    )
    assert made.extensions["platform"].settings.chain_rpc_url == anvil.rpc_url
    return made
