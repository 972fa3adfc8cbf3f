"""The chain ports with web3.py 8 over a JSON-RPC node (`CHAIN_RPC_URL`): reads, the
operator's encoded calls, and deployment. Writes are signed locally and sent raw by
`transactions.Web3ChainWriter`, through the write-ahead log."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from eth_utils.crypto import keccak
from hexbytes import HexBytes
from web3 import Web3
from web3.exceptions import BlockNotFound, TransactionNotFound, Web3RPCError
from web3.types import RPCEndpoint

from app.adapters.chain.abi import checksum, decode_result, encode_call, load_artifact
from app.adapters.chain.transactions import (
    ChainWriteError,
    Web3ChainWriter,
    hex_str,
    receipt_from_web3,
    send_and_wait,
)
from app.domain.chain.model import ContractCall
from app.ports.chain import BlockHeader, RawLog, Receipt, T

REGISTRY = "CarbonRegistry"
GOVERNANCE = "CarbonGovernance"


def project_key(project_id: str) -> bytes:
    """The on-chain bytes32 `projectKey` of a platform project id: keccak256 of its UTF-8."""
    return keccak(project_id.encode("utf-8"))


@dataclass(frozen=True)
class Deployment:
    registry_address: str
    governance_address: str
    block_number: int


def _raw_log_from_json(log: Mapping[str, Any]) -> RawLog:
    """From the node's JSON (hex strings), without web3's result formatters (~10x faster)."""
    return RawLog(
        address=checksum(log["address"]),
        topics=tuple(map(str.lower, log["topics"])),
        data=bytes.fromhex(log["data"][2:]),
        block_number=int(log["blockNumber"], 16),
        block_hash=log["blockHash"].lower(),
        transaction_hash=log["transactionHash"].lower(),
        log_index=int(log["logIndex"], 16),
    )


_PAGES_AHEAD = 2  # pages asked for before the caller reads them


def _unchanged(logs: list[RawLog]) -> list[RawLog]:
    return logs


def block_pages(from_block: int, to_block: int, page_blocks: int) -> Iterator[tuple[int, int]]:
    """Inclusive (first, last) block ranges of at most `page_blocks` blocks."""
    for start in range(from_block, to_block + 1, page_blocks):
        yield start, min(to_block, start + page_blocks - 1)


# --- reads --------------------------------------------------------------------------------


class Web3ChainReader:
    """`ChainReader` over a JSON-RPC node; `logs()` asks in chunks of `max_block_range`."""

    _prefetch = True  # fetch the next page of logs on a background thread

    def __init__(self, w3: Web3, *, max_block_range: int = 5_000) -> None:
        self._w3 = w3
        self._max_block_range = max_block_range
        self._pool: ThreadPoolExecutor | None = None
        self._chain_id: int | None = None

    def chain_id(self) -> int:
        if self._chain_id is None:
            self._chain_id = int(self._w3.eth.chain_id)
        return self._chain_id

    def head(self) -> int:
        return int(self._w3.eth.block_number)

    def block(self, number: int) -> BlockHeader | None:
        try:
            block = self._w3.eth.get_block(number)
        except BlockNotFound:
            return None
        return BlockHeader(
            number=int(block["number"]),
            hash=hex_str(block["hash"]),
            parent_hash=hex_str(block["parentHash"]),
            timestamp=int(block["timestamp"]),
        )

    def logs(self, from_block: int, to_block: int, addresses: Sequence[str]) -> list[RawLog]:
        found: list[RawLog] = []
        for page in self.log_pages(
            from_block, to_block, addresses, self._max_block_range, _unchanged
        ):
            found.extend(page)
        return found

    def log_pages(
        self,
        from_block: int,
        to_block: int,
        addresses: Sequence[str],
        page_blocks: int,
        prepare: Callable[[list[RawLog]], T],
    ) -> Iterator[T]:
        """One `eth_getLogs` per page; while the caller works on a page, the next one is
        already being asked for and prepared on a background thread, so the node's time
        (and the caller's waits on its database) overlap the rest."""
        if not addresses:
            return
        to_block = min(to_block, self.head())  # nodes refuse ranges past their head
        pages = deque(block_pages(from_block, to_block, min(page_blocks, self._max_block_range)))
        if len(pages) <= 1 or not self._prefetch:
            for start, end in pages:
                yield prepare(self._get_logs(start, end, addresses))
            return

        def fetch(start: int, end: int) -> T:
            return prepare(self._get_logs(start, end, addresses))

        ahead: deque[Future[T]] = deque()
        try:
            while pages or ahead:
                while pages and len(ahead) < _PAGES_AHEAD:
                    ahead.append(self._fetcher().submit(fetch, *pages.popleft()))
                yield ahead.popleft().result()
        finally:
            for future in ahead:  # the caller stopped early: drop what it will not read
                future.cancel()

    def _fetcher(self) -> ThreadPoolExecutor:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chain-logs")
        return self._pool

    def _get_logs(self, start: int, end: int, addresses: Sequence[str]) -> list[RawLog]:
        # web3 8 filter keys are camelCase; snake_case keys would be silently ignored.
        query = {"fromBlock": hex(start), "toBlock": hex(end), "address": list(addresses)}
        response = self._w3.provider.make_request(RPCEndpoint("eth_getLogs"), [query])
        if "error" in response:
            raise Web3RPCError(f"eth_getLogs failed: {response['error']}", rpc_response=response)
        logs = [_raw_log_from_json(log) for log in response["result"] if not log.get("removed")]
        logs.sort(key=lambda log: (log.block_number, log.log_index))
        return logs

    def native_balance(self, address: str, block: int) -> int:
        checksummed = Web3.to_checksum_address(address)
        return int(self._w3.eth.get_balance(checksummed, block_identifier=block))

    def receipt(self, transaction_hash: str) -> Receipt | None:
        try:
            receipt = self._w3.eth.get_transaction_receipt(HexBytes(transaction_hash))
        except TransactionNotFound:
            return None
        return receipt_from_web3(receipt)


class Web3RegistryCalls:
    """`RegistryCalls`: the operator's calls to the registry, encoded (no node is asked);
    `app.domain.chain.services.send_once` sends them. The governance contract's are
    `app.adapters.chain.governance.Web3GovernanceCalls`."""

    def __init__(self, registry_address: str, governance_address: str) -> None:
        self._registry = checksum(registry_address)
        self._governance = checksum(governance_address)

    def register_project(
        self, project_id: str, bundle_hash: bytes, metadata_uri: str
    ) -> ContractCall:
        args = (project_key(project_id), _bytes32(bundle_hash), metadata_uri)
        return self._call(REGISTRY, "registerProject", args)

    def configure_project(
        self, project_id: str, bundle_hash: bytes, metadata_uri: str
    ) -> ContractCall:
        args = (project_key(project_id), _bytes32(bundle_hash), metadata_uri)
        return self._call(REGISTRY, "configureProject", args)

    def suspend_project(self, project_id: str, reason: str) -> ContractCall:
        return self._call(REGISTRY, "suspendProject", (project_key(project_id), reason))

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
    ) -> ContractCall:
        key = project_key(project_id)
        args = (token_id, key, vintage, amount_kg, serial_start, serial_end, checksum(to))
        return self._call(REGISTRY, "mintBatch", args)

    def transfer(self, token_id: int, from_address: str, to: str, amount_kg: int) -> ContractCall:
        args = (token_id, checksum(from_address), checksum(to), amount_kg)
        return self._call(REGISTRY, "transfer", args)

    def retire(
        self,
        *,
        token_id: int,
        holder: str,
        kg_start: int,
        kg_end: int,
        beneficiary: str,
        purpose: str,
    ) -> ContractCall:
        args = (token_id, checksum(holder), kg_start, kg_end, beneficiary, purpose)
        return self._call(REGISTRY, "retire", args)

    def _call(self, contract: str, function: str, args: Sequence[Any]) -> ContractCall:
        to = self._registry if contract == REGISTRY else self._governance
        return ContractCall(f"{contract}.{function}", to, encode_call(contract, function, args))


