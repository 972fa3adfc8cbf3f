"""Jobs of the credit ledger: chain writes through the operator wallet, each in short
units of work of its own (see `OwnTransactions`)."""

from __future__ import annotations

from typing import Protocol

from app.domain.credits import jobs
from app.domain.credits.jobs import ChainJobsUoW
from app.domain.platform.jobs import JobHandler, OwnTransactions
from app.domain.poai.proofs import signed_bundle_hash
from app.domain.shared.json import JSON
from app.ports.repositories.poai import ProofsUoW
from app.workers.deps import WorkerDeps


class CreditJobsUoW(ChainJobsUoW, ProofsUoW, Protocol):
    """The ledger's chain jobs, and the signed PoAI proof they anchor."""


def bundle_hash_of(project_id: str, uow: ProofsUoW) -> bytes | None:
    return signed_bundle_hash(project_id, uow=uow)


def handlers(deps: WorkerDeps) -> dict[str, JobHandler[CreditJobsUoW]]:
    def mint(payload: dict[str, JSON], uow: CreditJobsUoW) -> None:
        jobs.mint_on_chain(
            str(payload["batch_id"]),
            str(payload["to"]),
            uow=uow,
            chain=deps.chain_writes,
            bundle_hash_of=bundle_hash_of,
            project_key=deps.chain_project_key,
            metadata_uri=deps.project_uri,
        )

    def retire(payload: dict[str, JSON], uow: ChainJobsUoW) -> None:
        jobs.retire_on_chain(str(payload["retirement_id"]), uow=uow, chain=deps.chain_writes)

    return {"credits.mint": OwnTransactions(mint), "credits.retire": OwnTransactions(retire)}
