"""Reorganizations: when the indexed head is no longer canonical, the events above the
fork (the newest block whose stored hash the node still has) are undone on the ledger
and forgotten, and the competing branch is indexed in the same step. Deeper than the
window of kept hashes, the indexer halts until a re-sync."""

from __future__ import annotations

from typing import Any

import pytest

from app.domain.credits.model import BatchStatus, RetirementStatus
from app.domain.indexer.services import resync
from app.domain.projects.model import Status
from tests.fakes.registry import retired_event
from tests.unit.builders import PID
from tests.unit.ledger_world import LedgerWorld

BOB = "0x0000000000000000000000000000000000000B0b"
CAROL = "0x000000000000000000000000000000000000CA01"


def transfer(world: LedgerWorld, to: str, kg: int) -> None:
    args = {"tokenId": 1, "from": world.org_address, "to": to, "amountKg": kg}
    world.chain.mine(("CreditsTransferred", args))


def ledger(world: LedgerWorld) -> dict[str, Any]:
    """What the projection wrote, to compare one way of getting there with another."""
    credits = world.uow.credits
    return {
        "balances": {k: h.onchain_kg for k, h in credits.holdings.items() if h.onchain_kg},
        "pending": {k: h.pending_out_kg for k, h in credits.holdings.items() if h.pending_out_kg},
        "batches": {b.token_id: (b.status, b.mint_block) for b in credits.batches.values()},
        "retirements": {r.id: (r.status, r.confirmed_block) for r in credits.retirements.values()},
        "events": [(e.block_hash, e.name) for e in world.uow.indexer.events.values()],
        "project": world.uow.projects.get(PID).status,
    }


@pytest.fixture
def world() -> LedgerWorld:
    minted = LedgerWorld(reorg_window=4)
    minted.chain.mine_empty()  # block 1, indexed: the fork of the reorganizations below
    minted.index()
    minted.minted()  # record at block 2, mint at block 3
    return minted


def test_a_reorg_within_the_window_rolls_back_and_indexes_the_new_branch(world: LedgerWorld):
    transfer(world, BOB, 3_000)  # block 4
    world.index()
    assert world.holding(BOB).onchain_kg == 3_000

    world.chain.reorganize(1)
    transfer(world, CAROL, 1_000)  # the competing block 4
    world.chain.mine_empty()

    step = world.index()

    assert step.reorg_depth == 1
    assert (step.from_block, step.to_block, step.new_events) == (4, 5, 1)
    assert world.holding(BOB).onchain_kg == 0
    assert world.holding(CAROL).onchain_kg == 1_000
    assert world.holding(world.org_address).onchain_kg == 49_000
    assert world.uow.indexer.checkpoint.reorgs == 1
    assert world.uow.indexer.blocks[4] == world.chain.blocks[4].hash
    assert {e.block_hash for e in world.uow.indexer.events_after(3)} == {world.chain.blocks[4].hash}


def test_a_mint_reorganized_away_is_pending_again_and_its_project_approved(world: LedgerWorld):
    world.chain.reorganize(2)
    world.chain.mine_empty(3)

    step = world.index()

    assert step.reorg_depth == 2
    batch = world.batch()
    assert (batch.status, batch.mint_block) == (BatchStatus.PENDING, None)
    assert world.holding(world.org_address).onchain_kg == 0
    assert world.uow.projects.get(PID).status == Status.APPROVED
    assert world.uow.projects.history(PID)[-1].reason == "chain reorganization"
    assert world.uow.indexer.events == {}


def test_a_confirmed_retirement_reorganized_away_is_pending_with_its_reservation(
    world: LedgerWorld,
):
    retirement = world.retire(kg=1_500)
    world.settle()  # the retire job mines block 4; the indexer confirms it
    assert world.uow.credits.get_retirement(retirement.id).status == RetirementStatus.CONFIRMED

    world.chain.reorganize(1)
    world.chain.mine_empty(2)
    world.index()

    again = world.uow.credits.get_retirement(retirement.id)
    assert (again.status, again.confirmed_at, again.confirmed_block) == (
        RetirementStatus.PENDING,
        None,
        None,
    )
    holding = world.holding(world.org_address)
    assert (holding.onchain_kg, holding.pending_out_kg) == (50_000, 1_500)


def test_the_ledger_after_a_reorg_is_what_a_clean_reindex_makes(world: LedgerWorld):
    retirement = world.retire(kg=1_500)
    world.settle()  # block 4
    transfer(world, BOB, 3_000)  # block 5
    world.index()
    world.chain.reorganize(2)
    transfer(world, CAROL, 2_000)
    event = retired_event(
        1, world.org_address, 1_000, 2_499, beneficiary="Acme Ltd", purpose="2025 scope 1"
    )
    world.chain.mine(event)  # the retirement makes it into the new branch, later
    world.index()
    after_reorg = ledger(world)
    assert after_reorg["retirements"][retirement.id] == (RetirementStatus.CONFIRMED, 5)

    assert resync(0, uow=world.uow, project=world.project) == 4
    world.index()

    assert ledger(world) == after_reorg


def test_a_reorg_deeper_than_the_window_halts_until_a_resync(world: LedgerWorld):
    for kg in (1_000, 2_000, 3_000, 4_000):
        transfer(world, BOB, kg)  # blocks 4..7
    world.index()
    before = ledger(world)
    world.chain.reorganize(5)
    world.chain.mine_empty(6)

    step = world.index()

    assert step.halted is not None
    assert "deeper than the 4 blocks kept" in step.halted
    assert ledger(world) == before  # nothing undone on a guess
    assert world.index().halted == step.halted

    rolled_back = resync(1, uow=world.uow, project=world.project)
    resumed = world.index()

    assert rolled_back == 6  # the record, the mint and the transfers
    assert resumed.halted is None
    assert world.uow.indexer.checkpoint.halted is None
    assert world.holding(BOB).onchain_kg == 0
    assert world.batch().status == BatchStatus.PENDING
    assert world.uow.projects.get(PID).status == Status.REGISTERED
