"""The EVM chain as the platform needs it: reading blocks, logs and receipts; the
operator's calls to the platform contracts and the signer that sends them. Amounts are
integer kilograms."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple, Protocol, TypeVar

from app.domain.chain.model import ContractCall, Fees, SignedTransaction

T = TypeVar("T")


@dataclass(frozen=True)
class BlockHeader:
    number: int
    hash: str  # 0x-prefixed hex
    parent_hash: str
    timestamp: int


class RawLog(NamedTuple):  # a named tuple: cheap to build by the thousand
    address: str  # EIP-55 checksummed contract address
    topics: tuple[str, ...]  # 0x-prefixed 32-byte hex
    data: bytes
    block_number: int
    block_hash: str
    transaction_hash: str
    log_index: int


@dataclass(frozen=True)
class Receipt:
    transaction_hash: str
    status: int  # 1 success, 0 reverted
    block_number: int
    block_hash: str
    logs: tuple[RawLog, ...]


class ChainReader(Protocol):
    def chain_id(self) -> int: ...

    def head(self) -> int:
        """Number of the latest block."""
        ...

    def block(self, number: int) -> BlockHeader | None:
        """The canonical block at this height (None above the head)."""
        ...

    def logs(self, from_block: int, to_block: int, addresses: Sequence[str]) -> list[RawLog]:
        """Logs of these contracts in the inclusive range, ordered by (block, log index)."""
        ...

    def log_pages(
        self,
        from_block: int,
        to_block: int,
        addresses: Sequence[str],
        page_blocks: int,
        prepare: Callable[[list[RawLog]], T],
    ) -> Iterator[T]:
        """`prepare` of each page of the same logs as `logs()`, `page_blocks` blocks at a
        time, in order. An adapter over a remote node fetches and prepares the next page
        on another thread while the caller works on this one (so `prepare` must not touch
        the caller's state)."""
        ...

    def receipt(self, transaction_hash: str) -> Receipt | None: ...

    def native_balance(self, address: str, block: int) -> int:
        """The address's balance in the chain's native coin (wei) as of `block`."""
        ...


class RegistryCalls(Protocol):
    """The operator's calls to the platform contracts, encoded (sent by `ChainWriter`)."""

    def register_project(
        self, project_id: str, bundle_hash: bytes, metadata_uri: str
    ) -> ContractCall: ...

    def mint_batch(
        self,
        *,
        token_id: int,
        project_id: str,
        vintage: int,
        amount_kg: int,
        serial_start: int,
        serial_end: int,
        to: str,
    ) -> ContractCall: ...

    def transfer(
        self, token_id: int, from_address: str, to: str, amount_kg: int
    ) -> ContractCall: ...

    def retire(
        self,
        *,
        token_id: int,
        holder: str,
        kg_start: int,
        kg_end: int,
        beneficiary: str,
        purpose: str,
    ) -> ContractCall: ...


class ChainWriter(Protocol):
    """Signs with the operator's key and talks to the node; it stores nothing (the
    write-ahead log in `app.domain.chain.services` does)."""

    @property
    def chain_id(self) -> int: ...

    @property
    def sender(self) -> str:
        """The operator's checksummed address."""
        ...

    def preflight(self, call: ContractCall) -> int:
        """The gas limit for the call; raises `CallReverted` when it would revert."""
        ...

    def fees(self) -> Fees: ...

    def account_nonce(self) -> int:
        """How many transactions of the sender the node knows (pending included)."""
        ...

    def sign(
        self, call: ContractCall, *, nonce: int, gas: int, fees: Fees
    ) -> SignedTransaction: ...

    def broadcast(self, raw: bytes) -> None:
        """Hand the signed bytes to the node; a node that has them already is fine. Raises
        `NonceTaken` when the nonce is used, `NodeRefused` for any other refusal."""
        ...

    def find_receipt(self, hashes: Sequence[str]) -> Receipt | None:
        """The receipt of whichever of these transactions was mined, if any."""
        ...

    def wait_for_receipt(self, hashes: Sequence[str], timeout: float) -> Receipt | None:
        """`find_receipt`, polled until one turns up or `timeout` seconds pass."""
        ...


class CustodialWallets(Protocol):
    def new_account(self) -> tuple[str, bytes]:
        """A fresh (checksummed address, private key) pair for a custodial holder."""
        ...
