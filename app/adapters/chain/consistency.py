"""Does the embedded chain still agree with the database? After a restart the chain file
may be missing (a new genesis was made), replaced, or older than the database; chain
writes accepted then would fail later, and the indexer would halt. These checks read a
few blocks in memory and the indexer's checkpoint: cheap enough to run before each write.

Reasons are short (readiness checks show 300 characters); `RECOVERY` says what to do."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from web3 import Web3

from app.adapters.chain.embedded import EmbeddedChain
from app.adapters.chain.rpc import GOVERNANCE, REGISTRY

RECOVERY = (
    "Put the right chain file back and restart, or, with the server stopped, run `flask "
    "chain reset-embedded`: it discards the chain file and the ledger rows that only "
    "existed on it (README, 'Embedded chain: restarts and recovery')."
)
SHORT_RECOVERY = "restore the chain file or run `flask chain reset-embedded`"


def disagreement(
    chain: EmbeddedChain, checkpoint: Mapping[str, Any] | None, expected_chain_id: int
) -> str | None:
    """Why the chain and the database (the indexer's checkpoint) disagree, or None."""
    if chain.file_replaced():
        return (
            "the chain file was deleted or replaced while this process had it open: its "
            "blocks since then will be lost at the next start"
        )
    return (
        _wrong_chain_id(chain, expected_chain_id)
        or _missing_contracts(chain)
        or (_against_checkpoint(chain, checkpoint) if checkpoint else None)
    )


def _wrong_chain_id(chain: EmbeddedChain, expected: int) -> str | None:
    actual = chain.reader.chain_id()
    if actual == expected:
        return None
    return f"the chain file was created with chain id {actual}, but CHAIN_ID is {expected}"


def _missing_contracts(chain: EmbeddedChain) -> str | None:
    d = chain.deployment
    for name, address in ((REGISTRY, d.registry_address), (GOVERNANCE, d.governance_address)):
        if not chain.w3.eth.get_code(Web3.to_checksum_address(address)):
            return f"no {name} contract on the chain at its recorded address {address}"
    return None


def _against_checkpoint(chain: EmbeddedChain, checkpoint: Mapping[str, Any]) -> str | None:
    reader = chain.reader
    genesis = reader.block(0)
    genesis_hash = genesis.hash if genesis else ""
    indexed = (int(checkpoint["chain_id"]), str(checkpoint["genesis_hash"]))
    if indexed != (reader.chain_id(), genesis_hash):
        return (
            f"the database was indexed from another chain (genesis {indexed[1][:12]}…, this "
            f"one {genesis_hash[:12]}…): the chain file was deleted or replaced"
        )
    return _indexed_block_missing(chain, checkpoint) or (
        f"the indexer halted: {checkpoint['halted']}" if checkpoint.get("halted") else None
    )


def _indexed_block_missing(chain: EmbeddedChain, checkpoint: Mapping[str, Any]) -> str | None:
    number, stored_hash = int(checkpoint["block_number"]), checkpoint.get("block_hash")
    if stored_hash is None or number < 0:
        return None
    head = chain.reader.head()
    if number > head:
        return (
            f"the database indexed block {number} but the chain ends at block {head}: "
            "the chain file is older than the database"
        )
    block = chain.reader.block(number)
    if block is not None and block.hash == stored_hash:
        return None
    found = block.hash[:12] if block else "none"
    return f"block {number} on the chain ({found}…) is not the one the database indexed"
