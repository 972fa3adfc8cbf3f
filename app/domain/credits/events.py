"""Facts of the credit ledger other modules follow (certificates and notifications)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from app.domain.shared.events import DomainEvent


@dataclass(frozen=True)
class RetirementConfirmed(DomainEvent):
    """The indexer saw the retirement's `CreditsRetired` event (its block may still be
    above the confirmation depth: a certificate waits for the depth)."""

    name: ClassVar[str] = "credits.retirement_confirmed"
    retirement_id: str
    block_number: int
    owner_kind: str
    owner_id: str
    project_id: str
    quantity_kg: int
    beneficiary: str
