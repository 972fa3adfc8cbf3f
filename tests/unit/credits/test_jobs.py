"""The mint job: the project's record goes on chain once, with its signed bundle hash,
then each batch is minted once however often the job runs; a mint the chain refuses
fails its batch."""

from __future__ import annotations

from typing import Any

import pytest

from app.domain.credits import jobs
from app.domain.credits.errors import ProofPending
from app.domain.credits.model import BatchStatus
from app.domain.projects.model import Status
from tests.fakes.registry import fake_project_key
from tests.unit.builders import PID
from tests.unit.ledger_world import BUNDLE_HASH, LedgerWorld


def actions(world: LedgerWorld) -> list[str]:
    return [call.action for call in world.node.calls.values()]


def test_the_first_mint_anchors_the_project_then_mints_the_batch():
    world = LedgerWorld()
    batch = world.mint(kg=2_500)

    assert world.run_jobs() == ["credits.mint"]

    assert actions(world) == ["CarbonRegistry.registerProject", "CarbonRegistry.mintBatch"]
    register_tx, mint_tx = world.node.mined
    assert world.uow.credits.project_registered(PID)
    assert world.uow.credits.chain_projects[fake_project_key(PID)].register_tx == register_tx
    assert world.uow.credits.get_batch(batch.id).mint_tx == mint_tx
    [anchored] = world.chain.receipts[register_tx].logs
    assert BUNDLE_HASH in anchored.data.decode()
    assert world.audited()[-2:] == ["credits.project_anchored", "credits.mint_sent"]


def test_the_indexed_mint_confirms_the_batch_and_registers_the_project():
    world = LedgerWorld()
    batch = world.minted(kg=2_500)
    confirmed = world.uow.credits.get_batch(batch.id)
    assert confirmed.status == BatchStatus.CONFIRMED
    assert confirmed.mint_block == world.chain.head()
    assert world.holding(world.org_address).onchain_kg == 2_500
    assert world.uow.projects.get(PID).status == Status.REGISTERED


def test_later_batches_are_minted_without_anchoring_the_project_again():
    world = LedgerWorld()
    world.minted()
    world.mint(kg=1_000, period="2024-H2")
    world.run_jobs()
    assert actions(world) == [
        "CarbonRegistry.registerProject",
        "CarbonRegistry.mintBatch",
        "CarbonRegistry.mintBatch",
    ]


def job_args(world: LedgerWorld) -> dict[str, Any]:
    """What the job handlers give the chain jobs, over the world's fakes."""
    return {
        "uow": world.uow,
        "chain": world.chain_writes,
        "bundle_hash_of": lambda _pid, _uow: bytes.fromhex(BUNDLE_HASH),
        "project_key": fake_project_key,
        "metadata_uri": lambda pid: f"uri:{pid}",
    }


def test_a_project_is_anchored_once():
    world = LedgerWorld()

    def register() -> str | None:
        return jobs.register_project_on_chain(PID, **job_args(world))

    first = register()
    assert first is not None
    assert world.uow.credits.project_registered(PID)
    assert register() is None
    assert list(world.node.mined) == [first]
    assert world.audited().count("credits.project_anchored") == 1


def test_a_mint_job_delivered_twice_signs_each_transaction_once():
    world = LedgerWorld()
    batch = world.mint()
    for _ in range(2):
        jobs.mint_on_chain(batch.id, world.org_address, **job_args(world))
    assert len(world.node.signed) == 2  # the record and the batch
    assert len(world.chain.blocks) == 3  # genesis and their two blocks


def test_a_mint_the_chain_refuses_fails_its_batch():
    world = LedgerWorld()
    world.minted()
    second = world.mint(kg=1_000, period="2024-H2")
    world.node.revert = "TokenExists(tokenId=2)"
    world.run_jobs()
    failed = world.uow.credits.get_batch(second.id)
    assert (failed.status, failed.mint_tx) == (BatchStatus.FAILED, None)
    assert world.audited()[-1] == "credits.mint_failed"
    assert world.uow.audit_log.entries[-1].after == {"reason": "TokenExists(tokenId=2)"}


def test_the_mint_job_waits_while_the_proof_is_missing():
    world = LedgerWorld()
    world.mint()
    proof = world.uow.documents.items.pop("doc-proof")  # gone between the mint and the job
    world.uow.commit()
    with pytest.raises(ProofPending):
        world.run_jobs()
    assert world.node.signed == {}
    [job] = world.uow.outbox.jobs.values()
    assert job.done_at is None  # retried later

    world.uow.documents.add(proof)
    world.uow.commit()
    assert world.run_jobs() == ["credits.mint"]
    assert len(world.node.mined) == 2
