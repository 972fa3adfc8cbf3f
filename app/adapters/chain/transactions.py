"""Signing and sending raw transactions from one local key, and web3 results as port types.

`Web3ChainWriter` is the `ChainWriter` of `app.domain.chain.services.send_once`, the path
every platform write takes: the nonce comes from the database and the signed bytes are
stored before they are broadcast, so this module keeps no state of its own."""

from __future__ import annotations

import ast
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from eth_account import Account
from hexbytes import HexBytes
from web3 import Web3
from web3.exceptions import ContractLogicError, TransactionNotFound, Web3RPCError
from web3.types import TxParams, Wei

from app.adapters.chain.abi import checksum
from app.adapters.chain.reverts import revert_reason
from app.domain.chain.errors import CallReverted, NodeRefused, NonceTaken
from app.domain.chain.model import ContractCall, Fees, SignedTransaction
from app.ports.chain import RawLog, Receipt

_GAS_MARGIN = 1.25  # the estimate runs against the latest state; leave room for drift
_DEFAULT_PRIORITY_FEE = 10**9


class ChainWriteError(RuntimeError):
    """A write outside the log (a deployment) did not make it onto the chain."""


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


# --- signing and sending ------------------------------------------------------------------


def _reason(exc: Exception) -> str:
    """A revert's reason: the contract's named error or message when the node gave it."""
    data = getattr(exc, "data", None)
    if isinstance(data, str | bytes) and data not in ("", b"", "0x"):
        return revert_reason(data)
    if exc.args and isinstance(exc.args[0], bytes):  # eth-tester: the raw revert data
        return revert_reason(exc.args[0])
    message = getattr(exc, "message", None) or (exc.args[0] if exc.args else repr(exc))
    text = str(message).removeprefix("execution reverted: ").removeprefix("execution reverted")
    if text[:2] in ("b'", 'b"'):  # eth-tester writes the revert data as a bytes literal
        try:
            return revert_reason(ast.literal_eval(text))
        except (ValueError, SyntaxError):
            pass
    return text or "reverted without a reason"


_GAP_WAIT_SECONDS = 10.0
_KNOWN = ("already known", "known transaction", "alreadyknown", "already imported")
_NONCE_USED = ("nonce too low", "noncetoolow", "already been used", "nonce is too low")
_SAME_NONCE_PENDING = ("replacement transaction underpriced", "underpriced")


