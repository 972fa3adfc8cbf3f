"""The second driving side: background job handlers, one module per business module.

A handler is `handler(payload, uow)`: thin, it reads ids from the payload and calls a
service with the unit of work it is given (`run_job` owns that transaction and marks
the job done in it, so a second delivery is a no-op). Each module's `handlers(deps)`
adds its jobs, typed by the unit of work they need; `EVENT_SUBSCRIPTIONS` maps domain
events to job names. The bootstrap declares one Dramatiq actor per job name."""

from __future__ import annotations

from typing import Protocol

from app.domain.governance.jobs import GovernanceJobsUoW
from app.domain.marketplace.jobs import MarketChainUoW
from app.domain.platform.jobs import JobHandler
from app.ports.repositories.auth import AuthUoW
from app.ports.repositories.certificates import CertificatesUoW
from app.ports.repositories.notifications import NotificationsUoW
from app.ports.repositories.payments import PaymentsUoW
from app.ports.repositories.reports import ReportsUoW
from app.workers import (
    auth,
    certificates,
    credits,
    governance,
    marketplace,
    notifications,
    payments,
    poai,
    reports,
)
from app.workers.credits import CreditJobsUoW
from app.workers.deps import WorkerDeps
from app.workers.poai import PoaiJobsUoW

EVENT_SUBSCRIPTIONS: dict[str, list[str]] = {
    "projects.status_changed": ["poai.on_project_status"],
    "reports.report_ready": ["reports.email_link"],
    "credits.retirement_confirmed": ["certificates.issue"],
}
for _event, _jobs in notifications.SUBSCRIPTIONS.items():  # every event it has a resolver for
    EVENT_SUBSCRIPTIONS.setdefault(_event, []).extend(_jobs)


class JobsUoW(
    ReportsUoW,
    PoaiJobsUoW,
    CertificatesUoW,
    NotificationsUoW,
    AuthUoW,
    CreditJobsUoW,
    MarketChainUoW,
    PaymentsUoW,
    GovernanceJobsUoW,
    Protocol,
):
    """The unit of work that runs every module's jobs."""


def job_handlers(deps: WorkerDeps) -> dict[str, JobHandler[JobsUoW]]:
    return {
        **auth.handlers(deps),
        **credits.handlers(deps),
        **poai.handlers(deps),
        **marketplace.handlers(deps),
        **payments.handlers(deps),
        **reports.handlers(deps),
        **certificates.handlers(deps),
        **notifications.handlers(deps),
        **governance.handlers(deps),
    }
