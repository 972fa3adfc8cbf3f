"""The governance contract (`CarbonGovernance`, version 2): the operator's encoded calls,
the proposal as the contract keeps it, and the upgrade of a chain that still runs the
first version (members voting yes or no from their own keys), whose functions the
platform cannot call: a new version is deployed beside it and followed from then on."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from web3 import Web3

from app.adapters.chain.abi import checksum, decode_result, encode_call, load_artifact
from app.adapters.chain.rpc import GOVERNANCE, Deployment
from app.adapters.chain.transactions import ChainWriteError, Web3ChainWriter, send_and_wait
from app.domain.chain.errors import CallReverted
from app.domain.chain.model import ContractCall

log = logging.getLogger(__name__)

CURRENT_VERSION = 2


class Web3GovernanceCalls:
    """`GovernanceCalls` encoded for the governance contract at `address`."""

    def __init__(self, address: str) -> None:
        self.address = checksum(address)

    def propose(
        self, content_hash: bytes, proposer: str, voting_ends_at: int, quorum: int
    ) -> ContractCall:
        if len(content_hash) != 32:
            raise ValueError("a content hash is 32 bytes")
        args = (content_hash, checksum(proposer), voting_ends_at, quorum)
        return self._call("propose", args)

    def cast_vote(self, chain_proposal_id: int, voter: str, support: int) -> ContractCall:
        return self._call("castVote", (chain_proposal_id, checksum(voter), support))

    def execute(self, chain_proposal_id: int) -> ContractCall:
        return self._call("execute", (chain_proposal_id,))

    def _call(self, function: str, args: tuple[object, ...]) -> ContractCall:
        data = encode_call(GOVERNANCE, function, args)
        return ContractCall(f"{GOVERNANCE}.{function}", self.address, data)


@dataclass(frozen=True)
class OnChainProposal:
    content_hash: str
    proposer: str
    voting_ends_at: int
    quorum: int
    votes_for: int
    votes_against: int
    votes_abstain: int
    executed: bool


def read_proposal(w3: Web3, address: str, chain_proposal_id: int) -> OnChainProposal:
    """The contract's record of a proposal, at the latest block."""
    data = encode_call(GOVERNANCE, "proposals", (chain_proposal_id,))
    raw = bytes(w3.eth.call({"to": checksum(address), "data": data}))
    content, proposer, ends, quorum, yes, no, abstain, executed = decode_result(
        GOVERNANCE, "proposals", raw
    )
    return OnChainProposal(
        "0x" + bytes(content).hex(), checksum(proposer), ends, quorum, yes, no, abstain, executed
    )


def governance_version(writer: Web3ChainWriter, address: str) -> int:
    """The deployed contract's `version()`; 1 for the first version, which has none (the
    call reverts)."""
    to, data = checksum(address), encode_call(GOVERNANCE, "version", ())
    try:
        writer.preflight(ContractCall(f"{GOVERNANCE}.version", to, data))
    except CallReverted:
        return 1
    raw = bytes(writer.w3.eth.call({"to": to, "data": data}))
    return int(decode_result(GOVERNANCE, "version", raw)[0]) if len(raw) == 32 else 1


def upgraded_governance(
    writer: Web3ChainWriter, deployment: Deployment, *, timeout: float = 120.0
) -> tuple[Deployment, int] | None:
    """A deployment whose governance contract is the current version: None when it is
    already, else the same registry with a new governance contract deployed now (and the
    block it was deployed in)."""
    if governance_version(writer, deployment.governance_address) >= CURRENT_VERSION:
        return None
    call = ContractCall(f"deploy {GOVERNANCE}", None, load_artifact(GOVERNANCE).bytecode)
    receipt = send_and_wait(writer, call, timeout=timeout)
    created = writer.created_address(receipt.transaction_hash)
    if created is None:
        raise ChainWriteError(f"deploy {GOVERNANCE}: the receipt names no contract address")
    log.warning(
        "governance contract %s is version 1: version %d deployed at %s (block %d)",
        deployment.governance_address,
        CURRENT_VERSION,
        created,
        receipt.block_number,
    )
    return replace(deployment, governance_address=created), receipt.block_number
