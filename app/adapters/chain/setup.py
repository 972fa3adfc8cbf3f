"""Picks the chain adapters from settings: the embedded EVM, or a JSON-RPC node."""

from __future__ import annotations

from dataclasses import dataclass

from web3 import Web3

from app.adapters.chain.chain_lock import ChainDirLock
from app.adapters.chain.embedded import DEFAULT_CHAIN_ID, EmbeddedChain
from app.adapters.chain.events import UnknownEvent, platform_decoder
from app.adapters.chain.governance import Web3GovernanceCalls, upgraded_governance
from app.adapters.chain.rpc import (
    GOVERNANCE,
    REGISTRY,
    Deployment,
    Web3ChainReader,
    Web3RegistryCalls,
    deploy,
    project_key,
)
from app.adapters.chain.transactions import Web3ChainWriter
from app.domain.indexer.model import ChainEvent, FollowedContract
from app.ports.chain import RawLog


@dataclass
class ChainSetup:
    reader: Web3ChainReader
    calls: Web3RegistryCalls
    writer: Web3ChainWriter
    deployment: Deployment
    embedded: EmbeddedChain | None = None

    @property
    def governance(self) -> Web3GovernanceCalls:
        """The operator's calls to the governance contract."""
        return Web3GovernanceCalls(self.deployment.governance_address)

    def upgrade_governance(self) -> FollowedContract | None:
        """Deploy the current governance contract when the one followed is version 1 (see
        `app.adapters.chain.governance`); the new one, to record, or None."""
        upgrade = upgraded_governance(self.writer, self.deployment)
        if upgrade is None:
            return None
        self.deployment = upgrade[0]
        return FollowedContract(self.deployment.governance_address, GOVERNANCE, upgrade[1])

    def followed(self, extra: list[FollowedContract] | None = None) -> list[FollowedContract]:
        d = self.deployment
        return [
            FollowedContract(d.registry_address, REGISTRY, d.block_number),
            FollowedContract(d.governance_address, GOVERNANCE, d.block_number),
            *(extra or []),
        ]


def embedded_chain(
    path: str | None = None, chain_id: int = DEFAULT_CHAIN_ID, lock: ChainDirLock | None = None
) -> ChainSetup:
    """The in-process chain: in memory, or kept in the folder `path` (see `EmbeddedChain`)."""
    chain = EmbeddedChain(path=path, chain_id=chain_id, lock=lock)
    return ChainSetup(chain.reader, chain.calls, chain.writer, chain.deployment, chain)


def rpc_chain(
    url: str, operator_key: str, registry: str | None, governance: str | None, start_block: int
) -> ChainSetup:
    w3 = Web3(Web3.HTTPProvider(url, request_kwargs={"timeout": 30}))
    writer = Web3ChainWriter(w3, operator_key)
    if registry and governance:
        deployment = Deployment(registry, governance, start_block)
    else:
        deployment = deploy(writer)
    calls = Web3RegistryCalls(deployment.registry_address, deployment.governance_address)
    return ChainSetup(Web3ChainReader(w3), calls, writer, deployment)


def rpc_chain_id(url: str) -> int:
    return int(Web3(Web3.HTTPProvider(url, request_kwargs={"timeout": 10})).eth.chain_id)


def deploy_new(url: str, operator_key: str) -> ChainSetup:
    """Deploy a fresh version of the contracts to the node."""
    w3 = Web3(Web3.HTTPProvider(url, request_kwargs={"timeout": 30}))
    writer = Web3ChainWriter(w3, operator_key)
    deployment = deploy(writer)
    calls = Web3RegistryCalls(deployment.registry_address, deployment.governance_address)
    return ChainSetup(Web3ChainReader(w3), calls, writer, deployment)


_DECODER = platform_decoder()


def decode(raw: RawLog) -> ChainEvent | None:
    try:
        return _DECODER.decode(raw)
    except UnknownEvent:
        return None


def chain_project_key(project_id: str) -> str:
    return "0x" + project_key(project_id).hex()
