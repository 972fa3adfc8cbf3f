"""Use cases of the credit ledger: minting batches, custodial holdings, retirements.

Chain writes never happen inside a request: the use case commits the intent (a pending
batch or retirement, with its serials reserved) and an outbox job sends the transaction;
the indexer confirms it when the event is seen."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from app.domain.auth.permissions import OrgRole
from app.domain.auth.principal import Principal
from app.domain.credits.access import Owner
from app.domain.credits.custody import Custody
from app.domain.credits.errors import ProofPending
from app.domain.credits.model import (
    CreditBatch,
    serial_count,
)
from app.domain.projects.access import can_see, is_issuer_of
from app.domain.projects.model import Status
from app.domain.shared.audit import AuditRecord
from app.domain.shared.errors import Conflict, NotFound, PermissionDenied, RuleViolation
from app.domain.shared.ids import new_id
from app.domain.shared.jobs import Job
from app.domain.shared.quantity import Quantity
from app.ports.clock import Clock
from app.ports.repositories.auth import AuthUoW
from app.ports.repositories.credits import CreditsUoW
from app.ports.repositories.projects import ProjectsUoW

MINTABLE = frozenset({Status.APPROVED, Status.REGISTERED, Status.ACTIVE})


class LedgerUoW(CreditsUoW, ProjectsUoW, AuthUoW, Protocol):
    """Minting and retiring touch projects and the ledger in one transaction."""


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
    quantity.positive()
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


def authorize_holding(principal: Principal, organization_id: str | None) -> Owner:
    """Whose credits: the caller's own, or an organization's (its admin or finance)."""
    if organization_id is None:
        if principal.user_id is None:
            raise PermissionDenied("an API key retires for its organization: give organization_id")
        return "user", principal.user_id
    if not principal.sees_org(organization_id):
        raise NotFound("organization not found")
    if not principal.admin_or_role_in(organization_id, {OrgRole.ADMIN, OrgRole.FINANCE}):
        raise PermissionDenied("retiring an organization's credits takes its admin or finance role")
    return "organization", organization_id
