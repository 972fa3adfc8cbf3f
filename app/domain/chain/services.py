"""The one path of every chain write: sign once per intent, store, then broadcast.

    send_once(intent, call, uow=..., writer=..., clock=...)

1. If the intent has no transaction yet, the call is checked against the chain (a call
   that would revert raises `CallReverted`, and no nonce is used, unless a concurrent
   delivery stored the intent's transaction meanwhile: that one is followed), then, in
   one unit of work, a nonce is allocated from the database (a row lock per sender) and the signed
   transaction is stored. Only after that commit do the bytes leave the process.
2. The stored bytes are broadcast (again, if need be) and the receipt is awaited outside
   any unit of work: no row stays locked while the chain works.
3. The outcome (mined, reverted, or dropped when another transaction used the nonce: a
   used nonce first gives our receipt `DROP_GRACE_SECONDS` to appear, since a concurrent
   delivery of the same bytes may be mining it) is stored on the transaction and
   returned.

A rerun at any point (a crash between broadcast and commit, a receipt timeout, a job
delivered twice at once) finds the stored transaction and carries on with the same bytes.
When no receipt comes within the wait, `NotMinedYet` is raised and the job is retried; a
transaction still not mined after `REPLACE_AFTER` is signed again with the same nonce
and fees `FEE_BUMP_PERCENT` higher, at most `MAX_REPLACEMENTS` times (the node can only
ever mine one transaction per nonce, so the intent still happens at most once)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from app.domain.chain.errors import CallReverted, NodeRefused, NonceTaken, NotMinedYet
from app.domain.chain.model import ChainTransaction, ContractCall, TxStatus
from app.ports.chain import ChainWriter, Receipt
from app.ports.clock import Clock
from app.ports.repositories.chain import ChainUoW

log = logging.getLogger(__name__)

REPLACE_AFTER = timedelta(minutes=3)
# A node can take a transaction's nonce (and say so) a moment before its receipt can be
# read: how long a used nonce is given to show our receipt before the intent is dropped.
DROP_GRACE_SECONDS = 15.0
FEE_BUMP_PERCENT = 25
MAX_REPLACEMENTS = 3


@dataclass(frozen=True)
class WaitPolicy:
    receipt_seconds: float = 120.0
    replace_after: timedelta = REPLACE_AFTER
    max_replacements: int = MAX_REPLACEMENTS


DEFAULT_WAIT = WaitPolicy()


def send_once(
    intent: str,
    call: ContractCall,
    *,
    uow: ChainUoW,
    writer: ChainWriter,
    clock: Clock,
    wait: WaitPolicy = DEFAULT_WAIT,
) -> ChainTransaction:
    """The settled transaction of this intent (mined, reverted or dropped), signing and
    sending it only if it was never signed. Raises `CallReverted` before signing, and
    `NotMinedYet` when the receipt does not come in time (call again later)."""
    tx = stored_or_signed(intent, call, uow=uow, writer=writer, clock=clock)
    if tx.status.settled:
        return tx
    receipt = writer.find_receipt(tx.hashes)
    if receipt is None:
        receipt = _broadcast_and_wait(tx, uow=uow, writer=writer, clock=clock, wait=wait)
    return _settle(tx, receipt, uow=uow, clock=clock)


def stored_or_signed(
    intent: str, call: ContractCall, *, uow: ChainUoW, writer: ChainWriter, clock: Clock
) -> ChainTransaction:
    """The intent's transaction, signed and committed now if there is none."""
    with uow:
        existing = uow.chain_txs.get(intent)
    if existing is not None:
        return existing
    try:
        gas = writer.preflight(call)  # before a nonce is taken: a revert costs nothing
    except CallReverted:
        # A concurrent delivery of the intent may have signed and mined it meanwhile (its
        # effect is why the call now reverts): then its transaction is the outcome.
        with uow:
            existing = uow.chain_txs.get(intent)
        if existing is not None:
            return existing
        raise
    fees = writer.fees()
    floor = writer.account_nonce()
    with uow:
        nonce = uow.chain_txs.allocate_nonce(writer.chain_id, writer.sender, floor)
        # Every signer of this sender waited for the nonce lock: one that signed this
        # intent meanwhile has committed, and its transaction is the one.
        existing = uow.chain_txs.get(intent)
        if existing is not None:
            return existing  # the unit rolls back: the nonce was not used
        signed = writer.sign(call, nonce=nonce, gas=gas, fees=fees)
        now = clock.now()
        tx = ChainTransaction(
            intent=intent,
            chain_id=writer.chain_id,
            sender=writer.sender,
            nonce=nonce,
            action=call.action,
            to=call.to,
            data=call.data,
            gas=gas,
            fees=fees,
            raw=signed.raw,
            tx_hash=signed.tx_hash,
            created_at=now,
            updated_at=now,
        )
        uow.chain_txs.add(tx)
        uow.commit()
    log.info("chain: %s signed as %s (nonce %d)", intent, tx.tx_hash, nonce)
    return tx


