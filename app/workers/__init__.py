"""The second driving side: background job handlers, one module per business module.

A handler is `handler(payload, uow)`: thin, it reads ids from the payload and calls a
service with the unit of work it is given (`run_job` owns that transaction and marks
the job done in it, so a second delivery is a no-op). Each module's `handlers(deps)`
adds its jobs; `EVENT_SUBSCRIPTIONS` maps domain events to job names. The bootstrap
declares one Dramatiq actor per job name."""

from __future__ import annotations

from app.domain.platform.jobs import JobHandler
from app.workers import auth, credits, poai
from app.workers.deps import WorkerDeps

EVENT_SUBSCRIPTIONS: dict[str, list[str]] = {
    "projects.status_changed": ["poai.on_project_status"],
}


def job_handlers(deps: WorkerDeps) -> dict[str, JobHandler]:
    return {**auth.handlers(deps), **credits.handlers(deps), **poai.handlers(deps)}
