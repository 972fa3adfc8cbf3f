"""Helpers of the crypto payment tests: ETH sent from a funded account of the chain the
app uses (the embedded one, or a node), blocks mined on it, and the deposit watch run."""

from __future__ import annotations

from typing import Any

from web3 import Web3

from tests.integration.identity import Caller
from tests.integration.market_support import Market


def chain_w3(app: Any) -> Web3:
    platform = app.extensions["platform"]
    embedded = platform.chain.embedded
    if embedded is not None:
        return embedded.w3  # type: ignore[no-any-return]
    return Web3(Web3.HTTPProvider(platform.settings.chain_rpc_url))


def send_eth(app: Any, to: str, wei: int) -> None:
    """From the second funded account (the first is the operator's, whose nonces the
    platform keeps)."""
    w3 = chain_w3(app)
    sent = w3.eth.send_transaction({"from": w3.eth.accounts[1], "to": to, "value": wei})
    w3.eth.wait_for_transaction_receipt(sent)


def mine(app: Any, blocks: int) -> None:
    embedded = app.extensions["platform"].chain.embedded
    if embedded is not None:
        embedded.mine(blocks)
    else:
        chain_w3(app).provider.make_request("anvil_mine", [hex(blocks)])  # type: ignore[arg-type]


def watch(app: Any) -> int:
    return int(app.extensions["platform"].watch_crypto_payments())


def crypto_order(market: Market, buyer: Caller, tonnes: str = "2", **order: Any) -> dict:
    listing = market.listing("10")
    quote = market.quote(buyer, listing["id"], tonnes, payment_method="crypto", **order)
    return market.order(buyer, quote["id"], **order)


def pay_crypto(buyer: Caller, order_id: str, key: str | None = None) -> Any:
    headers = {**buyer.headers, **({"Idempotency-Key": key} if key else {})}
    return buyer.client.post(
        f"/api/v1/orders/{order_id}/payments", json={"method": "crypto"}, headers=headers
    )
