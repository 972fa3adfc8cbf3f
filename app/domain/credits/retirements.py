"""Use cases of retirements: custodial ones reserve the holding and the batch's next
kilograms and ask the chain; self-custody ones record the holder's own transaction and
wait for the indexer; reading them follows who owns them."""

from __future__ import annotations

import secrets
from collections.abc import Callable

from app.domain.auth.principal import Principal
from app.domain.credits.access import Owner, owner_ids_to_list, owns
from app.domain.credits.custody import Custody
from app.domain.credits.errors import InsufficientCredits
from app.domain.credits.holdings import first_free_holding
from app.domain.credits.model import (
    BeneficiaryVisibility,
    Retirement,
    RetirementStatus,
)
from app.domain.credits.services import LedgerUoW
from app.domain.projects.access import can_see
from app.domain.shared.audit import AuditRecord
from app.domain.shared.chain import ChainEvent
from app.domain.shared.errors import Conflict, NotFound, PermissionDenied, RuleViolation
from app.domain.shared.ids import new_id
from app.domain.shared.jobs import Job
from app.domain.shared.quantity import Quantity
from app.ports.chain import ChainReader, RawLog
from app.ports.clock import Clock
from app.ports.repositories.credits import CreditsUoW


def retire(
    principal: Principal,
    *,
    project_id: str,
    vintage: int,
    quantity: Quantity,
    beneficiary: str,
    purpose: str,
    owner: Owner,
    uow: LedgerUoW,
    clock: Clock,
    custody: Custody,
    beneficiary_visibility: BeneficiaryVisibility = "public",
) -> Retirement:
    """Reserve the holding and the next kilograms of a batch, then ask the chain (a
    pseudonymous beneficiary goes there as its salted hash only)."""
    quantity.positive()
    with uow:
        project = uow.projects.get(project_id)
        if project is None or not can_see(principal, project):
            raise NotFound("project not found")
        retirement = reserve_retirement(
            owner=owner,
            holder_address=custody(owner[0], owner[1], uow),
            project_id=project_id,
            vintage=vintage,
            quantity=quantity,
            beneficiary=beneficiary,
            purpose=purpose,
            created_by=principal.id,
            uow=uow,
            clock=clock,
            beneficiary_visibility=beneficiary_visibility,
        )
        uow.commit()
        return retirement


def reserve_retirement(
    *,
    owner: Owner,
    holder_address: str,
    project_id: str,
    vintage: int,
    quantity: Quantity,
    beneficiary: str,
    purpose: str,
    created_by: str,
    uow: CreditsUoW,
    clock: Clock,
    beneficiary_visibility: BeneficiaryVisibility = "public",
) -> Retirement:
    """Inside the caller's unit: reserve the holder's kilograms in the first batch of the
    project vintage that has them, take the batch's next kilogram range and ask the chain
    (the `credits.retire` job). The caller decided who may retire for `owner`."""
    quantity.positive()
    free = first_free_holding(uow, holder_address, project_id, vintage, quantity.kg)
    if free is None:
        raise InsufficientCredits(
            f"no holding of {project_id} vintage {vintage} has {quantity.tonnes_str()} t available"
        )
    candidate, holding = free
    batch = uow.credits.batch_by_token_for_update(candidate.token_id)
    assert batch is not None
    holding.reserve(quantity.kg)
    kg_start, kg_end = batch.take_kilograms(quantity)
    retirement = Retirement(
        id=new_id(),
        holder_address=holder_address,
        owner_kind=owner[0],
        owner_id=owner[1],
        project_id=project_id,
        vintage=vintage,
        batch_id=batch.id,
        token_id=batch.token_id,
        quantity_kg=quantity.kg,
        beneficiary=beneficiary,
        purpose=purpose,
        kg_start=kg_start,
        kg_end=kg_end,
        created_by=created_by,
        created_at=clock.now(),
        beneficiary_visibility=beneficiary_visibility,
        beneficiary_salt=new_salt() if beneficiary_visibility == "pseudonymous" else None,
    )
    uow.credits.save_holding(holding)
    uow.credits.save_batch(batch)
    uow.credits.add_retirement(retirement)
    uow.enqueue(Job("credits.retire", {"retirement_id": retirement.id}))
    uow.audit(
        AuditRecord(
            "credits.retirement_requested",
            "retirement",
            retirement.id,
            created_by,
            after={
                "quantity": quantity.tonnes_str(),
                "token_id": batch.token_id,
                "serials": [retirement.serial_start, retirement.serial_end],
                "kilograms": [kg_start, kg_end],
                "beneficiary": retirement.public_beneficiary,
            },
            organization_id=owner[1] if owner[0] == "organization" else None,
        )
    )
    return retirement


