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


@dataclass(frozen=True)
class ReminderDue(DomainEvent):
    """A scheduled retirement's reminder: `reserved` tells whether its credits are now
    held back for it (else `note` says why not)."""

    name: ClassVar[str] = "retirements.reminder_due"
    schedule_id: str
    owner_kind: str
    owner_id: str
    due_on: str  # the ISO date of run_at (UTC)
    quantity_kg: int
    reserved: bool
    note: str


@dataclass(frozen=True)
class ScheduleFailed(DomainEvent):
    """A scheduled retirement could not run at its time (`reason`: not enough credits)."""

    name: ClassVar[str] = "retirements.schedule_failed"
    schedule_id: str
    owner_kind: str
    owner_id: str
    quantity_kg: int
    reason: str
