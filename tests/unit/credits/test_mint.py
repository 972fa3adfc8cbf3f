"""Minting reserves a token id and a serial range for the batch and asks the chain, for
the project's issuers and admins, once per vintage and monitoring period, and only
against the project's signed PoAI proof."""

from __future__ import annotations

import pytest

from app.domain.auth.principal import Principal
from app.domain.credits.errors import ProofPending
from app.domain.credits.model import BatchStatus
from app.domain.projects.model import Status
from app.domain.shared.errors import Conflict, NotFound, PermissionDenied, RuleViolation
from tests.fakes.registry import fake_project_key
from tests.unit.builders import ORG, PID
from tests.unit.ledger_world import ADMIN, FINANCE, ISSUER, STRANGER, VIEWER, LedgerWorld


def assert_nothing_minted(world: LedgerWorld) -> None:
    assert world.uow.credits.batches == {}
    assert world.uow.credits.custodial == {}
    assert world.uow.credits.chain_projects == {}
    assert world.jobs() == []
    assert world.audited() == []


def test_a_mint_reserves_token_id_and_serials_and_asks_the_chain() -> None:
    world = LedgerWorld()
    batch = world.mint(kg=2_500)

    assert (batch.token_id, batch.serial_start, batch.serial_end) == (1, 1, 3)
    assert (batch.issued_kg, batch.next_kg, batch.status) == (2_500, 1_000, BatchStatus.PENDING)
    assert world.uow.credits.get_batch(batch.id) == batch
    [job] = world.uow.outbox.jobs.values()
    holder = world.uow.credits.custodial_address("organization", ORG)
    assert holder == world.wallets.created[0]
    assert (job.name, job.payload) == ("credits.mint", {"batch_id": batch.id, "to": holder})
    assert world.uow.credits.chain_key_of(PID) == fake_project_key(PID)
    assert world.audited() == ["credits.custodial_account_created", "credits.mint_requested"]
    requested = world.uow.audit_log.entries[-1]
    assert (requested.actor_id, requested.after["serials"]) == (ISSUER.id, [1, 3])


def test_each_batch_takes_the_serials_after_the_previous_ones() -> None:
    world = LedgerWorld()
    first = world.mint(kg=2_500)
    second = world.mint(kg=1_000, period="2024-H2")
    third = world.mint(kg=1, vintage=2025)

    assert [(b.token_id, b.serial_start, b.serial_end) for b in (first, second, third)] == [
        (1, 1, 3),
        (2, 4, 4),
        (3, 5, 5),
    ]
    assert len(world.uow.credits.custodial) == 1  # the organization's holding is reused
    assert world.jobs() == ["credits.mint"] * 3


@pytest.mark.parametrize("kg", [0, -1_000])
def test_a_quantity_that_is_not_positive_is_refused(kg: int) -> None:
    world = LedgerWorld()
    with pytest.raises(RuleViolation) as refused:
        world.mint(kg=kg)
    assert refused.value.code == "invalid_quantity"
    assert_nothing_minted(world)


def test_a_project_without_its_signed_proof_is_not_minted() -> None:
    world = LedgerWorld(proof=False)
    with pytest.raises(ProofPending) as refused:
        world.mint()
    assert refused.value.code == "proof_pending"
    assert_nothing_minted(world)


def test_a_proof_whose_bundle_document_is_gone_is_no_proof() -> None:
    world = LedgerWorld()
    del world.uow.documents.items["doc-proof"]
    world.uow.commit()
    with pytest.raises(ProofPending):
        world.mint()
    assert_nothing_minted(world)


@pytest.mark.parametrize("status", [Status.APPROVED, Status.REGISTERED, Status.ACTIVE])
def test_approved_registered_and_active_projects_are_minted(status: Status) -> None:
    assert LedgerWorld(status=status).mint().status == BatchStatus.PENDING


@pytest.mark.parametrize(
    "status", [Status.UNDER_REVIEW, Status.REJECTED, Status.SUSPENDED, Status.CLOSED]
)
def test_a_project_in_another_status_is_not_mintable(status: Status) -> None:
    world = LedgerWorld(status=status)
    with pytest.raises(Conflict) as refused:
        world.mint(ADMIN)
    assert refused.value.code == "not_mintable"
    assert_nothing_minted(world)


def test_an_admin_mints_for_the_organization() -> None:
    world = LedgerWorld()
    world.mint(ADMIN)
    assert world.uow.audit_log.entries[-1].actor_id == ADMIN.id
    assert world.uow.credits.custodial_address("organization", ORG) is not None


@pytest.mark.parametrize("member", [FINANCE, VIEWER], ids=["finance", "viewer"])
def test_members_who_are_not_its_issuers_do_not_mint(member: Principal) -> None:
    world = LedgerWorld()
    with pytest.raises(PermissionDenied):
        world.mint(member)
    assert_nothing_minted(world)


def test_a_project_the_caller_cannot_see_is_not_found() -> None:
    world = LedgerWorld()  # approved: not public yet
    with pytest.raises(NotFound):
        world.mint(STRANGER)
    with pytest.raises(NotFound):
        world.mint(project_id="no-such-project")
    assert_nothing_minted(world)


def test_a_public_project_is_minted_by_its_issuers_only() -> None:
    world = LedgerWorld(status=Status.ACTIVE)
    with pytest.raises(PermissionDenied):
        world.mint(STRANGER)
    assert_nothing_minted(world)


def test_a_vintage_the_project_does_not_have_is_refused() -> None:
    world = LedgerWorld(vintages=[2024])
    with pytest.raises(RuleViolation) as refused:
        world.mint(vintage=2019)
    assert refused.value.code == "unknown_vintage"
    assert_nothing_minted(world)


def test_a_vintage_and_monitoring_period_are_issued_once() -> None:
    world = LedgerWorld()
    world.mint(period="2024")
    with pytest.raises(Conflict) as refused:
        world.mint(period="2024")
    assert refused.value.code == "already_issued"
    assert len(world.uow.credits.batches) == 1
    assert world.jobs() == ["credits.mint"]