class Web3ChainWriter:
    """`ChainWriter` over web3.py: checks calls against the latest state, signs locally
    with the operator's key, sends raw bytes, finds receipts. It keeps no nonce of its own
    (the write-ahead log allocates them)."""

    def __init__(
        self,
        w3: Web3,
        private_key: str | bytes,
        *,
        poll_interval: float = 0.05,
        on_receipt: Callable[[Receipt], None] | None = None,
        node_errors: NodeErrors = JSON_RPC_ERRORS,
    ) -> None:
        self._w3 = w3
        self._account = Account.from_key(private_key)
        self._poll = poll_interval
        self._on_receipt = on_receipt
        self._reverted: tuple[type[Exception], ...] = (ContractLogicError, *node_errors.reverted)
        self._refused: tuple[type[Exception], ...] = (
            Web3RPCError, ValueError, *node_errors.refused
        )  # fmt: skip
        self._fixed_gas = node_errors.fixed_gas
        self._chain_id: int | None = None

    @property
    def w3(self) -> Web3:
        return self._w3

    @property
    def chain_id(self) -> int:
        if self._chain_id is None:
            self._chain_id = int(self._w3.eth.chain_id)
        return self._chain_id

    @property
    def sender(self) -> str:
        return str(self._account.address)

    def preflight(self, call: ContractCall) -> int:
        tx = self._base(call)
        try:
            if self._fixed_gas is not None:
                self._w3.eth.call({**tx, "gas": self._fixed_gas})
                return self._fixed_gas
            return int(self._w3.eth.estimate_gas(tx) * _GAS_MARGIN)
        except self._reverted as exc:
            raise CallReverted(call.action, _reason(exc)) from exc

    def fees(self) -> Fees:
        base = int(self._w3.eth.get_block("latest").get("baseFeePerGas") or 0)
        try:
            tip = int(self._w3.eth.max_priority_fee)
        except (Web3RPCError, ValueError, NotImplementedError):
            tip = _DEFAULT_PRIORITY_FEE
        return Fees(max_fee_per_gas=2 * base + tip, max_priority_fee_per_gas=tip)

    def account_nonce(self) -> int:
        return int(self._w3.eth.get_transaction_count(self._account.address, "pending"))

    def sign(self, call: ContractCall, *, nonce: int, gas: int, fees: Fees) -> SignedTransaction:
        tx: dict[str, Any] = {**self._base(call)}  # eth-account's signer is typed for a dict
        tx.update(
            chainId=self.chain_id,
            nonce=nonce,
            gas=gas,
            maxFeePerGas=fees.max_fee_per_gas,
            maxPriorityFeePerGas=fees.max_priority_fee_per_gas,
        )
        signed = self._account.sign_transaction(tx)
        return SignedTransaction(bytes(signed.raw_transaction), signed.hash.to_0x_hex())

    def broadcast(self, raw: bytes) -> None:
        # A node without a pool for future nonces (eth-tester) refuses a transaction
        # whose predecessor, signed by another thread, is not sent yet: wait for it a
        # little, as a node's pool would.
        deadline = time.monotonic() + _GAP_WAIT_SECONDS
        while True:
            try:
                self._w3.eth.send_raw_transaction(raw)
                return
            except (*self._refused, *self._reverted) as exc:
                text = str(exc).lower()
                if any(k in text for k in _KNOWN + _SAME_NONCE_PENDING):
                    return  # the node has it (or an earlier signing of the same nonce)
                if any(k in text for k in _NONCE_USED) or _expected_higher_nonce(text):
                    raise NonceTaken(str(exc)) from exc
                if _expected_lower_nonce(text) and time.monotonic() < deadline:
                    time.sleep(self._poll)
                    continue
                raise NodeRefused(f"the node refused the transaction: {exc}") from exc

    def find_receipt(self, hashes: Sequence[str]) -> Receipt | None:
        for tx_hash in hashes:
            try:
                found = self._w3.eth.get_transaction_receipt(HexBytes(tx_hash))
            except TransactionNotFound:
                continue
            if found is None or found.get("blockNumber") is None:
                continue
            receipt = receipt_from_web3(found)
            if self._on_receipt is not None:
                self._on_receipt(receipt)
            return receipt
        return None

    def wait_for_receipt(self, hashes: Sequence[str], timeout: float) -> Receipt | None:
        deadline = time.monotonic() + timeout
        while True:
            receipt = self.find_receipt(hashes)
            if receipt is not None or time.monotonic() >= deadline:
                return receipt
            time.sleep(self._poll)

    def created_address(self, tx_hash: str) -> str | None:
        """The address of the contract a mined deployment created."""
        created = self._w3.eth.get_transaction_receipt(HexBytes(tx_hash)).get("contractAddress")
        return checksum(created) if created else None

    def _base(self, call: ContractCall) -> TxParams:
        tx: TxParams = {"from": self.sender, "data": call.data, "value": Wei(0)}
        if call.to is not None:
            tx["to"] = call.to
        return tx


def _nonces(text: str) -> tuple[int, int] | None:
    """py-evm's wording: "invalid transaction nonce: expected 5, but got 3"."""
    match = re.search(r"expected (\d+), but got (\d+)", text)
    return (int(match.group(1)), int(match.group(2))) if match else None


def _expected_higher_nonce(text: str) -> bool:
    found = _nonces(text)
    return found is not None and found[0] > found[1]


def _expected_lower_nonce(text: str) -> bool:
    found = _nonces(text)
    return found is not None and found[0] < found[1]


def send_and_wait(
    writer: Web3ChainWriter, call: ContractCall, *, timeout: float = 120.0
) -> Receipt:
    """A write outside the log, for deploying contracts (nothing in the database depends
    on it yet) and for setting up a chain in tests: the node's nonce, no retry."""
    gas = writer.preflight(call)
    signed = writer.sign(call, nonce=writer.account_nonce(), gas=gas, fees=writer.fees())
    writer.broadcast(signed.raw)
    receipt = writer.wait_for_receipt([signed.tx_hash], timeout)
    if receipt is None:
        raise ChainWriteError(f"{call.action}: {signed.tx_hash} not mined in {timeout}s")
    if receipt.status != 1:
        raise CallReverted(call.action, "status 0 on chain")
    return receipt
