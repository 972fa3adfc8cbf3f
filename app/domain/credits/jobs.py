"""Background jobs that write the ledger's intents to the chain, after the transaction
that asked for them committed.

Each write goes through `app.domain.chain.services.send_once` under the intent's name
(`credits.register:<project>`, `credits.mint:<batch>`, `credits.retire:<retirement>`), so
a rerun (after a crash, a receipt timeout, or a second delivery of the job) finds the
transaction signed the first time and never signs another. No unit of work stays open
while the chain works: each step below is a short unit of its own."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from app.domain.chain.errors import CallReverted
from app.domain.chain.model import ChainTransaction, ContractCall, TxStatus
from app.domain.chain.services import WaitPolicy, send_once, stored_or_signed
from app.domain.credits.errors import ProofPending
from app.domain.credits.model import BatchStatus, RetirementStatus
from app.domain.shared.audit import AuditRecord
from app.ports.chain import ChainWriter, RegistryCalls
from app.ports.clock import Clock
from app.ports.repositories.chain import ChainUoW
from app.ports.repositories.credits import CreditsUoW


class ChainJobsUoW(CreditsUoW, ChainUoW, Protocol):
    """The ledger and the chain write-ahead log, in one unit of work."""


U = TypeVar("U", bound=ChainJobsUoW)

# (project id, the job's unit of work) -> the bundle hash of the project's signed proof,
# or None. Generic in the unit: the caller's may hold more than the ledger knows of.
BundleHashOf = Callable[[str, U], bytes | None]


@dataclass(frozen=True)
class ChainWrites:
    """What a chain job needs: the encoded calls, the signer, the clock, how long to wait."""

    calls: RegistryCalls
    writer: ChainWriter
    clock: Clock
    wait: WaitPolicy = field(default_factory=WaitPolicy)

    def send(self, intent: str, call: ContractCall, uow: ChainJobsUoW) -> ChainTransaction:
        return send_once(
            intent, call, uow=uow, writer=self.writer, clock=self.clock, wait=self.wait
        )

    def stored(self, intent: str, call: ContractCall, uow: ChainJobsUoW) -> ChainTransaction:
        """The intent's transaction, signed and stored (not sent) if it was not: inside
        an open unit of work, in that unit's transaction. Raises `CallReverted`."""
        return stored_or_signed(intent, call, uow=uow, writer=self.writer, clock=self.clock)

    def mined(self, intent: str, call: ContractCall, uow: ChainJobsUoW) -> ChainTransaction | str:
        """The intent's mined transaction, or why it did not happen: a revert found before
        anything was signed, or a transaction the chain failed or dropped."""
        try:
            tx = self.send(intent, call, uow)
        except CallReverted as exc:
            return str(exc)
        if tx.status != TxStatus.MINED:
            return tx.error or f"{tx.action} {tx.status} on chain"
        return tx


def register_project_on_chain(
    project_id: str,
    *,
    uow: U,
    chain: ChainWrites,
    bundle_hash_of: BundleHashOf[U],
    project_key: Callable[[str], str],
    metadata_uri: Callable[[str], str],
) -> str | None:
    """Anchor the project record with its signed PoAI bundle hash (once); returns the
    transaction hash, or None when it was registered already. Raises `ProofPending` while
    the project has no signed bundle."""
    with uow:
        if uow.credits.chain_key_of(project_id) is None:
            uow.credits.record_project_key(project_key(project_id), project_id, None)
            uow.commit()
    with uow:
        if uow.credits.project_registered(project_id):
            return None
        bundle_hash = bundle_hash_of(project_id, uow)
    if bundle_hash is None:
        raise ProofPending(f"project {project_id} has no signed proof bundle yet")
    call = chain.calls.register_project(project_id, bundle_hash, metadata_uri(project_id))
    tx = chain.send(f"credits.register:{project_id}", call, uow)
    if tx.status != TxStatus.MINED:
        raise RuntimeError(f"registering {project_id} on chain: {tx.status} {tx.error or ''}")
    with uow:
        if not uow.credits.project_registered(project_id):
            uow.credits.mark_project_registered(project_id, tx.tx_hash)
            uow.audit(
                AuditRecord(
                    "credits.project_anchored",
                    "project",
                    project_id,
                    None,
                    after={"tx_hash": tx.tx_hash, "bundle_hash": bundle_hash.hex()},
                )
            )
            uow.commit()
    return tx.tx_hash


