"""Finding a holder's free credits: the one way a retirement, a scheduled retirement's
reminder and a listing choose the holding they reserve in."""

from __future__ import annotations

from app.domain.credits.model import BatchStatus, CreditBatch, Holding
from app.ports.repositories.credits import CreditsUoW


def first_free_holding(
    uow: CreditsUoW,
    address: str,
    project_id: str,
    vintage: int,
    kg: int,
    *,
    confirmed_only: bool = False,
) -> tuple[CreditBatch, Holding] | None:
    """Inside the caller's unit: the first of the project vintage's batches (only those
    the chain confirmed, with `confirmed_only`) where the holding of `address` has `kg`
    free, with that holding under its row lock (the caller reserves in it); None when
    no holding has them."""
    for batch in uow.credits.batches_for(project_id, vintage):
        if confirmed_only and batch.status != BatchStatus.CONFIRMED:
            continue
        holding = uow.credits.holding_for_update(address, batch.token_id)
        if holding.available_kg >= kg:
            return batch, holding
    return None
