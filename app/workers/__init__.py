"""The second driving side: background job handlers, one module per business module.

A handler is `handler(payload, uow)`: thin, it reads ids from the payload and calls a
service with the unit of work it is given (`run_job` owns that transaction and marks
the job done in it, so a second delivery is a no-op). Each module's `handlers(deps)`
adds its jobs, typed by the unit of work they need; `EVENT_SUBSCRIPTIONS` maps domain
events to job names. The bootstrap declares one Dramatiq actor per job name."""

from __future__ import annotations

from typing import Protocol

from app.domain.marketplace.jobs import MarketChainUoW
from app.domain.platform.jobs import JobHandler
from app.ports.repositories.auth import AuthUoW
from app.ports.repositories.notifications import NotificationsUoW
from app.ports.repositories.payments import PaymentsUoW
from app.workers import auth, credits, marketplace, notifications, payments, poai
from app.workers.credits import CreditJobsUoW
from app.workers.deps import WorkerDeps
from app.workers.poai import PoaiJobsUoW

EVENT_SUBSCRIPTIONS: dict[str, list[str]] = {
    "projects.status_changed": ["poai.on_project_status"],
}
for _event, _jobs in notifications.SUBSCRIPTIONS.items():  # every event it has a resolver for
    EVENT_SUBSCRIPTIONS.setdefault(_event, []).extend(_jobs)


class JobsUoW(
    PoaiJobsUoW, NotificationsUoW, AuthUoW, CreditJobsUoW, MarketChainUoW, PaymentsUoW, Protocol
):
    """The unit of work that runs every module's jobs."""


def job_handlers(deps: WorkerDeps) -> dict[str, JobHandler[JobsUoW]]:
    return {
        **auth.handlers(deps),
        **credits.handlers(deps),
        **poai.handlers(deps),
        **marketplace.handlers(deps),
        **payments.handlers(deps),
        **notifications.handlers(deps),
    }
