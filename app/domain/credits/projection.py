"""How chain events move the ledger (`sign` +1 applies events, -1 undoes them after a
reorganization). Balance changes of a whole batch of events are summed per holding and
written once each: balances are sums, so the order inside a batch does not matter."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import cast

from app.domain.credits.model import BatchStatus, RetirementStatus
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
    deltas: dict[tuple[str, int], int] = defaultdict(int)
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
            deltas[(_addr(event, "holder"), token_id)] -= sign * _int(event, "amountKg")
            _retired(event, uow, token_id, sign, now)
    changed = {key: kg for key, kg in deltas.items() if kg}
    if changed:
        uow.credits.add_to_holdings(changed)


def _minted(event: ChainEvent, uow: CreditsUoW, token_id: int, sign: int) -> None:
    batch = uow.credits.batch_by_token_for_update(token_id)
    if batch is None:
        return
    batch.status = BatchStatus.CONFIRMED if sign > 0 else BatchStatus.PENDING
    batch.mint_tx = event.transaction_hash if sign > 0 else batch.mint_tx
    batch.mint_block = event.block_number if sign > 0 else None
    uow.credits.save_batch(batch)


def _retired(event: ChainEvent, uow: CreditsUoW, token_id: int, sign: int, now: datetime) -> None:
    holder, amount = _addr(event, "holder"), _int(event, "amountKg")
    retirement = uow.credits.pending_retirement_for(
        token_id, holder, _int(event, "kgStart"), _int(event, "kgEnd")
    )
    if retirement is None:
        return
    if sign > 0 and retirement.status == RetirementStatus.PENDING:
        retirement.status, retirement.confirmed_at = RetirementStatus.CONFIRMED, now
        retirement.confirmed_block = event.block_number
        retirement.tx_hash = retirement.tx_hash or event.transaction_hash
        if not retirement.self_custody:
            uow.credits.add_to_pending(holder, token_id, -amount)
    elif sign < 0 and retirement.status == RetirementStatus.CONFIRMED:
        retirement.status, retirement.confirmed_at = RetirementStatus.PENDING, None
        retirement.confirmed_block = None
        if not retirement.self_custody:
            uow.credits.add_to_pending(holder, token_id, amount)
    uow.credits.save_retirement(retirement)
