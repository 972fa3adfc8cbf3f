"""The EVM chain as the platform needs it: reading blocks, logs and receipts, and the
operator's writes to the platform contracts. Amounts are integer kilograms."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple, Protocol, TypeVar

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


class RegistryOperator(Protocol):
    """Writes through the operator wallet; each returns the mined receipt (raises if the
    transaction reverts or is not mined in time)."""

    def register_project(
        self, project_id: str, bundle_hash: bytes, metadata_uri: str
    ) -> Receipt: ...

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
    ) -> Receipt: ...

    def transfer(self, token_id: int, from_address: str, to: str, amount_kg: int) -> Receipt: ...

    def retire(
        self,
        *,
        token_id: int,
        holder: str,
        amount_kg: int,
        beneficiary: str,
        purpose: str,
        serial_start: int,
        serial_end: int,
    ) -> Receipt: ...


class CustodialWallets(Protocol):
    def new_account(self) -> tuple[str, bytes]:
        """A fresh (checksummed address, private key) pair for a custodial holder."""
        ...
