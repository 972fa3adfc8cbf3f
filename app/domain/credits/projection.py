"""How chain events move the ledger (`sign` +1 applies events, -1 undoes them after a
reorganization). Changes of a whole batch of events to on-chain amounts and to
reservations are summed per holding and written once each: both are sums (a reservation
only moves one way in a batch), so the order inside a batch does not matter."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import cast

from app.domain.credits.events import RetirementConfirmed
from app.domain.credits.model import BatchStatus, Retirement, RetirementStatus
from app.domain.shared.chain import ChainEvent
from app.ports.repositories.credits import CreditsUoW


def _int(event: ChainEvent, name: str) -> int:
    # An int when decoded from the node, a decimal string when read back from storage.
    return int(cast(int | str, event.args[name]))


def _addr(event: ChainEvent, name: str) -> str:
    return str(event.args[name])


def apply_credit_events(
    events: Sequence[ChainEvent], uow: CreditsUoW, sign: int, now: datetime
) -> None:
    deltas: dict[tuple[str, int], int] = defaultdict(int)  # on-chain kilograms
    reserved: dict[tuple[str, int], int] = defaultdict(int)  # pending_out kilograms
    for event in events:
        if "tokenId" not in event.args:
            continue
        token_id = _int(event, "tokenId")
        if event.name == "CreditsMinted":
            deltas[(_addr(event, "to"), token_id)] += sign * _int(event, "amountKg")
            _minted(event, uow, token_id, sign)
        elif event.name == "CreditsTransferred":
            amount = _int(event, "amountKg")
            deltas[(_addr(event, "from"), token_id)] -= sign * amount
            deltas[(_addr(event, "to"), token_id)] += sign * amount
        elif event.name == "CreditsRetired":
            holding = (_addr(event, "holder"), token_id)
            deltas[holding] -= sign * _int(event, "amountKg")
            reserved[holding] += _retired(event, uow, token_id, sign, now)
    changed = {key: kg for key, kg in deltas.items() if kg}
    released = {key: kg for key, kg in reserved.items() if kg}
    if changed or released:
        uow.credits.add_to_holdings(changed, released)


def _minted(event: ChainEvent, uow: CreditsUoW, token_id: int, sign: int) -> None:
    batch = uow.credits.batch_by_token_for_update(token_id)
    if batch is None:
        return
    batch.status = BatchStatus.CONFIRMED if sign > 0 else BatchStatus.PENDING
    batch.mint_tx = event.transaction_hash if sign > 0 else batch.mint_tx
    batch.mint_block = event.block_number if sign > 0 else None
    uow.credits.save_batch(batch)


def _retired(event: ChainEvent, uow: CreditsUoW, token_id: int, sign: int, now: datetime) -> int:
    """Confirms (or, undone, reopens) the retirement the event settles; returns the change
    to its holding's reservation (a custodial retirement reserved its kilograms)."""
    holder, amount = _addr(event, "holder"), _int(event, "amountKg")
    retirement = uow.credits.pending_retirement_for(
        token_id, holder, _int(event, "kgStart"), _int(event, "kgEnd")
    )
    if retirement is None:
        return 0
    reserved = 0
    if sign > 0 and retirement.status == RetirementStatus.PENDING:
        retirement.status, retirement.confirmed_at = RetirementStatus.CONFIRMED, now
        retirement.confirmed_block = event.block_number
        retirement.tx_hash = retirement.tx_hash or event.transaction_hash
        reserved = -amount
        uow.publish(confirmed(retirement, event.block_number))
    elif sign < 0 and retirement.status == RetirementStatus.CONFIRMED:
        retirement.status, retirement.confirmed_at = RetirementStatus.PENDING, None
        retirement.confirmed_block = None
        reserved = amount
    uow.credits.save_retirement(retirement)
    return 0 if retirement.self_custody else reserved


def confirmed(r: Retirement, block_number: int) -> RetirementConfirmed:
    return RetirementConfirmed(
        retirement_id=r.id,
        block_number=block_number,
        owner_kind=r.owner_kind,
        owner_id=r.owner_id,
        project_id=r.project_id,
        quantity_kg=r.quantity_kg,
        beneficiary=r.beneficiary,
    )
