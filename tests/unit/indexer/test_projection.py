"""Indexing: each step stores the new events of the followed contracts once, projects
them onto the ledger (balances, batches, retirements, projects) and moves the checkpoint
in the same transaction."""

from __future__ import annotations

from dataclasses import replace

from app.domain.credits.model import BatchStatus, RetirementStatus
from app.domain.indexer.model import Checkpoint, FollowedContract
from app.domain.projects.model import Status
from tests.fakes.registry import REGISTRY, TOPIC_OF, retired_event
from tests.unit.builders import PID
from tests.unit.ledger_world import LedgerWorld

OTHER = "0x0000000000000000000000000000000000000B0b"


def transfer(world: LedgerWorld, to: str, kg: int, source: str | None = None) -> None:
    args = {"tokenId": 1, "from": source or world.org_address, "to": to, "amountKg": kg}
    world.chain.mine(("CreditsTransferred", args))


def test_a_step_projects_the_record_and_the_mint():
    world = LedgerWorld()
    batch = world.mint(kg=50_000)
    world.run_jobs()

    step = world.index()

    assert (step.from_block, step.to_block, step.events, step.new_events) == (0, 2, 2, 2)
    confirmed = world.uow.credits.get_batch(batch.id)
    assert (confirmed.status, confirmed.mint_block) == (BatchStatus.CONFIRMED, 2)
    (mint_log,) = world.chain.block_logs[2]
    assert mint_log.topics == (TOPIC_OF["CreditsMinted"],)
    assert confirmed.mint_tx == mint_log.transaction_hash
    assert world.holding(world.org_address).onchain_kg == 50_000
    assert world.uow.projects.get(PID).status == Status.REGISTERED
    assert world.uow.projects.history(PID)[-1].reason == "record minted on chain"
    checkpoint = world.uow.indexer.checkpoint
    assert (checkpoint.block_number, checkpoint.block_hash) == (2, world.chain.blocks[2].hash)
    assert sorted(world.uow.indexer.blocks) == [1, 2]


def test_transfers_move_kilograms_between_holdings():
    world = LedgerWorld()
    world.minted()
    transfer(world, OTHER, 3_000)
    transfer(world, world.org_address, 1_000, source=OTHER)
    world.index()
    assert world.holding(world.org_address).onchain_kg == 48_000
    assert world.holding(OTHER).onchain_kg == 2_000


def test_a_retired_event_confirms_its_pending_retirement_and_spends_the_reservation():
    world = LedgerWorld()
    world.minted()
    retirement = world.retire(kg=1_500)
    event = retired_event(
        1, world.org_address, 1_000, 2_499, beneficiary="Acme Ltd", purpose="2025 scope 1"
    )
    receipt = world.chain.mine(event)  # as the retire job would have sent it
    world.index()

    confirmed = world.uow.credits.get_retirement(retirement.id)
    assert confirmed.status == RetirementStatus.CONFIRMED
    assert (confirmed.confirmed_block, confirmed.tx_hash) == (
        receipt.block_number,
        receipt.transaction_hash,
    )
    assert confirmed.confirmed_at == world.clock.now()
    holding = world.holding(world.org_address)
    assert (holding.onchain_kg, holding.pending_out_kg) == (48_500, 0)


def test_a_retired_event_writes_its_holding_once():
    world = LedgerWorld()
    world.minted()
    world.retire(kg=1_500)
    world.chain.mine(retired_event(1, world.org_address, 1_000, 2_499, beneficiary="", purpose=""))
    world.uow.credits.holding_writes.clear()

    world.index()

    assert world.uow.credits.holding_writes == [(world.org_address, 1)]  # burn and release
    holding = world.holding(world.org_address)
    assert (holding.onchain_kg, holding.pending_out_kg) == (48_500, 0)


def test_a_retirement_nobody_asked_for_moves_only_the_balance():
    world = LedgerWorld()
    world.minted()
    world.chain.mine(retired_event(1, world.org_address, 1_000, 1_999, beneficiary="", purpose=""))
    world.index()
    assert world.holding(world.org_address).onchain_kg == 49_000
    assert world.uow.credits.retirements == {}


def test_events_are_projected_once_however_often_their_blocks_are_read():
    world = LedgerWorld()
    world.minted()
    transfer(world, OTHER, 3_000)
    world.index()
    checkpoint = world.uow.indexer.checkpoint
    world.uow.indexer.checkpoint = replace(checkpoint, block_number=0, block_hash=None)
    world.uow.commit()

    again = world.index()

    assert (again.events, again.new_events) == (3, 0)
    assert world.holding(OTHER).onchain_kg == 3_000
    assert world.holding(world.org_address).onchain_kg == 47_000


def test_a_step_reads_at_most_max_blocks_and_tracks_the_head():
    world = LedgerWorld()
    world.chain.mine_empty(5)
    world.config = replace(world.config, max_blocks=2, confirmations=2)
    steps = [world.index() for _ in range(4)]
    assert [(s.from_block, s.to_block) for s in steps] == [(0, 1), (2, 3), (4, 5), (6, 5)]
    checkpoint = world.uow.indexer.checkpoint
    assert (checkpoint.block_number, checkpoint.head_block, checkpoint.safe_block) == (5, 5, 3)


def test_events_before_a_contract_is_followed_are_ignored():
    world = LedgerWorld()
    world.minted()  # blocks 1 and 2
    transfer(world, OTHER, 3_000)  # block 3
    world.uow.indexer.checkpoint = None
    world.uow.indexer.events.clear()
    world.uow.credits.holdings.clear()
    world.uow.commit()
    world.config = replace(world.config, contracts=[FollowedContract(REGISTRY, "Registry", 3)])

    step = world.index()

    assert (step.events, step.new_events) == (1, 1)
    assert world.holding(OTHER).onchain_kg == 3_000
    assert [e.name for e in world.uow.indexer.events.values()] == ["CreditsTransferred"]


def test_a_node_serving_another_chain_halts_the_indexer():
    world = LedgerWorld()
    world.minted()
    world.uow.indexer.checkpoint = Checkpoint(1, "0x" + "99" * 32, 2, world.chain.blocks[2].hash)
    world.uow.commit()
    transfer(world, OTHER, 3_000)

    step = world.index()

    assert step.halted is not None
    assert "another chain" in step.halted
    assert world.uow.indexer.checkpoint.halted == step.halted
    assert world.holding(OTHER).onchain_kg == 0
    assert world.index().halted == step.halted  # it stays halted
