"""Jobs of governance: a proposal's and a vote's chain writes through the operator, and
the execution of a passed proposal (each in short units of its own)."""

from __future__ import annotations

from app.domain.governance import jobs
from app.domain.governance.jobs import GovernanceJobsUoW
from app.domain.platform.jobs import JobHandler, OwnTransactions
from app.domain.shared.json import JSON
from app.workers.deps import WorkerDeps


def handlers(deps: WorkerDeps) -> dict[str, JobHandler[GovernanceJobsUoW]]:
    def propose(payload: dict[str, JSON], uow: GovernanceJobsUoW) -> None:
        jobs.propose_on_chain(
            str(payload["proposal_id"]),
            uow=uow,
            chain=deps.chain_writes,
            calls=deps.governance_calls,
            custody=deps.custody,
        )

    def vote(payload: dict[str, JSON], uow: GovernanceJobsUoW) -> None:
        jobs.vote_on_chain(
            str(payload["vote_id"]),
            uow=uow,
            chain=deps.chain_writes,
            calls=deps.governance_calls,
            custody=deps.custody,
        )

    def execute(payload: dict[str, JSON], uow: GovernanceJobsUoW) -> None:
        jobs.execute_on_chain(
            str(payload["proposal_id"]),
            uow=uow,
            chain=deps.chain_writes,
            calls=deps.governance_calls,
        )

    return {
        "governance.propose": OwnTransactions(propose),
        "governance.vote": OwnTransactions(vote),
        "governance.execute": OwnTransactions(execute),
    }
