"""Jobs of certificates: issue a retirement's certificate once it is confirmed (the
indexer's `credits.retirement_confirmed`); the periodic sweep catches up the rest."""

from __future__ import annotations

from app.domain.certificates import jobs
from app.domain.platform.jobs import JobHandler
from app.domain.shared.json import JSON
from app.ports.repositories.certificates import CertificatesUoW
from app.workers.deps import WorkerDeps


def handlers(deps: WorkerDeps) -> dict[str, JobHandler[CertificatesUoW]]:
    def issue(payload: dict[str, JSON], uow: CertificatesUoW) -> None:
        jobs.issue_certificate(
            str(payload["retirement_id"]), uow=uow, issuer=deps.certificate_issuer
        )

    return {"certificates.issue": issue}
