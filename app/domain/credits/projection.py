"""How chain events move the ledger (`sign` +1 applies an event, -1 undoes it after a
reorganization)."""

from __future__ import annotations

from datetime import datetime

from app.domain.credits.model import BatchStatus, RetirementStatus
from app.domain.shared.chain import ChainEvent
from app.ports.repositories.credits import CreditsUoW

ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"


def _int(event: ChainEvent, name: str) -> int:
    return int(str(event.args[name]))


def _addr(event: ChainEvent, name: str) -> str:
    return str(event.args[name])


def _move(uow: CreditsUoW, address: str, token_id: int, kg: int) -> None:
    holding = uow.credits.holding_for_update(address, token_id)
    holding.onchain_kg += kg
    uow.credits.save_holding(holding)


def apply_credit_event(event: ChainEvent, uow: CreditsUoW, sign: int, now: datetime) -> None:
    token_id = _int(event, "tokenId") if "tokenId" in event.args else None
    if token_id is None:
        return
    if event.name == "CreditsMinted":
        amount = _int(event, "amountKg")
        _move(uow, _addr(event, "to"), token_id, sign * amount)
        batch = uow.credits.batch_by_token_for_update(token_id)
        if batch is not None:
            batch.status = BatchStatus.CONFIRMED if sign > 0 else BatchStatus.PENDING
            batch.mint_tx = event.transaction_hash if sign > 0 else batch.mint_tx
            batch.mint_block = event.block_number if sign > 0 else None
            uow.credits.save_batch(batch)
    elif event.name == "CreditsTransferred":
        amount = _int(event, "amountKg")
        _move(uow, _addr(event, "from"), token_id, -sign * amount)
        _move(uow, _addr(event, "to"), token_id, sign * amount)
    elif event.name == "CreditsRetired":
        _retired(event, uow, token_id, sign, now)


def _retired(event: ChainEvent, uow: CreditsUoW, token_id: int, sign: int, now: datetime) -> None:
    holder, amount = _addr(event, "holder"), _int(event, "amountKg")
    _move(uow, holder, token_id, -sign * amount)
    retirement = uow.credits.pending_retirement_for(
        token_id, holder, _int(event, "serialStart"), _int(event, "serialEnd")
    )
    if retirement is None:
        return
    holding = uow.credits.holding_for_update(holder, token_id)
    if sign > 0 and retirement.status == RetirementStatus.PENDING:
        retirement.status, retirement.confirmed_at = RetirementStatus.CONFIRMED, now
        retirement.confirmed_block = event.block_number
        retirement.tx_hash = retirement.tx_hash or event.transaction_hash
        holding.release(amount)
    elif sign < 0 and retirement.status == RetirementStatus.CONFIRMED:
        retirement.status, retirement.confirmed_at = RetirementStatus.PENDING, None
        retirement.confirmed_block = None
        holding.pending_out_kg += amount
    uow.credits.save_holding(holding)
    uow.credits.save_retirement(retirement)
