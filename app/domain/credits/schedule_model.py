"""Scheduled retirements: a holder plans to retire credits at a set time.

Nothing is held back when the schedule is made. At its reminder (`remind_days_before`
days ahead) the holding's kilograms are reserved, so a planned retirement cannot be sold
or retired from under it; at `run_at` the sweep creates the retirement once and the
reservation becomes the retirement's own. Without a reminder, the credits are reserved
when the retirement is created, at `run_at`. Cancelling gives the reservation back.

    scheduled --reminder, enough credits--> reserved --run_at--> completed
    scheduled --run_at, enough credits--> completed
    scheduled|reserved --run_at, not enough credits--> failed
    scheduled|reserved --cancel--> cancelled"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from app.domain.credits.model import BeneficiaryVisibility, OwnerKind
from app.domain.shared.errors import RuleViolation
from app.domain.shared.quantity import Quantity

MAX_REMIND_DAYS = 365
MAX_YEARS_AHEAD = 10


class ScheduleStatus(StrEnum):
    SCHEDULED = "scheduled"  # waiting; nothing reserved
    RESERVED = "reserved"  # the reminder went out and the credits are held back
    COMPLETED = "completed"  # the retirement was created (`retirement_id`)
    FAILED = "failed"  # at run_at the holding had not enough credits (`failure`)
    CANCELLED = "cancelled"


OPEN = frozenset({ScheduleStatus.SCHEDULED, ScheduleStatus.RESERVED})


@dataclass
class RetirementSchedule:
    id: str
    owner_kind: OwnerKind
    owner_id: str
    holder_address: str
    project_id: str
    vintage: int
    quantity_kg: int
    beneficiary: str
    purpose: str
    run_at: datetime
    created_by: str
    created_at: datetime
    remind_days_before: int | None = None
    beneficiary_visibility: BeneficiaryVisibility = "public"
    status: ScheduleStatus = ScheduleStatus.SCHEDULED
    reserved_token_id: int | None = None  # the holding's token while reserved
    reminded_at: datetime | None = None
    retirement_id: str | None = None
    failure: str | None = None
    finished_at: datetime | None = None  # completed, failed or cancelled

    @property
    def quantity(self) -> Quantity:
        return Quantity(self.quantity_kg)

    @property
    def remind_at(self) -> datetime | None:
        if self.remind_days_before is None:
            return None
        return self.run_at - timedelta(days=self.remind_days_before)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    def reminder_due(self, now: datetime) -> bool:
        remind_at = self.remind_at
        return (
            self.status == ScheduleStatus.SCHEDULED
            and self.reminded_at is None
            and remind_at is not None
            and remind_at <= now < self.run_at
        )

    def run_due(self, now: datetime) -> bool:
        return self.is_open and self.run_at <= now

    def finish(self, status: ScheduleStatus, now: datetime) -> None:
        self.status, self.finished_at, self.reserved_token_id = status, now, None


def check_timing(run_at: datetime, remind_days_before: int | None, now: datetime) -> None:
    """A schedule runs in the future, at most ten years ahead, with a reminder of 0 to 365
    days before it (a reminder already past goes out at the next sweep)."""
    if run_at <= now:
        raise RuleViolation(
            "run_at must be in the future",
            code="run_at_not_future",
            errors={"run_at": ["must be in the future"]},
        )
    if run_at > now + timedelta(days=365 * MAX_YEARS_AHEAD):
        raise RuleViolation(
            f"run_at is at most {MAX_YEARS_AHEAD} years ahead",
            code="run_at_too_far",
            errors={"run_at": [f"at most {MAX_YEARS_AHEAD} years ahead"]},
        )
    if remind_days_before is not None and not 0 <= remind_days_before <= MAX_REMIND_DAYS:
        raise RuleViolation(
            f"remind_days_before is 0 to {MAX_REMIND_DAYS}",
            code="remind_days_before",
            errors={"remind_days_before": [f"0 to {MAX_REMIND_DAYS} days"]},
        )
