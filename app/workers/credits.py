"""Jobs of the credit ledger: chain writes through the operator wallet."""

from __future__ import annotations

from typing import Any

from app.domain.credits import chain_jobs
from app.domain.platform.services import JobHandler
from app.workers.deps import WorkerDeps


def handlers(deps: WorkerDeps) -> dict[str, JobHandler]:
    def mint(payload: dict[str, Any], uow: Any) -> None:
        chain_jobs.mint_on_chain(
            str(payload["batch_id"]),
            str(payload["to"]),
            uow=uow,
            operator=deps.operator,
            project_key=deps.chain_project_key,
            metadata_uri=deps.project_uri,
        )

    def retire(payload: dict[str, Any], uow: Any) -> None:
        chain_jobs.retire_on_chain(str(payload["retirement_id"]), uow=uow, operator=deps.operator)

    return {"credits.mint": mint, "credits.retire": retire}
