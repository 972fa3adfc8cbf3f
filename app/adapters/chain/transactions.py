"""Signed raw transactions from one local key, and web3 results as port types.

Nonces are handed out under a lock (signing and sending happen inside it, so the node
sees them in order) and re-read from the node's pending count after any refused send;
receipts are awaited outside the lock, so threads overlap while they wait."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from eth_account import Account
from hexbytes import HexBytes
from web3 import Web3
from web3.exceptions import ContractLogicError, TimeExhausted, Web3RPCError

from app.adapters.chain.abi import checksum
from app.ports.chain import RawLog, Receipt

_NONCE_ERRORS = ("nonce", "already known", "replacement transaction underpriced")
_GAS_MARGIN = 1.25  # the estimate runs against the latest state; leave room for drift
_DEFAULT_PRIORITY_FEE = 10**9


class ChainWriteError(RuntimeError):
    """An operator write did not make it onto the chain."""


class TransactionReverted(ChainWriteError):
    def __init__(self, action: str, reason: str, transaction_hash: str | None = None) -> None:
        where = f" (transaction {transaction_hash})" if transaction_hash else ""
        super().__init__(f"{action} reverted: {reason}{where}")
        self.action = action
        self.reason = reason
        self.transaction_hash = transaction_hash


class TransactionNotMined(ChainWriteError):
    """Sent, but no receipt within the timeout: it may still be mined later."""


@dataclass(frozen=True)
class NodeErrors:
    """Exception types a provider raises instead of JSON-RPC errors (eth-tester does):
    `reverted` for contract reverts, `refused` for transactions the node turns away."""

    reverted: tuple[type[Exception], ...] = ()
    refused: tuple[type[Exception], ...] = ()
    # Set on an in-process EVM, where estimating (a binary search of ~13 executions) is
    # most of a write's cost: a single eth_call checks for a revert, gas is this limit.
    fixed_gas: int | None = None


JSON_RPC_ERRORS = NodeErrors()  # a real node: errors come back as JSON-RPC errors


# --- conversions --------------------------------------------------------------------------


def hex_str(value: Any) -> str:
    return value.lower() if isinstance(value, str) else HexBytes(value).to_0x_hex()


def raw_log_from_web3(log: Mapping[str, Any]) -> RawLog:
    return RawLog(
        address=checksum(log["address"]),
        topics=tuple(hex_str(t) for t in log["topics"]),
        data=bytes(HexBytes(log["data"])),
        block_number=int(log["blockNumber"]),
        block_hash=hex_str(log["blockHash"]),
        transaction_hash=hex_str(log["transactionHash"]),
        log_index=int(log["logIndex"]),
    )


def receipt_from_web3(receipt: Mapping[str, Any]) -> Receipt:
    return Receipt(
        transaction_hash=hex_str(receipt["transactionHash"]),
        status=int(receipt["status"]),
        block_number=int(receipt["blockNumber"]),
        block_hash=hex_str(receipt["blockHash"]),
        logs=tuple(raw_log_from_web3(log) for log in receipt["logs"]),
    )


# --- sending -------------------------------------------------------------------------------


def _reason(exc: Exception) -> str:
    message = getattr(exc, "message", None) or (exc.args[0] if exc.args else repr(exc))
    return str(message).removeprefix("execution reverted: ").removeprefix("execution reverted")


class TransactionSender:
    """Sends transactions from one local key: estimate (a revert raises here, with the
    contract's reason), sign, send raw, await the receipt, raise on status 0."""

    def __init__(
        self,
        w3: Web3,
        private_key: str | bytes,
        *,
        receipt_timeout: float = 120.0,
        poll_interval: float = 0.05,
        on_receipt: Callable[[Receipt], None] | None = None,
        node_errors: NodeErrors = JSON_RPC_ERRORS,
    ) -> None:
        self._w3 = w3
        self._account = Account.from_key(private_key)
        self._timeout = receipt_timeout
        self._poll = poll_interval
        self._on_receipt = on_receipt
        self._reverted: tuple[type[Exception], ...] = (ContractLogicError, *node_errors.reverted)
        self._refused: tuple[type[Exception], ...] = (
            Web3RPCError, ValueError, *node_errors.refused
        )  # fmt: skip
        self._fixed_gas = node_errors.fixed_gas
        self._lock = threading.Lock()
        self._nonce: int | None = None
        self._chain_id = int(w3.eth.chain_id)

    @property
    def address(self) -> str:
        return str(self._account.address)

    def send(self, action: str, to: str | None, data: bytes) -> tuple[Receipt, str | None]:
        """The mined receipt, and the address of the contract it created (if any)."""
        tx: dict[str, Any] = {"from": self.address, "data": data, "value": 0}
        tx["chainId"] = self._chain_id
        if to is not None:
            tx["to"] = to
        tx["gas"] = self._gas(action, tx)
        tx.update(self._fees())
        tx_hash = self._sign_and_send(action, tx)
        try:
            mined = self._w3.eth.wait_for_transaction_receipt(
                HexBytes(tx_hash), timeout=self._timeout, poll_latency=self._poll
            )
        except TimeExhausted as exc:
            self.forget_nonce()  # still pending, or dropped: the node's pending count knows
            raise TransactionNotMined(f"{action}: {tx_hash} not mined in time") from exc
        receipt = receipt_from_web3(mined)
        if self._on_receipt is not None:
            self._on_receipt(receipt)
        if receipt.status != 1:
            raise TransactionReverted(action, "status 0 on chain", receipt.transaction_hash)
        created = mined.get("contractAddress")
        return receipt, (checksum(created) if created else None)

    def forget_nonce(self) -> None:
        """Re-read the next nonce from the node (after a revert to a snapshot, say)."""
        with self._lock:
            self._nonce = None

    def _gas(self, action: str, tx: dict[str, Any]) -> int:
        try:
            if self._fixed_gas is not None:
                self._w3.eth.call({**tx, "gas": self._fixed_gas})  # type: ignore[typeddict-item]
                return self._fixed_gas
            return int(self._w3.eth.estimate_gas(tx) * _GAS_MARGIN)  # type: ignore[arg-type]
        except self._reverted as exc:
            raise TransactionReverted(action, _reason(exc)) from exc

    def _fees(self) -> dict[str, int]:
        base = int(self._w3.eth.get_block("latest").get("baseFeePerGas") or 0)
        try:
            tip = int(self._w3.eth.max_priority_fee)
        except (Web3RPCError, ValueError, NotImplementedError):
            tip = _DEFAULT_PRIORITY_FEE
        return {"maxPriorityFeePerGas": tip, "maxFeePerGas": 2 * base + tip}

    def _sign_and_send(self, action: str, tx: dict[str, Any]) -> str:
        for attempt in range(3):
            with self._lock:
                if self._nonce is None:
                    self._nonce = self._w3.eth.get_transaction_count(
                        self._account.address, "pending"
                    )
                tx["nonce"] = self._nonce
                signed = self._account.sign_transaction(tx)
                try:
                    sent = self._w3.eth.send_raw_transaction(signed.raw_transaction)
                except self._reverted as exc:
                    self._nonce = None
                    raise TransactionReverted(action, _reason(exc)) from exc
                except self._refused as exc:
                    self._nonce = None  # re-read from the node's pending count
                    if attempt < 2 and any(e in str(exc).lower() for e in _NONCE_ERRORS):
                        continue
                    raise ChainWriteError(f"{action}: the node refused it: {exc}") from exc
                self._nonce += 1
                return sent.to_0x_hex()
        raise AssertionError("unreachable")  # pragma: no cover
