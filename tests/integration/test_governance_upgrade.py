"""A chain that still runs the first governance contract (members voting yes or no from
their own keys): the platform deploys the current one beside it and follows that, once,
on the embedded chain kept in a folder (`make run` on an existing instance) and on a node
whose deployment is recorded; the registry stays where it is."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from web3 import Web3

from app.adapters.chain.abi import LEGACY_DIR, load_artifact
from app.adapters.chain.chain_store import CHAIN_FILE, SqliteChainStore
from app.adapters.chain.embedded import EmbeddedChain
from app.adapters.chain.governance import CURRENT_VERSION, governance_version
from app.adapters.chain.rpc import GOVERNANCE, REGISTRY, deploy
from app.adapters.chain.transactions import Web3ChainWriter, send_and_wait
from app.domain.chain.model import ContractCall
from app.domain.indexer.model import FollowedContract
from tests.integration.governance_support import member, propose

pytest_plugins = ["tests.integration.chain_node"]


def _deploy_v1(writer: Web3ChainWriter) -> tuple[str, int]:
    bytecode = load_artifact("CarbonGovernance-v1", LEGACY_DIR).bytecode
    receipt = send_and_wait(writer, ContractCall("deploy v1", None, bytecode), timeout=30)
    address = writer.created_address(receipt.transaction_hash)
    assert address is not None
    return address, receipt.block_number


def _with_v1_governance(folder: Path) -> tuple[str, str]:
    """A chain folder whose recorded governance contract is version 1."""
    chain = EmbeddedChain(path=folder)
    old, _ = _deploy_v1(chain.writer)
    registry = chain.deployment.registry_address
    chain.close()
    store = SqliteChainStore(folder / CHAIN_FILE)
    recorded = dict(store.record("deployment"))
    store.set_record("deployment", {**recorded, "governance_address": old})
    store.commit()
    store.close()
    return registry, old


def test_a_kept_embedded_chain_gets_the_current_governance_contract_once(tmp_path: Path):
    registry, old = _with_v1_governance(tmp_path)
    assert governance_version_of(tmp_path, old) == 1

    chain = EmbeddedChain(path=tmp_path)
    upgraded = chain.deployment
    assert upgraded.registry_address == registry
    assert upgraded.governance_address != old
    assert governance_version(chain.writer, upgraded.governance_address) == CURRENT_VERSION
    chain.close()
    again = EmbeddedChain(path=tmp_path)
    assert again.deployment == upgraded
    again.close()


def governance_version_of(folder: Path, address: str) -> int:
    chain = EmbeddedChain(path=folder)
    try:
        return governance_version(chain.writer, address) if address else 0
    finally:
        chain.close()


def test_an_instance_over_an_old_chain_folder_takes_proposals(make_app, tmp_path: Path):
    _, old = _with_v1_governance(tmp_path / "chain")
    app = make_app(embedded_chain_dir=str(tmp_path / "chain"))
    client = app.test_client()

    body = propose(app, member(app, client, "alice"))

    assert body["status"] == "active"
    assert app.extensions["platform"].chain.deployment.governance_address != old


@pytest.fixture
def node(anvil: Any) -> tuple[Any, Web3ChainWriter]:
    return anvil, Web3ChainWriter(Web3(Web3.HTTPProvider(anvil.rpc_url)), anvil.private_key)


def test_a_recorded_old_governance_contract_on_a_node_is_replaced_and_recorded(make_platform, node):
    anvil, writer = node
    deployment = deploy(writer)
    old, old_block = _deploy_v1(writer)
    settings: dict[str, Any] = {
        "chain_backend": "rpc",
        "chain_rpc_url": anvil.rpc_url,
        "operator_private_key": anvil.private_key,
    }
    platform = make_platform(**settings)
    platform.contracts.record(
        [
            FollowedContract(deployment.registry_address, REGISTRY, deployment.block_number),
            FollowedContract(old, GOVERNANCE, old_block),
        ],
        31337,
    )

    chain = platform.chain
    new = chain.deployment.governance_address
    assert chain.deployment.registry_address == deployment.registry_address
    assert new != old
    assert governance_version(writer, new) == CURRENT_VERSION
    current = platform.contracts.current(31337, GOVERNANCE)
    assert current is not None
    assert current.address == new
    followed = {c.address: c for c in platform.indexer_config().contracts}
    assert followed[old].to_block is not None
    again = make_platform(database_url=platform.settings.database_url, **settings)
    assert again.chain.deployment.governance_address == new
