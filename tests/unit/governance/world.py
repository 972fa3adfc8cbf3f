"""Governance over fakes: members' use cases, the outbox's governance jobs signed with the
fake node onto the fake chain (with a fake governance contract), and the indexer that
projects what the chain says back, rolled back by `reorganize`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.domain.auth.permissions import Role
from app.domain.auth.principal import Principal
from app.domain.credits.custody import Custody
from app.domain.credits.jobs import ChainWrites
from app.domain.governance import services
from app.domain.governance.jobs import close_due
from app.domain.governance.model import Proposal, Support, Vote
from app.domain.indexer.model import FollowedContract, StepResult
from app.domain.indexer.projection import platform_projector
from app.domain.indexer.services import IndexerConfig, index_step
from app.domain.platform.services import run_job
from app.ports.governance import GovernanceCalls
from app.workers import governance as governance_jobs
from tests.fakes.clock import FakeClock
from tests.fakes.credits import FakeCustodialWallets, fake_custody
from tests.fakes.governance import (
    GOVERNANCE,
    FakeGovernanceCalls,
    FakeGovernanceNode,
    FakeGovernanceUoW,
)
from tests.fakes.registry import FakeChain, FakeRegistryCalls, decode
from tests.unit.builders import NOW

ALICE = Principal("u-alice", "user", frozenset({Role.GOVERNANCE_MEMBER}))
BOB = Principal("u-bob", "user", frozenset({Role.GOVERNANCE_MEMBER}))
CAROL = Principal("u-carol", "user", frozenset({Role.GOVERNANCE_MEMBER}))
ADMIN = Principal("u-admin", "user", frozenset({Role.PLATFORM_ADMIN}))
RETAIL = Principal("u-retail", "user", frozenset({Role.RETAIL}))


@dataclass(frozen=True)
class _JobDeps:
    """The part of `WorkerDeps` the governance job handlers use."""

    chain_writes: ChainWrites
    governance_calls: GovernanceCalls
    custody: Custody


class GovernanceWorld:
    def __init__(self, members: int = 3) -> None:
        self.clock = FakeClock(NOW)
        self.uow = FakeGovernanceUoW(self.clock)
        self.uow.governance.members = members
        self.chain = FakeChain()
        self.node = FakeGovernanceNode(chain=self.chain)
        self.custody = fake_custody(FakeCustodialWallets())
        self.config = IndexerConfig([FollowedContract(GOVERNANCE, "CarbonGovernance", 0)], 0)
        self.uow.commit()
        self.chain.mine_empty()  # a block under what a test reorganizes away
        self.index()

    # --- use cases ----------------------------------------------------------------------

    def propose(self, by: Principal = ALICE, hours: int | None = 24) -> Proposal:
        return services.create_proposal(
            by,
            title="Lower the fee",
            description="From 3% to 2%.",
            voting_hours=hours,
            uow=self.uow,
            clock=self.clock,
        )

    def vote(self, proposal_id: str, by: Principal, support: str = "for") -> Vote:
        return services.cast_vote(by, proposal_id, Support(support), uow=self.uow, clock=self.clock)

    def close(self) -> int:
        return close_due(uow=self.uow, clock=self.clock)

    # --- the loop -----------------------------------------------------------------------

    @property
    def handlers(self) -> dict[str, Any]:
        writes = ChainWrites(FakeRegistryCalls(), self.node, self.clock)
        deps: Any = _JobDeps(writes, FakeGovernanceCalls(), self.custody)
        return governance_jobs.handlers(deps)

    def run_jobs(self) -> list[str]:
        ran = []
        for job in list(self.uow.outbox.jobs.values()):
            if job.done_at is None and job.name in self.handlers:
                run_job(job.id, uow=self.uow, handlers=self.handlers, clock=self.clock)
                ran.append(job.name)
        return ran

    def index(self) -> StepResult:
        return index_step(
            uow=self.uow,
            chain=self.chain,
            decode=decode,
            project=platform_projector(self.clock),
            config=self.config,
        )

    def settle(self) -> None:
        self.run_jobs()
        self.index()

    def proposal(self, proposal_id: str) -> Proposal:
        found = self.uow.governance.get(proposal_id)
        assert found is not None
        return found

    def active(self, by: Principal = ALICE, hours: int = 24) -> Proposal:
        proposal = self.propose(by, hours)
        self.settle()
        return self.proposal(proposal.id)

    def jobs(self) -> list[str]:
        return [j.name for j in self.uow.outbox.jobs.values()]

    def remine(self, tx_hash: str) -> None:
        """Mine a transaction again with the events it emitted the first time (a node
        puts an orphaned block's transactions back in its pool)."""
        receipt = self.node.mined[tx_hash]
        events = [decode(raw) for raw in receipt.logs]
        self.chain.mine(
            *[(e.name, e.args) for e in events if e is not None],
            tx_hash=tx_hash,
            address=GOVERNANCE,
        )
