"""Setting up chain state in adapter tests: the operator's calls sent straight to the
node (the node's nonce, one at a time), outside the platform's write-ahead log."""

from __future__ import annotations

from typing import Any

from web3 import Web3

from app.adapters.chain.governance import Web3GovernanceCalls
from app.adapters.chain.rpc import Web3RegistryCalls, balance_of
from app.adapters.chain.transactions import Web3ChainWriter, send_and_wait
from app.ports.chain import Receipt


class DirectOperator:
    """Every `Web3RegistryCalls` (or `Web3GovernanceCalls`) method, sent at once and
    awaited: returns the receipt (raises `CallReverted` with the contract's reason)."""

    def __init__(
        self, w3: Web3, calls: Web3RegistryCalls | Web3GovernanceCalls, writer: Web3ChainWriter
    ) -> None:
        self.w3, self.calls, self.writer = w3, calls, writer

    @property
    def address(self) -> str:
        return self.writer.sender

    def __getattr__(self, name: str) -> Any:
        build = getattr(self.calls, name)

        def send(*args: Any, **kwargs: Any) -> Receipt:
            return send_and_wait(self.writer, build(*args, **kwargs), timeout=30)

        return send

    def balance_of(self, holder: str, token_id: int) -> int:
        assert isinstance(self.calls, Web3RegistryCalls)
        return balance_of(self.w3, self.calls._registry, holder, token_id)