def balance_of(w3: Web3, registry_address: str, holder: str, token_id: int) -> int:
    """The holder's balance in kilograms at the latest block."""
    data = encode_call(REGISTRY, "balanceOf", (checksum(holder), token_id))
    result = w3.eth.call({"to": checksum(registry_address), "data": data})
    return int(decode_result(REGISTRY, "balanceOf", bytes(result))[0])


def _bytes32(value: bytes) -> bytes:
    if len(value) != 32:
        raise ValueError(f"expected 32 bytes, got {len(value)}")
    return bytes(value)


def deploy(writer: Web3ChainWriter, *, timeout: float = 120.0) -> Deployment:
    """Deploys the registry and the governance contract; the deployer owns both and is the
    first operator of each. (A deployment is the one write outside the write-ahead log:
    nothing in the database refers to it until it is recorded.)"""
    addresses: list[str] = []
    block_number = -1
    for name in (REGISTRY, GOVERNANCE):
        call = ContractCall(f"deploy {name}", None, load_artifact(name).bytecode)
        receipt = send_and_wait(writer, call, timeout=timeout)
        created = writer.created_address(receipt.transaction_hash)
        if created is None:
            raise ChainWriteError(f"deploy {name}: the receipt names no contract address")
        addresses.append(created)
        block_number = receipt.block_number if block_number < 0 else block_number
    return Deployment(addresses[0], addresses[1], block_number)