def _broadcast_and_wait(
    tx: ChainTransaction, *, uow: ChainUoW, writer: ChainWriter, clock: Clock, wait: WaitPolicy
) -> Receipt | None:
    if _due_for_replacement(tx, clock, wait):
        _replace(tx, uow=uow, writer=writer, clock=clock)
    try:
        writer.broadcast(tx.raw)
    except NonceTaken:
        # Ours (sent by a concurrent delivery, being mined) or another's: only a receipt
        # tells, and dropping is final, so the receipt is given a moment to appear.
        receipt = writer.find_receipt(tx.hashes) or writer.wait_for_receipt(
            tx.hashes, min(wait.receipt_seconds, DROP_GRACE_SECONDS)
        )
        if receipt is None:
            _drop(tx, uow=uow, clock=clock)
        return receipt
    except NodeRefused as exc:
        _note_error(tx, str(exc), uow=uow)
        raise
    _mark_sent(tx, uow=uow, clock=clock)
    receipt = writer.wait_for_receipt(tx.hashes, wait.receipt_seconds)
    if receipt is None:
        raise NotMinedYet(f"{tx.intent}: {tx.tx_hash} not mined within {wait.receipt_seconds}s")
    return receipt


def _due_for_replacement(tx: ChainTransaction, clock: Clock, wait: WaitPolicy) -> bool:
    return (
        tx.status == TxStatus.SENT
        and tx.replacements < wait.max_replacements
        and clock.now() - tx.updated_at >= wait.replace_after
    )


def _replace(tx: ChainTransaction, *, uow: ChainUoW, writer: ChainWriter, clock: Clock) -> None:
    """Sign the same call with the same nonce and higher fees, stored before it is sent."""
    current = writer.fees()
    bumped = tx.fees.bumped(FEE_BUMP_PERCENT)
    fees = type(bumped)(
        max(bumped.max_fee_per_gas, current.max_fee_per_gas),
        max(bumped.max_priority_fee_per_gas, current.max_priority_fee_per_gas),
    )
    call = ContractCall(tx.action, tx.to, tx.data)
    signed = writer.sign(call, nonce=tx.nonce, gas=tx.gas, fees=fees)
    with uow:
        locked = uow.chain_txs.get_for_update(tx.intent)
        if locked is None or locked.tx_hash != tx.tx_hash or locked.status.settled:
            return  # another run replaced or settled it first
        locked.replace(signed, fees, clock.now())
        uow.chain_txs.save(locked)
        uow.commit()
    tx.replace(signed, fees, locked.updated_at)
    log.warning("chain: %s replaced by %s (higher fee, nonce %d)", tx.intent, tx.tx_hash, tx.nonce)


def _mark_sent(tx: ChainTransaction, *, uow: ChainUoW, clock: Clock) -> None:
    with uow:
        locked = uow.chain_txs.get_for_update(tx.intent)
        if locked is None or locked.status.settled:
            return
        if locked.status == TxStatus.SIGNED:
            locked.status, locked.updated_at = TxStatus.SENT, clock.now()
        locked.broadcasts += 1
        locked.error = None
        uow.chain_txs.save(locked)
        uow.commit()
    tx.status = locked.status
    tx.updated_at = locked.updated_at


def _note_error(tx: ChainTransaction, error: str, *, uow: ChainUoW) -> None:
    with uow:
        locked = uow.chain_txs.get_for_update(tx.intent)
        if locked is not None and not locked.status.settled:
            locked.error = error[:1000]
            uow.chain_txs.save(locked)
            uow.commit()


def _drop(tx: ChainTransaction, *, uow: ChainUoW, clock: Clock) -> None:
    with uow:
        locked = uow.chain_txs.get_for_update(tx.intent)
        if locked is None or locked.status.settled:
            return
        locked.status, locked.updated_at = TxStatus.DROPPED, clock.now()
        locked.error = f"nonce {locked.nonce} was used by another transaction of {locked.sender}"
        uow.chain_txs.save(locked)
        uow.commit()
    tx.status, tx.error = locked.status, locked.error
    log.error("chain: %s dropped: %s", tx.intent, tx.error)


def _settle(
    tx: ChainTransaction, receipt: Receipt | None, *, uow: ChainUoW, clock: Clock
) -> ChainTransaction:
    if receipt is None:  # dropped
        return tx
    status = TxStatus.MINED if receipt.status == 1 else TxStatus.REVERTED
    with uow:
        locked = uow.chain_txs.get_for_update(tx.intent)
        if locked is None:
            raise LookupError(f"chain transaction of {tx.intent} vanished")
        if not locked.status.settled or locked.block_number != receipt.block_number:
            locked.settle(status, receipt.transaction_hash, receipt.block_number, clock.now())
            uow.chain_txs.save(locked)
            uow.commit()
    return locked
