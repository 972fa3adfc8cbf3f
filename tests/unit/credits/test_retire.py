"""Custodial retirements: the holding's kilograms are reserved and the batch's next
kilogram range is promised at once; the chain job sends the retirement, the indexer
confirms it, and a retirement the chain refused gives everything back."""

from __future__ import annotations

import pytest

from app.domain.auth.principal import Principal
from app.domain.credits.errors import InsufficientCredits
from app.domain.credits.model import RetirementStatus
from app.domain.credits.retirements import get_retirement, list_retirements
from app.domain.credits.services import authorize_holding
from app.domain.shared.errors import NotFound, PermissionDenied, RuleViolation
from tests.unit.builders import ORG, PID
from tests.unit.ledger_world import ADMIN, FINANCE, ISSUER, STRANGER, VIEWER, LedgerWorld


@pytest.fixture
def world() -> LedgerWorld:
    minted = LedgerWorld()
    minted.minted(kg=50_000)  # serials 1..50: kilograms 1000..50999
    return minted


def test_a_retirement_reserves_the_holding_and_the_batchs_next_kilograms(world: LedgerWorld):
    retirement = world.retire(kg=1_500)

    assert (retirement.kg_start, retirement.kg_end) == (1_000, 2_499)
    assert (retirement.serial_start, retirement.serial_end) == (1, 2)
    assert (retirement.project_id, retirement.status) == (PID, RetirementStatus.PENDING)
    assert (retirement.owner_kind, retirement.owner_id) == ("organization", ORG)
    assert retirement.holder_address == world.org_address
    assert world.holding(world.org_address).pending_out_kg == 1_500
    assert world.holding(world.org_address).available_kg == 48_500
    assert (world.batch().next_kg, world.batch().retired_kg) == (2_500, 1_500)
    assert world.uow.credits.get_retirement(retirement.id) == retirement
    assert world.jobs()[-1] == "credits.retire"
    assert world.audited()[-1] == "credits.retirement_requested"


def test_fractional_retirements_share_a_serial_never_a_kilogram(world: LedgerWorld):
    first = world.retire(kg=500)
    second = world.retire(kg=700)
    assert (first.kg_start, first.kg_end, second.kg_start, second.kg_end) == (
        1_000,
        1_499,
        1_500,
        2_199,
    )
    assert first.serial_end == second.serial_start == 1


def test_retiring_more_than_is_available_is_refused(world: LedgerWorld):
    world.retire(kg=49_000)
    with pytest.raises(InsufficientCredits):
        world.retire(kg=1_001)
    assert world.holding(world.org_address).pending_out_kg == 49_000
    assert world.batch().next_kg == 50_000
    assert len(world.uow.credits.retirements) == 1
    assert world.retire(kg=1_000).kg_end == 50_999  # what is left can still go


def test_credits_not_yet_on_chain_cannot_be_retired():
    world = LedgerWorld()
    world.mint()  # asked for, not mined
    with pytest.raises(InsufficientCredits):
        world.retire(kg=1)
    assert world.uow.credits.retirements == {}


@pytest.mark.parametrize("kg", [0, -5])
def test_a_quantity_that_is_not_positive_is_refused(world: LedgerWorld, kg: int):
    with pytest.raises(RuleViolation) as refused:
        world.retire(kg=kg)
    assert refused.value.code == "invalid_quantity"


def test_a_vintage_without_credits_of_the_holder_is_refused(world: LedgerWorld):
    with pytest.raises(InsufficientCredits):
        world.retire(kg=1_000, vintage=2025)


def test_a_project_the_caller_cannot_see_is_not_found(world: LedgerWorld):
    with pytest.raises(NotFound):
        world.retire(kg=1_000, project_id="no-such-project")
    assert world.uow.credits.retirements == {}


