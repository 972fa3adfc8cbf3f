"""Self-custody retirements: the holder retires from its own wallet and sends the
transaction hash; the receipt must hold a CreditsRetired event of one of the caller's
linked wallets, of this project and vintage, for the batch's next kilograms."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from app.domain.auth.model import User
from app.domain.auth.principal import Principal
from app.domain.credits.model import RetirementStatus
from app.domain.credits.retirements import record_self_custody_retirement
from app.domain.shared.errors import Conflict, NotFound, PermissionDenied, RuleViolation
from tests.fakes.registry import decode, retired_event
from tests.unit.builders import NOW, PID
from tests.unit.ledger_world import LedgerWorld

WALLET = "0x000000000000000000000000000000000000bEEF"
HOLDER = Principal("u-holder", "user")


@pytest.fixture
def world() -> LedgerWorld:
    """Batch 1 (kilograms 1000..50999) minted and indexed; 10 t moved to the holder's
    own wallet."""
    minted = LedgerWorld()
    minted.minted(kg=50_000)
    minted.uow.users.add(User(HOLDER.id, "h@example.org", "Holder", None, NOW, wallets=[WALLET]))
    minted.uow.commit()
    transfer = {"tokenId": 1, "from": minted.org_address, "to": WALLET, "amountKg": 10_000}
    minted.chain.mine(("CreditsTransferred", transfer))
    minted.index()
    return minted


def retire_from_wallet(
    world: LedgerWorld, kg_start: int, kg_end: int, *, token_id: int = 1, holder: str = WALLET
) -> str:
    """The holder's own CreditsRetired transaction, mined; its hash."""
    event = retired_event(token_id, holder, kg_start, kg_end, beneficiary="Me", purpose="offset")
    return world.chain.mine(event).transaction_hash


def record(world: LedgerWorld, tx_hash: str, **over: Any):
    fields: dict[str, Any] = {"project_id": PID, "vintage": 2024, "principal": HOLDER} | over
    return record_self_custody_retirement(
        fields.pop("principal"),
        tx_hash=tx_hash,
        beneficiary="Me",
        purpose="offset",
        uow=world.uow,
        clock=world.clock,
        chain=world.chain,
        decode=decode,
        **fields,
    )


def test_the_holders_own_retirement_is_recorded_with_its_kilograms(world: LedgerWorld):
    tx_hash = retire_from_wallet(world, 1_000, 2_499)

    retirement = record(world, tx_hash)

    assert retirement.self_custody
    assert (retirement.tx_hash, retirement.holder_address) == (tx_hash, WALLET)
    assert (retirement.owner_kind, retirement.owner_id) == ("user", HOLDER.id)
    assert (retirement.kg_start, retirement.kg_end, retirement.quantity_kg) == (1_000, 2_499, 1_500)
    assert retirement.status == RetirementStatus.PENDING  # the indexer has not seen it yet
    assert (world.batch().next_kg, world.batch().retired_kg) == (2_500, 1_500)
    assert world.uow.credits.get_retirement(retirement.id) == retirement
    assert world.audited()[-1] == "credits.retirement_recorded"
    assert world.jobs().count("credits.retire") == 0  # nothing to send: it is on chain


def test_the_indexer_then_confirms_it_without_touching_reservations(world: LedgerWorld):
    retirement = record(world, retire_from_wallet(world, 1_000, 2_499))
    world.index()
    confirmed = world.uow.credits.get_retirement(retirement.id)
    assert confirmed.status == RetirementStatus.CONFIRMED
    assert world.holding(WALLET).onchain_kg == 8_500
    assert world.holding(WALLET).pending_out_kg == 0


def test_a_transaction_the_indexer_saw_already_is_confirmed_at_once(world: LedgerWorld):
    tx_hash = retire_from_wallet(world, 1_000, 1_999)
    world.index()
    assert record(world, tx_hash).status == RetirementStatus.CONFIRMED


def test_wallet_addresses_are_compared_without_their_checksum_case(world: LedgerWorld):
    tx_hash = retire_from_wallet(world, 1_000, 1_999, holder=WALLET.lower())
    assert record(world, tx_hash).holder_address == WALLET.lower()


def test_an_unknown_transaction_is_not_found(world: LedgerWorld):
    with pytest.raises(NotFound) as refused:
        record(world, "0x" + "12" * 32)
    assert refused.value.code == "unknown_transaction"


def test_a_reverted_transaction_is_not_found(world: LedgerWorld):
    tx_hash = retire_from_wallet(world, 1_000, 1_999)
    world.chain.receipts[tx_hash] = dataclasses.replace(world.chain.receipts[tx_hash], status=0)
    with pytest.raises(NotFound):
        record(world, tx_hash)


def test_a_retirement_of_another_wallet_is_refused(world: LedgerWorld):
    tx_hash = retire_from_wallet(world, 1_000, 1_999, holder=world.org_address)
    with pytest.raises(PermissionDenied):
        record(world, tx_hash)
    with pytest.raises(PermissionDenied):  # a caller with no linked wallet at all
        record(world, retire_from_wallet(world, 2_000, 2_999), principal=Principal("u-2", "user"))
    assert world.uow.credits.retirements == {}


@pytest.mark.parametrize(
    "claimed", [{"project_id": "another-project"}, {"vintage": 2025}], ids=["project", "vintage"]
)
def test_credits_of_another_project_or_vintage_are_refused(
    world: LedgerWorld, claimed: dict[str, Any]
):
    tx_hash = retire_from_wallet(world, 1_000, 1_999)
    with pytest.raises(RuleViolation) as refused:
        record(world, tx_hash, **claimed)
    assert refused.value.code == "wrong_batch"


def test_a_token_the_ledger_does_not_know_is_refused(world: LedgerWorld):
    with pytest.raises(RuleViolation) as refused:
        record(world, retire_from_wallet(world, 1_000, 1_999, token_id=99))
    assert refused.value.code == "wrong_batch"


def test_kilograms_that_are_not_the_batchs_next_are_refused(world: LedgerWorld):
    with pytest.raises(Conflict) as refused:
        record(world, retire_from_wallet(world, 5_000, 5_999))
    assert refused.value.code == "serials_mismatch"
    assert world.batch().next_kg == 1_000
    record(world, retire_from_wallet(world, 1_000, 1_999))
    with pytest.raises(Conflict):  # the same kilograms again
        record(world, retire_from_wallet(world, 1_000, 1_999))
    assert world.batch().next_kg == 2_000


def test_an_amount_that_is_not_its_kilogram_range_is_refused(world: LedgerWorld):
    name, args = retired_event(1, WALLET, 1_000, 1_999, beneficiary="Me", purpose="offset")
    tx_hash = world.chain.mine((name, args | {"amountKg": 5_000})).transaction_hash
    with pytest.raises(Conflict) as refused:
        record(world, tx_hash)
    assert refused.value.code == "serials_mismatch"
    assert world.uow.credits.retirements == {}
