"""In-memory credit ledger: batches, holdings, retirements, custodial accounts and the
projects' chain keys, refusing what the database's constraints refuse (a token id or an
issuance twice, overlapping kilograms of retirements that did not fail, a negative
reservation). Custodial accounts come from `FakeCustodialWallets`."""

from __future__ import annotations

import copy
from dataclasses import dataclass

from app.domain.credits.custody import Custody, custodial_address
from app.domain.credits.model import CreditBatch, Holding, Retirement, RetirementStatus
from app.ports.repositories.credits import CreditsUoW
from tests.fakes.documents import FakeEnvelopeCipher
from tests.fakes.indexer import FakeIndexerRepository

FIRST_SERIAL, FIRST_TOKEN = 1, 1


class ConstraintViolation(ValueError):
    """What the database would refuse with an integrity error."""


@dataclass
class CustodialAccount:
    address: str
    encrypted_key: bytes
    key_id: str


@dataclass
class ChainProject:
    project_id: str
    register_tx: str | None


class FakeCreditRepository:
    def __init__(self, indexer: FakeIndexerRepository) -> None:
        self._indexer = indexer  # the indexer's events are in the same database
        self.batches: dict[str, CreditBatch] = {}
        self.holdings: dict[tuple[str, int], Holding] = {}
        self.holding_writes: list[tuple[str, int]] = []  # every write of a holding, in order
        self.retirements: dict[str, Retirement] = {}
        self.custodial: dict[tuple[str, str], CustodialAccount] = {}
        self.chain_projects: dict[str, ChainProject] = {}  # project key -> project

    # --- batches ------------------------------------------------------------------------

    def add_batch(self, batch: CreditBatch) -> None:
        issuance = (batch.project_id, batch.vintage, batch.monitoring_period)
        for other in self.batches.values():
            if batch.id == other.id or batch.token_id == other.token_id:
                raise ConstraintViolation("duplicate batch or token id")
            if issuance == (other.project_id, other.vintage, other.monitoring_period):
                raise ConstraintViolation("this issuance exists")
        self.batches[batch.id] = copy.deepcopy(batch)

    def get_batch(self, batch_id: str) -> CreditBatch | None:
        return copy.deepcopy(self.batches.get(batch_id))

    def batch_by_token_for_update(self, token_id: int) -> CreditBatch | None:
        found = [b for b in self.batches.values() if b.token_id == token_id]
        return copy.deepcopy(found[0]) if found else None

    def batches_for(self, project_id: str, vintage: int | None) -> list[CreditBatch]:
        found = [
            b
            for b in self.batches.values()
            if b.project_id == project_id and vintage in (None, b.vintage)
        ]
        return copy.deepcopy(sorted(found, key=lambda b: b.token_id))

    def save_batch(self, batch: CreditBatch) -> None:
        if not 0 <= batch.retired_kg <= batch.issued_kg:
            raise ConstraintViolation("retired_within_issued")
        if batch.id in self.batches:
            self.batches[batch.id] = copy.deepcopy(batch)

    def next_serial(self) -> int:
        ends = [b.serial_end for b in self.batches.values()]
        return max(ends) + 1 if ends else FIRST_SERIAL

    def next_token_id(self) -> int:
        tokens = [b.token_id for b in self.batches.values()]
        return max(tokens) + 1 if tokens else FIRST_TOKEN

    def lock_allocation(self) -> None:
        """One process, one thread: nothing to serialize."""

    # --- holdings -----------------------------------------------------------------------

    def holding_for_update(self, address: str, token_id: int) -> Holding:
        holding = self.holdings.setdefault((address, token_id), Holding(address, token_id))
        return copy.deepcopy(holding)

    def save_holding(self, holding: Holding) -> None:
        if holding.pending_out_kg < 0:
            raise ConstraintViolation("pending_not_negative")
        key = (holding.address, holding.token_id)
        if key in self.holdings:
            self.holdings[key] = copy.deepcopy(holding)
            self.holding_writes.append(key)

    def add_to_holdings(
        self, onchain: dict[tuple[str, int], int], pending: dict[tuple[str, int], int]
    ) -> None:
        for address, token_id in onchain.keys() | pending.keys():
            holding = self.holdings.setdefault((address, token_id), Holding(address, token_id))
            holding.onchain_kg += onchain.get((address, token_id), 0)
            holding.pending_out_kg = max(
                0, holding.pending_out_kg + pending.get((address, token_id), 0)
            )
            self.holding_writes.append((address, token_id))

    # --- retirements --------------------------------------------------------------------

    def _check_kilograms(self, retirement: Retirement) -> None:
        if retirement.status == RetirementStatus.FAILED:
            return
        for other in self.retirements.values():
            if (
                other.id != retirement.id
                and other.token_id == retirement.token_id
                and other.status != RetirementStatus.FAILED
                and other.kg_start <= retirement.kg_end
                and retirement.kg_start <= other.kg_end
            ):
                raise ConstraintViolation("kilograms retired twice")

    def add_retirement(self, retirement: Retirement) -> None:
        if retirement.id in self.retirements:
            raise ConstraintViolation("duplicate retirement id")
        self._check_kilograms(retirement)
        self.retirements[retirement.id] = copy.deepcopy(retirement)

    def get_retirement(self, retirement_id: str) -> Retirement | None:
        return copy.deepcopy(self.retirements.get(retirement_id))

    retirement_for_update = get_retirement

    def pending_retirement_for(
        self, token_id: int, holder: str, kg_start: int, kg_end: int
    ) -> Retirement | None:
        for r in self.retirements.values():
            if (
                (r.token_id, r.kg_start, r.kg_end) == (token_id, kg_start, kg_end)
                and r.holder_address.lower() == holder.lower()
                and r.status != RetirementStatus.FAILED
            ):
                return copy.deepcopy(r)
        return None

    def save_retirement(self, retirement: Retirement) -> None:
        self._check_kilograms(retirement)
        if retirement.id in self.retirements:
            self.retirements[retirement.id] = copy.deepcopy(retirement)

    def list_retirements(
        self, owner_kind: str | None, owner_ids: list[str] | None, offset: int, limit: int
    ) -> tuple[list[Retirement], int]:
        found = [
            r
            for r in self.retirements.values()
            if (owner_ids is None or r.owner_id in owner_ids)
            and (owner_kind is None or r.owner_kind == owner_kind)
        ]
        newest = sorted(found, key=lambda r: r.created_at, reverse=True)
        return copy.deepcopy(newest[offset : offset + limit]), len(newest)

    def indexed_transaction(self, tx_hash: str) -> bool:
        return self._indexer.has_transaction(tx_hash.lower())

    # --- custodial accounts -------------------------------------------------------------

    def custodial_address(self, owner_kind: str, owner_id: str) -> str | None:
        account = self.custodial.get((owner_kind, owner_id))
        return account.address if account else None

    def add_custodial(
        self, owner_kind: str, owner_id: str, address: str, encrypted_key: bytes, key_id: str
    ) -> None:
        taken = {a.address for a in self.custodial.values()}
        if (owner_kind, owner_id) in self.custodial or address in taken:
            raise ConstraintViolation("duplicate custodial account")
        self.custodial[(owner_kind, owner_id)] = CustodialAccount(address, encrypted_key, key_id)

    # --- projects on chain --------------------------------------------------------------

    def project_for_key(self, project_key: str) -> str | None:
        found = self.chain_projects.get(project_key.lower())
        return found.project_id if found else None

    def chain_key_of(self, project_id: str) -> str | None:
        return next((k for k, p in self.chain_projects.items() if p.project_id == project_id), None)

    def record_project_key(
        self, project_key: str, project_id: str, register_tx: str | None
    ) -> None:
        if project_key.lower() in self.chain_projects or self.chain_key_of(project_id):
            return  # ON CONFLICT DO NOTHING
        self.chain_projects[project_key.lower()] = ChainProject(project_id, register_tx)

    def project_registered(self, project_id: str) -> bool:
        key = self.chain_key_of(project_id)
        return key is not None and self.chain_projects[key].register_tx is not None

    def mark_project_registered(self, project_id: str, register_tx: str) -> None:
        key = self.chain_key_of(project_id)
        if key is not None:
            self.chain_projects[key].register_tx = register_tx


class FakeCustodialWallets:
    """Numbered accounts (`0x000…001`, `0x000…002`, …) with made-up keys."""

    def __init__(self) -> None:
        self.created: list[str] = []

    def new_account(self) -> tuple[str, bytes]:
        address = f"0x{len(self.created) + 1:040d}"
        self.created.append(address)
        return address, len(self.created).to_bytes(32, "big")


def fake_custody(wallets: FakeCustodialWallets | None = None) -> Custody:
    """The custody the HTTP layer gives the ledger's use cases, over fake wallets."""
    accounts, cipher = wallets or FakeCustodialWallets(), FakeEnvelopeCipher()

    def custody(owner_kind: str, owner_id: str, uow: CreditsUoW) -> str:
        return custodial_address(owner_kind, owner_id, uow=uow, wallets=accounts, cipher=cipher)

    return custody