def new_salt() -> str:
    """The salt of a pseudonymous beneficiary: 16 random bytes, hex."""
    return secrets.token_hex(16)


def list_retirements(
    principal: Principal, *, offset: int, limit: int, uow: CreditsUoW
) -> tuple[list[Retirement], int]:
    """A page of the caller's own retirements and its organizations' (everything for
    admins), newest first, and how many there are."""
    with uow:
        return uow.credits.list_retirements(None, owner_ids_to_list(principal), offset, limit)


def get_retirement(principal: Principal, retirement_id: str, *, uow: CreditsUoW) -> Retirement:
    with uow:
        retirement = uow.credits.get_retirement(retirement_id)
    if retirement is None or not owns(principal, retirement.owner_kind, retirement.owner_id):
        raise NotFound("retirement not found")
    return retirement


def record_self_custody_retirement(
    principal: Principal,
    *,
    tx_hash: str,
    project_id: str,
    vintage: int,
    beneficiary: str,
    purpose: str,
    uow: LedgerUoW,
    clock: Clock,
    chain: ChainReader,
    decode: Callable[[RawLog], ChainEvent | None],
    beneficiary_visibility: BeneficiaryVisibility = "public",
) -> Retirement:
    """A retirement the holder sent from its own wallet: the receipt must hold a
    CreditsRetired event of one of the caller's linked wallets, for this project and
    vintage, consuming the batch's next serials."""
    receipt = chain.receipt(tx_hash)
    if receipt is None or receipt.status != 1:
        raise NotFound("no successful transaction with this hash", code="unknown_transaction")
    events = [e for e in (decode(log) for log in receipt.logs) if e and e.name == "CreditsRetired"]
    with uow:
        user = uow.users.get(principal.id) if principal.user_id else None
        wallets = {w.lower() for w in (user.wallets if user else [])}
        mine = [e for e in events if str(e.args["holder"]).lower() in wallets]
        if not mine:
            raise PermissionDenied("the transaction retires no credits of your linked wallets")
        event = mine[0]
        token_id = int(str(event.args["tokenId"]))
        batch = uow.credits.batch_by_token_for_update(token_id)
        if batch is None or batch.project_id != project_id or batch.vintage != vintage:
            raise RuleViolation(
                "the retired credits are not of this project and vintage", code="wrong_batch"
            )
        kg_start, kg_end = int(str(event.args["kgStart"])), int(str(event.args["kgEnd"]))
        amount = int(str(event.args["amountKg"]))
        if kg_start != batch.next_kg or kg_end - kg_start + 1 != amount:
            raise Conflict(
                f"the transaction retires kilograms {kg_start}-{kg_end}; the batch's next "
                f"kilogram is {batch.next_kg}",
                code="serials_mismatch",
            )
        batch.take_kilograms(Quantity(amount))
        retirement = Retirement(
            id=new_id(),
            holder_address=str(event.args["holder"]),
            owner_kind="user",
            owner_id=principal.id,
            project_id=project_id,
            vintage=vintage,
            batch_id=batch.id,
            token_id=token_id,
            quantity_kg=amount,
            beneficiary=beneficiary,
            purpose=purpose,
            kg_start=kg_start,
            kg_end=kg_end,
            created_by=principal.id,
            created_at=clock.now(),
            tx_hash=tx_hash,
            self_custody=True,
            beneficiary_visibility=beneficiary_visibility,
            beneficiary_salt=new_salt() if beneficiary_visibility == "pseudonymous" else None,
        )
        if uow.credits.indexed_transaction(tx_hash):  # the indexer saw it already
            retirement.status, retirement.confirmed_at = RetirementStatus.CONFIRMED, clock.now()
            retirement.confirmed_block = receipt.block_number
        uow.credits.save_batch(batch)
        uow.credits.add_retirement(retirement)
        uow.audit(
            AuditRecord(
                "credits.retirement_recorded",
                "retirement",
                retirement.id,
                principal.id,
                after={
                    "tx_hash": tx_hash,
                    "serials": [retirement.serial_start, retirement.serial_end],
                    "kilograms": [kg_start, kg_end],
                    "self_custody": True,
                },
            )
        )
        uow.commit()
        return retirement
