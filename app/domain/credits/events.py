"""Facts the credit ledger publishes (notifications subscribe to them)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from app.domain.shared.events import DomainEvent


@dataclass(frozen=True)
class RetirementConfirmed(DomainEvent):
    """The indexer saw the retirement's `CreditsRetired` event: it is final on chain."""

    name: ClassVar[str] = "credits.retirement_confirmed"
    retirement_id: str
    owner_kind: str
    owner_id: str
    project_id: str
    quantity_kg: int
    beneficiary: str