def mint_on_chain(
    batch_id: str,
    to: str,
    *,
    uow: U,
    chain: ChainWrites,
    bundle_hash_of: BundleHashOf[U],
    project_key: Callable[[str], str],
    metadata_uri: Callable[[str], str],
) -> None:
    """Register the project if needed (with its signed bundle), then mint the batch."""
    with uow:
        batch = uow.credits.get_batch(batch_id)
    if batch is None or batch.status != BatchStatus.PENDING or batch.mint_tx:
        return
    register_project_on_chain(
        batch.project_id,
        uow=uow,
        chain=chain,
        bundle_hash_of=bundle_hash_of,
        project_key=project_key,
        metadata_uri=metadata_uri,
    )
    call = chain.calls.mint_batch(
        token_id=batch.token_id,
        project_id=batch.project_id,
        vintage=batch.vintage,
        amount_kg=batch.issued_kg,
        serial_start=batch.serial_start,
        serial_end=batch.serial_end,
        to=to,
    )
    try:
        tx = chain.send(f"credits.mint:{batch_id}", call, uow)
    except CallReverted as exc:
        _mint_failed(batch.token_id, exc.reason, uow=uow)
        return
    if tx.status != TxStatus.MINED:
        _mint_failed(batch.token_id, tx.error or f"{tx.status} on chain", uow=uow)
        return
    with uow:
        locked = uow.credits.batch_by_token_for_update(batch.token_id)
        if locked is not None and not locked.mint_tx:
            locked.mint_tx = tx.tx_hash
            uow.credits.save_batch(locked)
        uow.audit(
            AuditRecord(
                "credits.mint_sent",
                "credit_batch",
                batch.id,
                None,
                after={"tx_hash": tx.tx_hash, "token_id": batch.token_id},
            )
        )
        uow.commit()


def _mint_failed(token_id: int, reason: str, *, uow: ChainJobsUoW) -> None:
    with uow:
        batch = uow.credits.batch_by_token_for_update(token_id)
        if batch is None or batch.status != BatchStatus.PENDING:
            return
        batch.status = BatchStatus.FAILED
        uow.credits.save_batch(batch)
        uow.audit(
            AuditRecord(
                "credits.mint_failed",
                "credit_batch",
                batch.id,
                None,
                after={"reason": reason[:300]},
            )
        )
        uow.commit()


def retire_on_chain(retirement_id: str, *, uow: ChainJobsUoW, chain: ChainWrites) -> None:
    with uow:
        retirement = uow.credits.get_retirement(retirement_id)
    if (
        retirement is None
        or retirement.status != RetirementStatus.PENDING
        or retirement.tx_hash
        or retirement.self_custody
    ):
        return
    call = chain.calls.retire(
        token_id=retirement.token_id,
        holder=retirement.holder_address,
        kg_start=retirement.kg_start,
        kg_end=retirement.kg_end,
        beneficiary=retirement.public_beneficiary,
        purpose=retirement.purpose,
    )
    tx = chain.mined(f"credits.retire:{retirement_id}", call, uow)
    if isinstance(tx, str):
        _fail(retirement_id, tx, uow=uow)
        return
    with uow:
        locked = uow.credits.retirement_for_update(retirement_id)
        if locked is not None and not locked.tx_hash:
            locked.tx_hash = tx.tx_hash
            uow.credits.save_retirement(locked)
            uow.commit()


def _fail(retirement_id: str, reason: str, *, uow: ChainJobsUoW) -> None:
    """The retirement did not happen on chain: its credits and kilograms come back."""
    with uow:
        retirement = uow.credits.retirement_for_update(retirement_id)
        if retirement is None or retirement.status != RetirementStatus.PENDING:
            return
        retirement.status, retirement.failure = RetirementStatus.FAILED, reason[:1000]
        holding = uow.credits.holding_for_update(retirement.holder_address, retirement.token_id)
        holding.release(retirement.quantity_kg)
        batch = uow.credits.batch_by_token_for_update(retirement.token_id)
        if batch is not None:
            batch.give_back(retirement.kg_start, retirement.kg_end)
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
        uow.commit()
