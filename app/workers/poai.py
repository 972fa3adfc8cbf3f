"""Jobs of PoAI review: open the case on submission, run the automated checks, issue
the signed proof on approval and anchor it on chain."""

from __future__ import annotations

from typing import Protocol

from app.domain.credits.jobs import register_project_on_chain
from app.domain.platform.jobs import JobHandler, OwnTransactions
from app.domain.poai import automated, jobs, services
from app.domain.shared.json import JSON
from app.ports.repositories.poai import PoaiUoW
from app.workers.credits import CreditJobsUoW, bundle_hash_of
from app.workers.deps import WorkerDeps


class PoaiJobsUoW(PoaiUoW, CreditJobsUoW, Protocol):
    """Review, and anchoring the approved case's proof through the ledger."""


def handlers(deps: WorkerDeps) -> dict[str, JobHandler[PoaiJobsUoW]]:
    def on_project_status(payload: dict[str, JSON], uow: PoaiUoW) -> None:
        if payload.get("to_status") == "submitted":
            services.open_case(str(payload["project_id"]), uow=uow, clock=deps.clock)

    def run_checks(payload: dict[str, JSON], uow: PoaiUoW) -> None:
        automated.run_automated_checks(
            str(payload["case_id"]),
            uow=uow,
            storage=deps.storage,
            geometry=deps.geometry,
            clock=deps.clock,
        )

    def issue_proof(payload: dict[str, JSON], uow: PoaiUoW) -> None:
        jobs.issue_proof(
            str(payload["case_id"]),
            uow=uow,
            storage=deps.storage,
            signer=deps.signer,
            clock=deps.clock,
        )

    def anchor(payload: dict[str, JSON], uow: PoaiJobsUoW) -> None:
        with uow:
            case = uow.poai.get_case(str(payload["case_id"]))
        if case is None:
            return
        register_project_on_chain(
            case.project_id,
            uow=uow,
            chain=deps.chain_writes,
            bundle_hash_of=bundle_hash_of,
            project_key=deps.chain_project_key,
            metadata_uri=deps.project_uri,
        )

    return {
        "poai.on_project_status": on_project_status,
        "poai.run_checks": run_checks,
        "poai.issue_proof": issue_proof,
        "poai.anchor": OwnTransactions(anchor),
    }
