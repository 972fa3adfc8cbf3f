"""The credit ledger: batches with serial ranges, holdings, retirements.

One serial per tonne. A batch's serials are consumed in order by retirements, so a tonne
is retired once; holdings keep what the chain says (`onchain_kg`) apart from what
pending operations have already promised away (`pending_out_kg`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from app.domain.shared.errors import Conflict, InvalidValue
from app.domain.shared.quantity import KG_PER_TONNE, Quantity


class BatchStatus(StrEnum):
    PENDING = "pending"  # mint sent, not yet seen on chain
    CONFIRMED = "confirmed"
    FAILED = "failed"


class RetirementStatus(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    FAILED = "failed"


class InsufficientCredits(Conflict):
    code = "insufficient_credits"


@dataclass
class CreditBatch:
    id: str
    project_id: str
    vintage: int
    monitoring_period: str
    token_id: int
    serial_start: int
    serial_end: int
    issued_kg: int
    created_at: datetime
    retired_kg: int = 0
    next_serial: int = 0
    status: BatchStatus = BatchStatus.PENDING
    mint_tx: str | None = None
    mint_block: int | None = None

    def __post_init__(self) -> None:
        if self.issued_kg <= 0 or self.issued_kg % KG_PER_TONNE:
            raise InvalidValue("batches are minted in whole tonnes", code="whole_tonnes")
        if self.serial_end - self.serial_start + 1 != self.issued_kg // KG_PER_TONNE:
            raise InvalidValue("one serial per tonne", code="serial_range")
        if not self.next_serial:
            self.next_serial = self.serial_start

    @property
    def quantity(self) -> Quantity:
        return Quantity(self.issued_kg)

    @property
    def unretired_kg(self) -> int:
        return self.issued_kg - self.retired_kg

    def take_serials(self, quantity: Quantity) -> tuple[int, int]:
        """The next serials for a retirement of whole tonnes."""
        if quantity.kg <= 0 or quantity.kg % KG_PER_TONNE:
            raise InvalidValue(
                "retirements are whole tonnes (one serial each)", code="whole_tonnes"
            )
        tonnes = quantity.kg // KG_PER_TONNE
        start, end = self.next_serial, self.next_serial + tonnes - 1
        if end > self.serial_end:
            raise InsufficientCredits("not enough unretired credits in this batch")
        self.next_serial = end + 1
        self.retired_kg += quantity.kg
        return start, end

    def give_back(self, serial_start: int, serial_end: int) -> None:
        """Return the serials of a failed retirement if nothing was taken after them."""
        if serial_end + 1 == self.next_serial:
            self.next_serial = serial_start
            self.retired_kg -= (serial_end - serial_start + 1) * KG_PER_TONNE


@dataclass
class Holding:
    address: str
    token_id: int
    onchain_kg: int = 0
    pending_out_kg: int = 0

    @property
    def available_kg(self) -> int:
        return self.onchain_kg - self.pending_out_kg

    def reserve(self, kg: int) -> None:
        if kg > self.available_kg:
            raise InsufficientCredits(
                f"only {Quantity(max(self.available_kg, 0)).tonnes_str()} t available"
            )
        self.pending_out_kg += kg

    def release(self, kg: int) -> None:
        self.pending_out_kg = max(0, self.pending_out_kg - kg)


@dataclass
class Retirement:
    id: str
    holder_address: str
    owner_kind: str  # user | organization
    owner_id: str
    project_id: str
    vintage: int
    batch_id: str
    token_id: int
    quantity_kg: int
    beneficiary: str
    purpose: str
    serial_start: int
    serial_end: int
    created_by: str
    created_at: datetime
    status: RetirementStatus = RetirementStatus.PENDING
    tx_hash: str | None = None
    self_custody: bool = False
    confirmed_at: datetime | None = None
    confirmed_block: int | None = None
    failure: str | None = None
    certificate_id: str | None = None
