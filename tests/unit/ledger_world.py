"""A project approved with its signed proof, the ledger's fakes around it, and the loop
that takes a use case's intent to the chain and back: the outbox's jobs run through the
credits job handlers (which sign with `FakeNode` onto `FakeChain`), then the indexer
projects what the chain says."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from app.domain.auth.permissions import OrgRole, Role
from app.domain.auth.principal import Principal
from app.domain.credits import retirements, services
from app.domain.credits.jobs import ChainWrites
from app.domain.credits.model import CreditBatch, Holding, Retirement
from app.domain.documents.model import Document, DocumentKind
from app.domain.indexer.model import FollowedContract, StepResult
from app.domain.indexer.projection import platform_projector
from app.domain.indexer.services import IndexerConfig, index_step
from app.domain.platform.services import run_job
from app.domain.poai.model import Case, CaseStatus
from app.domain.projects.model import Status
from app.domain.shared.quantity import Quantity
from app.ports.repositories.poai import StoredProof
from app.workers import credits as credit_jobs
from tests.fakes.chain import FakeNode
from tests.fakes.clock import FakeClock
from tests.fakes.credits import FakeCustodialWallets, fake_custody
from tests.fakes.ledger import FakeLedgerUoW
from tests.fakes.registry import REGISTRY, FakeChain, FakeRegistryCalls, decode, fake_project_key
from tests.unit.builders import NOW, ORG, PID, project

ISSUER = Principal("u-issuer", "user", frozenset({Role.ISSUER}), {ORG: OrgRole.ADMIN})
FINANCE = Principal("u-finance", "user", frozenset({Role.ENTERPRISE}), {ORG: OrgRole.FINANCE})
VIEWER = Principal("u-viewer", "user", frozenset({Role.ENTERPRISE}), {ORG: OrgRole.VIEWER})
ADMIN = Principal("u-admin", "user", frozenset({Role.PLATFORM_ADMIN}))
STRANGER = Principal("u-stranger", "user", frozenset({Role.RETAIL}))
BUNDLE_HASH = "ab" * 32


@dataclass(frozen=True)
class _JobDeps:
    """The part of `WorkerDeps` the credits job handlers use."""

    chain_writes: ChainWrites

    def chain_project_key(self, project_id: str) -> str:
        return fake_project_key(project_id)

    def project_uri(self, project_id: str) -> str:
        return f"https://registry.example/projects/{project_id}"


class LedgerWorld:
    UOW: type[FakeLedgerUoW] = FakeLedgerUoW  # a world of a module above makes its own

    def __init__(
        self,
        *,
        status: Status = Status.APPROVED,
        proof: bool = True,
        vintages: Iterable[int] = (2024, 2025),
        reorg_window: int = 64,
    ) -> None:
        self.clock = FakeClock(NOW)
        self.uow = self.UOW(self.clock)
        self.chain = FakeChain()
        self.node = FakeNode(chain=self.chain)
        self.wallets = FakeCustodialWallets()
        self.custody = fake_custody(self.wallets)
        self.config = IndexerConfig(
            [FollowedContract(REGISTRY, "CarbonRegistry", 0)],
            confirmations=0,
            reorg_window=reorg_window,
        )
        self.project = platform_projector(self.clock)
        self.uow.projects.add(project(status=status, vintages=list(vintages)))
        if proof:
            self.add_proof()
        self.uow.commit()

    def add_proof(self) -> None:
        """The approved case's signed bundle, stored as the project's document."""
        self.uow.poai.add_case(
            Case("case-1", PID, ORG, NOW, status=CaseStatus.APPROVED, decided_at=NOW)
        )
        self.uow.documents.add(
            Document("doc-proof", PID, ORG, DocumentKind.POAI_BUNDLE, 1, "platform", NOW, NOW)
        )
        self.uow.poai.save_proof(
            StoredProof("case-1", BUNDLE_HASH, "doc-proof", "signature", "public key", "key-1")
        )

    # --- use cases ----------------------------------------------------------------------

    def mint(
        self,
        principal: Principal = ISSUER,
        *,
        kg: int = 50_000,
        vintage: int = 2024,
        period: str | None = None,
        project_id: str = PID,
    ) -> CreditBatch:
        return services.mint_batch(
            principal,
            project_id,
            vintage=vintage,
            quantity=Quantity(kg),
            monitoring_period=period or str(vintage),
            uow=self.uow,
            clock=self.clock,
            custody=self.custody,
            project_key=fake_project_key,
            proof_of=lambda project_id, uow: credit_jobs.bundle_hash_of(project_id, uow),
        )

    def retire(
        self,
        principal: Principal = FINANCE,
        *,
        kg: int,
        organization_id: str | None = ORG,
        project_id: str = PID,
        vintage: int = 2024,
    ) -> Retirement:
        return retirements.retire(
            principal,
            project_id=project_id,
            vintage=vintage,
            quantity=Quantity(kg),
            beneficiary="Acme Ltd",
            purpose="2025 scope 1",
            owner=services.authorize_holding(principal, organization_id),
            uow=self.uow,
            clock=self.clock,
            custody=self.custody,
        )

    # --- the loop -----------------------------------------------------------------------

    @property
    def chain_writes(self) -> ChainWrites:
        return ChainWrites(FakeRegistryCalls(), self.node, self.clock)

    def run_jobs(self, handlers: dict[str, Any] | None = None) -> list[str]:
        """Run the outbox's ledger jobs (or those of `handlers`) not done yet, oldest
        first; their names."""
        if handlers is None:
            handlers = credit_jobs.handlers(_JobDeps(self.chain_writes))  # type: ignore[arg-type]
        ran = []
        for job in list(self.uow.outbox.jobs.values()):
            if job.done_at is None and job.name in handlers:
                run_job(job.id, uow=self.uow, handlers=handlers, clock=self.clock)
                ran.append(job.name)
        return ran

    def index(self) -> StepResult:
        return index_step(
            uow=self.uow, chain=self.chain, decode=decode, project=self.project, config=self.config
        )

    def settle(self) -> None:
        """Send what the use cases asked for and index what the chain did."""
        self.run_jobs()
        self.index()

    def minted(self, kg: int = 50_000) -> CreditBatch:
        """A batch minted to the organization's custodial holding and indexed."""
        batch = self.mint(kg=kg)
        self.settle()
        return batch

    # --- committed state ----------------------------------------------------------------

    @property
    def org_address(self) -> str:
        address = self.uow.credits.custodial_address("organization", ORG)
        assert address is not None
        return address

    def holding(self, address: str, token_id: int = 1) -> Holding:
        return self.uow.credits.holdings.get((address, token_id), Holding(address, token_id))

    def batch(self, token_id: int = 1) -> CreditBatch:
        batch = self.uow.credits.batch_by_token_for_update(token_id)
        assert batch is not None
        return batch

    def jobs(self) -> list[str]:
        return [j.name for j in self.uow.outbox.jobs.values()]

    def audited(self) -> list[str]:
        return [e.action for e in self.uow.audit_log.entries]
