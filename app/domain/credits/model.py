"""The credit ledger: batches with serial ranges, holdings, retirements.

One serial per tonne, as registries publish them, and quantities to the kilogram. Kilograms
have coordinates tied to the serials: kilogram `k` belongs to serial `k // 1000`, so serial
`s` is kilograms `s*1000 .. s*1000+999`. A batch of serials `a..b` holding `issued_kg` owns
kilograms `a*1000 .. a*1000 + issued_kg - 1` (its last serial may be a part of a tonne). A
retirement consumes the batch's next kilogram range (`kg_start..kg_end`), so two
fractional retirements can share a serial and no kilogram is retired twice (the database
and the contract refuse overlapping ranges too). Holdings keep what the chain says
(`onchain_kg`) apart from what pending operations have already promised away
(`pending_out_kg`)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Literal

from app.domain.credits.errors import InsufficientCredits
from app.domain.shared.chain import depth_status
from app.domain.shared.errors import InvalidValue
from app.domain.shared.quantity import KG_PER_TONNE, Quantity


def serials_of(kg_start: int, kg_end: int) -> tuple[int, int]:
    """The serials (tonnes) a kilogram range touches."""
    return kg_start // KG_PER_TONNE, kg_end // KG_PER_TONNE


def serial_count(kg: int) -> int:
    """How many serials a batch of `kg` kilograms spans (a started tonne has its serial)."""
    return -(-kg // KG_PER_TONNE)


# Who holds credits: a user, or an organization (through its custodial address).
OwnerKind = Literal["user", "organization"]
# Whether a retirement names its beneficiary publicly (on chain, on its certificate) or
# only as a salted hash of the name (the holder keeps the salt and the name).
BeneficiaryVisibility = Literal["public", "pseudonymous"]


def pseudonym(name: str, salt: str) -> str:
    """The public stand-in of a pseudonymous beneficiary: `sha256:` and the hex SHA-256
    of `salt + ":" + name` (anyone given the salt and the name can check it)."""
    return "sha256:" + hashlib.sha256(f"{salt}:{name}".encode()).hexdigest()


class BatchStatus(StrEnum):
    PENDING = "pending"  # mint sent, not yet seen on chain
    CONFIRMED = "confirmed"
    FAILED = "failed"


class RetirementStatus(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    FAILED = "failed"


def status_at_depth(status: str, block: int | None, safe: int | None) -> str:
    """A batch's or retirement's status as the API shows it: a confirmed one stays
    `pending` until its block is past the confirmation depth; `pending` and `failed` as
    they are."""
    if status == "confirmed" and depth_status(block, safe) == "pending":
        return "pending"
    return str(status)


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
    next_kg: int = -1  # the first kilogram not yet promised to a retirement
    status: BatchStatus = BatchStatus.PENDING
    mint_tx: str | None = None
    mint_block: int | None = None

    def __post_init__(self) -> None:
        Quantity(self.issued_kg).positive()  # a batch holds something
        if self.serial_end - self.serial_start + 1 != serial_count(self.issued_kg):
            raise InvalidValue("one serial per started tonne", code="serial_range")
        if self.next_kg < 0:
            self.next_kg = self.first_kg

    @property
    def quantity(self) -> Quantity:
        return Quantity(self.issued_kg)

    @property
    def first_kg(self) -> int:
        return self.serial_start * KG_PER_TONNE

    @property
    def last_kg(self) -> int:
        return self.first_kg + self.issued_kg - 1

    def take_kilograms(self, quantity: Quantity) -> tuple[int, int]:
        """The next kilogram range for a retirement of this quantity."""
        quantity.positive()
        start, end = self.next_kg, self.next_kg + quantity.kg - 1
        if end > self.last_kg:
            raise InsufficientCredits("not enough unretired credits in this batch")
        self.next_kg = end + 1
        self.retired_kg += quantity.kg
        return start, end

    def give_back(self, kg_start: int, kg_end: int) -> None:
        """Return the range of a failed retirement if nothing was taken after it."""
        if kg_end + 1 == self.next_kg:
            self.next_kg = kg_start
            self.retired_kg -= kg_end - kg_start + 1


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
    owner_kind: OwnerKind
    owner_id: str
    project_id: str
    vintage: int
    batch_id: str
    token_id: int
    quantity_kg: int
    beneficiary: str
    purpose: str
    kg_start: int
    kg_end: int
    created_by: str
    created_at: datetime
    status: RetirementStatus = RetirementStatus.PENDING
    tx_hash: str | None = None
    self_custody: bool = False
    confirmed_at: datetime | None = None
    confirmed_block: int | None = None
    failure: str | None = None
    certificate_id: str | None = None
    beneficiary_visibility: BeneficiaryVisibility = "public"
    beneficiary_salt: str | None = None  # hex, 16 random bytes, for a pseudonymous one

    def __post_init__(self) -> None:
        if self.beneficiary_visibility == "pseudonymous" and not self.beneficiary_salt:
            raise InvalidValue("a pseudonymous beneficiary needs its salt", code="salt")
        if self.kg_end - self.kg_start + 1 != self.quantity_kg or self.quantity_kg <= 0:
            raise InvalidValue("a retirement's kilogram range is its quantity", code="kg_range")

    @property
    def public_beneficiary(self) -> str:
        """The beneficiary as the chain and the certificate show it."""
        if self.beneficiary_visibility == "pseudonymous" and self.beneficiary_salt:
            return pseudonym(self.beneficiary, self.beneficiary_salt)
        return self.beneficiary

    @property
    def serial_start(self) -> int:
        return self.kg_start // KG_PER_TONNE

    @property
    def serial_end(self) -> int:
        return self.kg_end // KG_PER_TONNE
