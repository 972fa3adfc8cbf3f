"""Use cases of the credit ledger: minting batches, custodial holdings, retirements.

Chain writes never happen inside a request: the use case commits the intent (a pending
batch or retirement, with its serials reserved) and an outbox job sends the transaction;
the indexer confirms it when the event is seen."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from app.domain.auth.model import Principal
from app.domain.auth.permissions import OrgRole
from app.domain.credits.errors import InsufficientCredits, ProofPending
from app.domain.credits.model import (
    CreditBatch,
    Retirement,
    RetirementStatus,
    serial_count,
)
from app.domain.projects.access import can_see, is_issuer_of
from app.domain.projects.model import Status
from app.domain.shared.audit import AuditRecord
from app.domain.shared.chain import ChainEvent
from app.domain.shared.errors import Conflict, NotFound, PermissionDenied, RuleViolation
from app.domain.shared.ids import new_id
from app.domain.shared.jobs import Job
from app.domain.shared.quantity import Quantity
from app.ports.chain import ChainReader, RawLog
from app.ports.clock import Clock
from app.ports.repositories.auth import AuthUoW
from app.ports.repositories.credits import CreditsUoW
from app.ports.repositories.projects import ProjectsUoW

MINTABLE = frozenset({Status.APPROVED, Status.REGISTERED, Status.ACTIVE})


class LedgerUoW(CreditsUoW, ProjectsUoW, AuthUoW, Protocol):
    """Minting and retiring touch projects and the ledger in one transaction."""


# (owner kind, owner id, unit of work) -> custodial address, created inside the unit
Custody = Callable[[str, str, Any], str]


def mint_batch(
    principal: Principal,
    project_id: str,
    *,
    vintage: int,
    quantity: Quantity,
    monitoring_period: str,
    uow: LedgerUoW,
    clock: Clock,
    custody: Custody,
    project_key: Callable[[str], str],
    proof_of: Callable[[str, LedgerUoW], bytes | None],
) -> CreditBatch:
    """Reserve a token id and a serial range for a new batch and ask for the mint. The
    project needs its stored, signed PoAI proof (`proof_of` gives its bundle hash)."""
    if quantity.kg <= 0:
        raise RuleViolation("quantity must be positive", code="invalid_quantity")
    with uow:
        project = uow.projects.get(project_id)
        if project is None or not can_see(principal, project):
            raise NotFound("project not found")
        if not (principal.is_admin or is_issuer_of(principal, project.organization_id)):
            raise PermissionDenied("only the project's issuers or an admin mint its credits")
        if project.status not in MINTABLE:
            raise Conflict(
                f"a {project.status.value} project cannot be minted", code="not_mintable"
            )
        if proof_of(project_id, uow) is None:
            raise ProofPending(
                "the project's signed PoAI proof is not issued yet: credits are minted only "
                "against a proof anyone can verify (retry once the proof is issued)"
            )
        if vintage not in project.vintages:
            raise RuleViolation(
                f"{vintage} is not one of the project's vintages", code="unknown_vintage"
            )
        if any(
            b.monitoring_period == monitoring_period
            for b in uow.credits.batches_for(project_id, vintage)
        ):
            raise Conflict(
                "this vintage and monitoring period were already issued", code="already_issued"
            )
        uow.credits.lock_allocation()
        start = uow.credits.next_serial()
        batch = CreditBatch(
            id=new_id(),
            project_id=project_id,
            vintage=vintage,
            monitoring_period=monitoring_period,
            token_id=uow.credits.next_token_id(),
            serial_start=start,
            serial_end=start + serial_count(quantity.kg) - 1,
            issued_kg=quantity.kg,
            created_at=clock.now(),
        )
        uow.credits.add_batch(batch)
        if uow.credits.chain_key_of(project_id) is None:
            # Known before the record reaches the chain, so the indexer can match it.
            uow.credits.record_project_key(project_key(project_id), project_id, None)
        holder = custody("organization", project.organization_id, uow)
        uow.enqueue(Job("credits.mint", {"batch_id": batch.id, "to": holder}))
        uow.audit(
            AuditRecord(
                "credits.mint_requested",
                "credit_batch",
                batch.id,
                principal.id,
                after={
                    "project_id": project_id,
                    "vintage": vintage,
                    "quantity": quantity.tonnes_str(),
                    "token_id": batch.token_id,
                    "serials": [batch.serial_start, batch.serial_end],
                },
                organization_id=project.organization_id,
            )
        )
        uow.commit()
        return batch


def authorize_holding(principal: Principal, organization_id: str | None) -> tuple[str, str]:
    """Whose credits: the caller's own, or an organization's (its admin or finance)."""
    if organization_id is None:
        if principal.user_id is None:
            raise PermissionDenied("an API key retires for its organization: give organization_id")
        return "user", principal.user_id
    if not principal.sees_org(organization_id):
        raise NotFound("organization not found")
    role = principal.memberships.get(organization_id)
    if not (principal.is_admin or role in {OrgRole.ADMIN, OrgRole.FINANCE}):
        raise PermissionDenied("retiring an organization's credits takes its admin or finance role")
    return "organization", organization_id


def retire(
    principal: Principal,
    *,
    project_id: str,
    vintage: int,
    quantity: Quantity,
    beneficiary: str,
    purpose: str,
    owner: tuple[str, str],
    uow: LedgerUoW,
    clock: Clock,
    custody: Custody,
) -> Retirement:
    """Reserve the holding and the next kilograms of a batch, then ask the chain."""
    if quantity.kg <= 0:
        raise RuleViolation("quantity must be positive", code="invalid_quantity")
    with uow:
        project = uow.projects.get(project_id)
        if project is None or not can_see(principal, project):
            raise NotFound("project not found")
        holder_address = custody(owner[0], owner[1], uow)
        retirement = reserve_retirement(
            owner=owner,
            holder_address=holder_address,
            project_id=project_id,
            vintage=vintage,
            quantity=quantity,
            beneficiary=beneficiary,
            purpose=purpose,
            created_by=principal.id,
            uow=uow,
            clock=clock,
        )
        uow.commit()
        return retirement


def reserve_retirement(
    *,
    owner: tuple[str, str],
    holder_address: str,
    project_id: str,
    vintage: int,
    quantity: Quantity,
    beneficiary: str,
    purpose: str,
    created_by: str,
    uow: CreditsUoW,
    clock: Clock,
) -> Retirement:
    """Inside the caller's unit: reserve the holder's kilograms of the first batch of the
    project vintage that has them, take the batch's next kilogram range and ask the chain
    (the `credits.retire` job). The caller decided who may retire for `owner`."""
    for candidate in uow.credits.batches_for(project_id, vintage):
        holding = uow.credits.holding_for_update(holder_address, candidate.token_id)
        if holding.available_kg < quantity.kg:
            continue
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
                    "beneficiary": beneficiary,
                },
                organization_id=owner[1] if owner[0] == "organization" else None,
            )
        )
        return retirement
    raise InsufficientCredits(
        f"no holding of {project_id} vintage {vintage} has {quantity.tonnes_str()} t available"
    )


def list_retirements(
    principal: Principal, *, offset: int, limit: int, uow: CreditsUoW
) -> tuple[list[Retirement], int]:
    """A page of the caller's own retirements and its organizations' (everything for
    admins), newest first, and how many there are."""
    owners = None if principal.is_admin else [principal.id, *principal.memberships]
    with uow:
        return uow.credits.list_retirements(None, owners, offset, limit)


def get_retirement(principal: Principal, retirement_id: str, *, uow: CreditsUoW) -> Retirement:
    with uow:
        retirement = uow.credits.get_retirement(retirement_id)
    if retirement is None or not _owns(principal, retirement):
        raise NotFound("retirement not found")
    return retirement


def _owns(principal: Principal, retirement: Retirement) -> bool:
    if principal.is_admin:
        return True
    if retirement.owner_kind == "user":
        return retirement.owner_id == principal.user_id
    return (
        retirement.owner_id in principal.memberships or retirement.owner_id == principal.api_key_org
    )


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
        )
        if uow.credits.indexed_transaction(tx_hash):  # the indexer saw it already
            retirement.status, retirement.confirmed_at = RetirementStatus.CONFIRMED, clock.now()
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
