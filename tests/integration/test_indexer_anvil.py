"""The indexer against a real node (anvil): reorganizations, crashes, re-syncs and
contract upgrades leave the database as a clean index from scratch would."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
import sqlalchemy as sa
from web3 import Web3

from app.adapters.chain.rpc import Web3RegistryCalls, deploy
from app.adapters.chain.setup import decode
from app.domain.indexer.model import FollowedContract
from app.domain.indexer.projection import platform_projector
from app.domain.indexer.services import index_step, resync
from app.main.app_factory import create_app
from tests.integration.chain_support import DirectOperator

pytest_plugins = ["tests.integration.chain_node"]
HOLDER = "0x000000000000000000000000000000000000dEaD"
OTHER = "0x0000000000000000000000000000000000000B0b"


@pytest.fixture
def world(make_platform, anvil):
    platform = make_platform(
        chain_backend="rpc",
        chain_rpc_url=anvil.rpc_url,
        operator_private_key=anvil.private_key,
        chain_confirmations=0,
        indexer_reorg_window=8,
    )
    w3 = Web3(Web3.HTTPProvider(anvil.rpc_url))
    return platform, w3, anvil


def _rpc(w3: Web3, method: str, *params: Any) -> Any:
    return w3.provider.make_request(method, list(params))["result"]


def _activity(platform, token_id: int, amount: int = 10_000) -> None:
    chain = platform.chain
    op = DirectOperator(chain.writer._w3, chain.calls, chain.writer)
    project = f"project-{token_id}"
    op.register_project(project, bytes(32), "uri")
    op.mint_batch(
        token_id=token_id,
        project_id=project,
        vintage=2024,
        amount_kg=amount,
        serial_start=token_id * 1000,
        serial_end=token_id * 1000 + amount // 1000 - 1,
        to=HOLDER,
    )
    op.transfer(token_id, HOLDER, OTHER, 3000)
    op.retire(
        token_id=token_id,
        holder=OTHER,
        beneficiary="b",
        purpose="p",
        kg_start=token_id * 1000 * 1000,
        kg_end=token_id * 1000 * 1000 + 999,
    )


def _catch_up(platform) -> None:
    for _ in range(50):
        result = platform.index_step()
        if result.halted or result.to_block < result.from_block:
            return


def _state(platform) -> dict[str, Any]:
    with platform.db.engine.connect() as conn:
        events = conn.execute(
            sa.text(
                "SELECT block_number, log_index, block_hash, name FROM chain_events ORDER BY 1, 2"
            )
        ).all()
        balances = conn.execute(
            sa.text(
                "SELECT address, token_id, onchain_kg FROM credit_balances"
                " WHERE onchain_kg <> 0 ORDER BY 1, 2"
            )
        ).all()
    return {"events": [tuple(e) for e in events], "balances": [tuple(b) for b in balances]}


def _clean_reindex(platform) -> dict[str, Any]:
    resync(
        platform.chain.deployment.block_number,
        uow=platform.uow(),
        project=platform_projector(platform.clock),
    )
    _catch_up(platform)
    return _state(platform)


def test_a_shallow_reorg_ends_like_a_clean_reindex(world):
    platform, w3, _ = world
    _activity(platform, 1)
    snapshot = _rpc(w3, "evm_snapshot")
    _activity(platform, 2)
    _catch_up(platform)
    assert {b[1] for b in _state(platform)["balances"]} == {1, 2}

    assert _rpc(w3, "evm_revert", snapshot) is True
    _activity(platform, 3)  # a competing, longer branch
    _rpc(w3, "anvil_mine", hex(3))
    _catch_up(platform)
    after_reorg = _state(platform)
    assert {b[1] for b in after_reorg["balances"]} == {1, 3}
    with platform.db.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT reorgs FROM chain_checkpoints")).scalar_one() == 1
    assert _clean_reindex(platform) == after_reorg


def test_a_reorg_deeper_than_the_window_halts_with_the_reason(make_app, world):
    platform, w3, _ = world
    snapshot = _rpc(w3, "evm_snapshot")
    for token in range(1, 4):
        _activity(platform, token)  # 12 blocks > window of 8
    _catch_up(platform)
    assert _rpc(w3, "evm_revert", snapshot) is True
    _rpc(w3, "anvil_mine", hex(30))
    result = platform.index_step()
    assert result.halted is not None
    assert "deeper than the 8 blocks" in result.halted
    status = create_app(platform=platform).test_client().get("/api/v1/chain/status").get_json()
    assert "deeper than" in status["halted"]


def test_a_crash_before_commit_duplicates_nothing(world, monkeypatch):
    platform, _, _ = world
    _activity(platform, 1)
    reader = platform.chain.reader
    real_block = reader.block

    def crash_after_events(number: int):
        if number > 0:  # the range end is read after the events were written
            raise ConnectionError("killed")
        return real_block(number)

    monkeypatch.setattr(reader, "block", crash_after_events)
    with pytest.raises(ConnectionError):
        platform.index_step()
    monkeypatch.setattr(reader, "block", real_block)
    _catch_up(platform)
    once = _state(platform)
    names = [e[3] for e in once["events"]]
    for name in ["ProjectRecordMinted", "CreditsMinted", "CreditsTransferred", "CreditsRetired"]:
        assert names.count(name) == 1
    assert {(a, t): kg for a, t, kg in once["balances"]} == {(HOLDER, 1): 7000, (OTHER, 1): 2000}
    # Replaying the same range (checkpoint moved back by hand) changes nothing either.
    with platform.db.engine.begin() as conn:
        conn.execute(
            sa.text(
                "UPDATE chain_checkpoints SET block_number = block_number - 5, block_hash = NULL"
            )
        )
    _catch_up(platform)
    assert _state(platform) == once


def test_a_missed_range_is_resynced(world):
    platform, _, _ = world
    _activity(platform, 1)
    _catch_up(platform)
    before = _state(platform)
    with platform.db.engine.begin() as conn:  # lose a range of events and their effects
        conn.execute(sa.text("DELETE FROM chain_events"))
        conn.execute(sa.text("UPDATE credit_balances SET onchain_kg = 0"))
    resync(
        platform.chain.deployment.block_number,
        uow=platform.uow(),
        project=platform_projector(platform.clock),
    )
    _catch_up(platform)
    assert _state(platform) == before


def test_an_upgraded_contract_is_followed_from_its_first_block(world, monkeypatch):
    platform, w3, _ = world
    _activity(platform, 1)
    _catch_up(platform)
    writer = platform.chain.writer
    upgraded = deploy(writer)
    operator = DirectOperator(
        w3, Web3RegistryCalls(upgraded.registry_address, upgraded.governance_address), writer
    )
    old = platform.chain.deployment
    contracts = [
        FollowedContract(
            old.registry_address, "CarbonRegistry", old.block_number, upgraded.block_number - 1
        ),
        FollowedContract(upgraded.registry_address, "CarbonRegistry", upgraded.block_number),
    ]
    config = platform.indexer_config()
    config = replace(config, contracts=contracts)
    operator.register_project("project-9", bytes(32), "uri")
    operator.mint_batch(
        token_id=9,
        project_id="project-9",
        vintage=2025,
        amount_kg=2000,
        serial_start=90_000,
        serial_end=90_001,
        to=HOLDER,
    )
    for _ in range(10):
        index_step(
            uow=platform.uow(),
            chain=platform.chain.reader,
            decode=_decode(),
            project=platform_projector(platform.clock),
            config=config,
        )
    balances = {(a, t): kg for a, t, kg in _state(platform)["balances"]}
    assert balances[(HOLDER, 9)] == 2000
    assert balances[(HOLDER, 1)] == 7000


def _decode():
    return decode


def test_chain_deploy_records_versions_and_the_indexer_follows_each(make_app, anvil):
    settings = {
        "chain_backend": "rpc",
        "chain_rpc_url": anvil.rpc_url,
        "operator_private_key": anvil.private_key,
        "chain_confirmations": 0,
    }
    app = make_app(**settings)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["chain", "deploy"])
    assert first.exit_code == 0, first.output
    platform = app.extensions["platform"]
    chain_id = int(anvil_chain_id(anvil.rpc_url))
    v1 = platform.contracts.current(chain_id, "CarbonRegistry")
    assert v1 is not None
    assert platform.chain.deployment.registry_address == v1.address  # no second deployment
    _activity(platform, 1)

    second = runner.invoke(args=["chain", "deploy"])
    assert second.exit_code == 0, second.output
    later = make_app(**settings).extensions["platform"]  # a new process reads the record
    v2 = later.contracts.current(chain_id, "CarbonRegistry")
    assert v2 is not None
    assert v2.address != v1.address
    followed = {c.address: c for c in later.indexer_config().contracts}
    assert followed[v1.address].to_block == v2.from_block - 1
    _activity(later, 2)
    _catch_up(later)
    tokens = {t for _, t, _ in _state(later)["balances"]}
    assert tokens == {1, 2}


def anvil_chain_id(url: str) -> int:
    return Web3(Web3.HTTPProvider(url)).eth.chain_id


def test_small_prefetched_pages_index_what_one_page_does(world, monkeypatch):
    platform, _, _ = world
    for token_id in (1, 2, 3):
        _activity(platform, token_id)
    reader = platform.chain.reader
    head = reader.head()
    start = platform.chain.deployment.block_number
    addresses = [c.address for c in platform.indexer_config().contracts]
    pages = list(reader.log_pages(start, head, addresses, 2, list))
    assert len(pages) == (head - start) // 2 + 1
    assert [log for page in pages for log in page] == reader.logs(start, head, addresses)
    for page_number, page in enumerate(pages):
        first = start + 2 * page_number
        assert all(first <= log.block_number <= first + 1 for log in page)
    abandoned = reader.log_pages(start, head, addresses, 2, list)  # the caller stops after one page
    assert next(abandoned) == pages[0]
    abandoned.close()
    assert list(reader.log_pages(start, head, addresses, 2, list)) == pages

    _catch_up(platform)
    whole = _state(platform)
    app_config = platform.indexer_config
    monkeypatch.setattr(platform, "indexer_config", lambda: replace(app_config(), page_blocks=2))
    assert _clean_reindex(platform) == whole
    assert len(whole["events"]) >= 12