def test_a_user_retires_from_its_own_custodial_holding(world: LedgerWorld):
    with world.uow:
        mine = world.custody("user", STRANGER.id, world.uow)
        world.uow.commit()
    world.chain.mine(
        (
            "CreditsTransferred",
            {"tokenId": 1, "from": world.org_address, "to": mine, "amountKg": 2_000},
        )
    )
    world.index()

    retirement = world.retire(STRANGER, kg=1_500, organization_id=None)

    assert (retirement.owner_kind, retirement.owner_id) == ("user", STRANGER.id)
    assert retirement.holder_address == mine
    assert world.holding(mine).available_kg == 500
    with pytest.raises(InsufficientCredits):
        world.retire(STRANGER, kg=501, organization_id=None)


def test_a_refused_retirement_leaves_no_custodial_account_behind(world: LedgerWorld):
    with pytest.raises(InsufficientCredits):  # the user holds nothing
        world.retire(STRANGER, kg=1_000, organization_id=None)
    assert world.uow.credits.custodial_address("user", STRANGER.id) is None
    assert len(world.wallets.created) == 2  # a key was made, and dropped with the unit


# --- whose credits -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "principal", [FINANCE, ISSUER, ADMIN], ids=["finance", "org-admin", "platform-admin"]
)
def test_an_organizations_admin_finance_or_a_platform_admin_retire_for_it(principal: Principal):
    assert authorize_holding(principal, ORG) == ("organization", ORG)


def test_a_viewer_of_the_organization_does_not_retire_its_credits():
    with pytest.raises(PermissionDenied):
        authorize_holding(VIEWER, ORG)


def test_an_organization_the_caller_is_not_part_of_is_not_found():
    with pytest.raises(NotFound):
        authorize_holding(STRANGER, ORG)


def test_without_an_organization_a_user_retires_its_own_and_an_api_key_nothing():
    assert authorize_holding(STRANGER, None) == ("user", STRANGER.id)
    with pytest.raises(PermissionDenied):
        authorize_holding(Principal("key-1", "api_key", api_key_org=ORG), None)


# --- on chain ------------------------------------------------------------------------------


def test_the_chain_job_retires_and_the_indexer_confirms(world: LedgerWorld):
    retirement = world.retire(kg=1_500)
    assert world.run_jobs() == ["credits.retire"]
    sent = world.uow.credits.get_retirement(retirement.id)
    assert sent.status == RetirementStatus.PENDING
    assert sent.tx_hash is not None

    world.index()

    confirmed = world.uow.credits.get_retirement(retirement.id)
    assert confirmed.status == RetirementStatus.CONFIRMED
    assert confirmed.confirmed_block == world.chain.receipts[sent.tx_hash].block_number
    assert world.holding(world.org_address).onchain_kg == 48_500
    assert world.holding(world.org_address).pending_out_kg == 0
    assert world.run_jobs() == []  # done, never sent twice
    assert world.node.broadcasts.count(sent.tx_hash) == 1


def test_a_retirement_the_chain_refuses_gives_back_its_kilograms(world: LedgerWorld):
    retirement = world.retire(kg=1_500)
    world.node.revert = "KilogramsAlreadyRetired(tokenId=1)"
    world.run_jobs()

    failed = world.uow.credits.get_retirement(retirement.id)
    assert failed.status == RetirementStatus.FAILED
    assert "KilogramsAlreadyRetired" in (failed.failure or "")
    assert world.holding(world.org_address).pending_out_kg == 0
    assert (world.batch().next_kg, world.batch().retired_kg) == (1_000, 0)
    assert world.audited()[-1] == "credits.retirement_failed"
    world.node.revert = None
    assert world.retire(kg=1_500).kg_start == 1_000  # the range is free again


def test_listing_and_reading_retirements_follow_who_owns_them(world: LedgerWorld):
    retirement = world.retire(kg=1_000)
    for principal in (FINANCE, ADMIN):
        listed, total = list_retirements(principal, offset=0, limit=10, uow=world.uow)
        assert ([r.id for r in listed], total) == ([retirement.id], 1)
    assert list_retirements(STRANGER, offset=0, limit=10, uow=world.uow) == ([], 0)
    assert get_retirement(VIEWER, retirement.id, uow=world.uow).id == retirement.id
    with pytest.raises(NotFound):
        get_retirement(STRANGER, retirement.id, uow=world.uow)
