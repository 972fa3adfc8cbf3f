"""Picks the chain adapters from settings: the embedded EVM, or a JSON-RPC node."""

from __future__ import annotations

from dataclasses import dataclass

from web3 import Web3

from app.adapters.chain.abi import UnknownEvent, platform_decoder
from app.adapters.chain.embedded import EmbeddedChain
from app.adapters.chain.rpc import (
    GOVERNANCE,
    REGISTRY,
    Deployment,
    Web3ChainReader,
    Web3RegistryOperator,
    deploy,
    project_key,
)
from app.domain.indexer.model import ChainEvent, FollowedContract
from app.ports.chain import RawLog


@dataclass
class ChainSetup:
    reader: Web3ChainReader
    operator: Web3RegistryOperator
    deployment: Deployment
    embedded: EmbeddedChain | None = None

    def followed(self, extra: list[FollowedContract] | None = None) -> list[FollowedContract]:
        d = self.deployment
        return [
            FollowedContract(d.registry_address, REGISTRY, d.block_number),
            FollowedContract(d.governance_address, GOVERNANCE, d.block_number),
            *(extra or []),
        ]


def embedded_chain() -> ChainSetup:
    chain = EmbeddedChain()
    return ChainSetup(chain.reader, chain.operator, chain.deployment, chain)


def rpc_chain(
    url: str, operator_key: str, registry: str | None, governance: str | None, start_block: int
) -> ChainSetup:
    w3 = Web3(Web3.HTTPProvider(url, request_kwargs={"timeout": 30}))
    if registry and governance:
        deployment = Deployment(registry, governance, start_block)
    else:
        deployment = deploy(w3, operator_key)
    operator = Web3RegistryOperator(
        w3, deployment.registry_address, deployment.governance_address, operator_key
    )
    return ChainSetup(Web3ChainReader(w3), operator, deployment)


def rpc_chain_id(url: str) -> int:
    return int(Web3(Web3.HTTPProvider(url, request_kwargs={"timeout": 10})).eth.chain_id)


def deploy_new(url: str, operator_key: str) -> ChainSetup:
    """Deploy a fresh version of the contracts to the node."""
    w3 = Web3(Web3.HTTPProvider(url, request_kwargs={"timeout": 30}))
    deployment = deploy(w3, operator_key)
    operator = Web3RegistryOperator(
        w3, deployment.registry_address, deployment.governance_address, operator_key
    )
    return ChainSetup(Web3ChainReader(w3), operator, deployment)


_DECODER = platform_decoder()


def decode(raw: RawLog) -> ChainEvent | None:
    try:
        return _DECODER.decode(raw)
    except UnknownEvent:
        return None


def chain_project_key(project_id: str) -> str:
    return "0x" + project_key(project_id).hex()


class ChainProbe:
    name = "chain"

    def __init__(self, reader: Web3ChainReader) -> None:
        self._reader = reader

    def check(self) -> None:
        self._reader.head()
