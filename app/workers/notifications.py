"""Jobs of notifications: one per event it listens to (`notifications.on_<event>`,
recording that event's notifications in the job's transaction), and the delivery of one
notification on one channel (`notifications.deliver`)."""

from __future__ import annotations

from app.domain.notifications import jobs
from app.domain.notifications.triggers import RESOLVERS
from app.domain.platform.jobs import JobHandler
from app.domain.shared.json import JSON
from app.ports.repositories.notifications import NotificationsUoW
from app.workers.deps import WorkerDeps


def job_name(event_name: str) -> str:
    return f"notifications.on_{event_name}"


# Every event notifications has a resolver for: those no module publishes yet simply
# never arrive (see the README's list of wired triggers).
SUBSCRIPTIONS: dict[str, list[str]] = {event: [job_name(event)] for event in RESOLVERS}


def handlers(deps: WorkerDeps) -> dict[str, JobHandler[NotificationsUoW]]:
    def on(event_name: str) -> JobHandler[NotificationsUoW]:
        def record(payload: dict[str, JSON], uow: NotificationsUoW) -> None:
            jobs.record_event(
                event_name, payload, uow=uow, outlets=deps.notify_outlets, clock=deps.clock
            )

        return record

    def deliver(payload: dict[str, JSON], uow: NotificationsUoW) -> None:
        jobs.deliver(
            str(payload["delivery_id"]), uow=uow, outlets=deps.notify_outlets, clock=deps.clock
        )

    return {
        **{job_name(event): on(event) for event in RESOLVERS},
        jobs.DELIVER_JOB: deliver,
    }
