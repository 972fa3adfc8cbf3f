"""Jobs of reports: building one (its own short units of work: the report is marked
running, written, stored, then ready or failed) and emailing its link once ready, on
`reports.report_ready`."""

from __future__ import annotations

from app.domain.platform.jobs import JobHandler, OwnTransactions
from app.domain.reports import jobs
from app.domain.reports.services import BUILD_JOB
from app.domain.shared.json import JSON
from app.ports.repositories.reports import ReportsUoW
from app.workers.deps import WorkerDeps


def handlers(deps: WorkerDeps) -> dict[str, JobHandler[ReportsUoW]]:
    def build(payload: dict[str, JSON], uow: ReportsUoW) -> None:
        jobs.build_report(
            str(payload["report_id"]),
            uow=uow,
            writer=deps.report_writer,
            storage=deps.storage,
            clock=deps.clock,
        )

    def email(payload: dict[str, JSON], uow: ReportsUoW) -> None:
        jobs.email_link(
            str(payload["report_id"]),
            uow=uow,
            mailer=deps.mailer,
            link_key=deps.storage.link_key,
            base_url=deps.public_base_url,
            clock=deps.clock,
        )

    return {BUILD_JOB: OwnTransactions(build), jobs.EMAIL_JOB: email}
