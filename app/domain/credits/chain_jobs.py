"""Background jobs that write to the chain through the operator wallet, after the
transaction that asked for them committed. Each is safe to run again: it records the
transaction hash, and a rerun of a mint or retirement that already reached the chain is
recognized instead of sent twice."""

from __future__ import annotations

import logging
from collections.abc import Callable

from app.domain.credits.model import BatchStatus, RetirementStatus
from app.domain.shared.audit import AuditRecord
from app.ports.chain import RegistryOperator
from app.ports.repositories.credits import CreditsUoW

log = logging.getLogger(__name__)

ZERO_HASH = bytes(32)


def mint_on_chain(
    batch_id: str,
    to: str,
    *,
    uow: CreditsUoW,
    operator: RegistryOperator,
    project_key: Callable[[str], str],
    metadata_uri: Callable[[str], str],
    bundle_hash: bytes = ZERO_HASH,
) -> None:
    batch = uow.credits.get_batch(batch_id)
    if batch is None or batch.status != BatchStatus.PENDING or batch.mint_tx:
        return
    if uow.credits.chain_key_of(batch.project_id) is None:  # minted before keys were kept
        uow.credits.record_project_key(project_key(batch.project_id), batch.project_id, None)
    if not uow.credits.project_registered(batch.project_id):
        receipt = operator.register_project(
            batch.project_id, bundle_hash, metadata_uri(batch.project_id)
        )
        uow.credits.mark_project_registered(batch.project_id, receipt.transaction_hash)
    receipt = operator.mint_batch(
        token_id=batch.token_id,
        project_id=batch.project_id,
        vintage=batch.vintage,
        amount_kg=batch.issued_kg,
        serial_start=batch.serial_start,
        serial_end=batch.serial_end,
        to=to,
    )
    locked = uow.credits.batch_by_token_for_update(batch.token_id)
    if locked is not None and not locked.mint_tx:
        locked.mint_tx = receipt.transaction_hash
        uow.credits.save_batch(locked)
    uow.audit(
        AuditRecord(
            "credits.mint_sent",
            "credit_batch",
            batch.id,
            None,
            after={"tx_hash": receipt.transaction_hash, "token_id": batch.token_id},
        )
    )


def register_project_on_chain(
    project_id: str,
    *,
    bundle_hash: bytes,
    uow: CreditsUoW,
    operator: RegistryOperator,
    project_key: Callable[[str], str],
    metadata_uri: Callable[[str], str],
) -> str | None:
    """Anchor the project record with its PoAI bundle hash (once); returns the tx hash."""
    if uow.credits.chain_key_of(project_id) is None:
        uow.credits.record_project_key(project_key(project_id), project_id, None)
    if uow.credits.project_registered(project_id):
        return None
    receipt = operator.register_project(project_id, bundle_hash, metadata_uri(project_id))
    uow.credits.mark_project_registered(project_id, receipt.transaction_hash)
    uow.audit(
        AuditRecord(
            "credits.project_anchored",
            "project",
            project_id,
            None,
            after={"tx_hash": receipt.transaction_hash, "bundle_hash": bundle_hash.hex()},
        )
    )
    return receipt.transaction_hash


def retire_on_chain(retirement_id: str, *, uow: CreditsUoW, operator: RegistryOperator) -> None:
    retirement = uow.credits.retirement_for_update(retirement_id)
    if retirement is None or retirement.status != RetirementStatus.PENDING or retirement.tx_hash:
        return
    try:
        receipt = operator.retire(
            token_id=retirement.token_id,
            holder=retirement.holder_address,
            amount_kg=retirement.quantity_kg,
            beneficiary=retirement.beneficiary,
            purpose=retirement.purpose,
            serial_start=retirement.serial_start,
            serial_end=retirement.serial_end,
        )
    except Exception as exc:
        if not _reverted(exc):
            raise  # a node or network problem: the job is retried
        _fail(retirement_id, str(exc), uow=uow)
        return
    retirement.tx_hash = receipt.transaction_hash
    uow.credits.save_retirement(retirement)


def _reverted(exc: Exception) -> bool:
    return type(exc).__name__ == "TransactionReverted"


def _fail(retirement_id: str, reason: str, *, uow: CreditsUoW) -> None:
    retirement = uow.credits.retirement_for_update(retirement_id)
    if retirement is None:
        return
    retirement.status, retirement.failure = RetirementStatus.FAILED, reason[:1000]
    holding = uow.credits.holding_for_update(retirement.holder_address, retirement.token_id)
    holding.release(retirement.quantity_kg)
    batch = uow.credits.batch_by_token_for_update(retirement.token_id)
    if batch is not None:
        batch.give_back(retirement.serial_start, retirement.serial_end)
        uow.credits.save_batch(batch)
    uow.credits.save_holding(holding)
    uow.credits.save_retirement(retirement)
    uow.audit(
        AuditRecord(
            "credits.retirement_failed",
            "retirement",
            retirement_id,
            None,
            after={"reason": reason[:300]},
        )
    )
