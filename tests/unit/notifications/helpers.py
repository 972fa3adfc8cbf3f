"""Running an event's notification job and the deliveries it asks for, as workers do."""

from __future__ import annotations

from app.domain.notifications import jobs
from app.domain.notifications.jobs import Outlets
from app.domain.shared.json import JSON
from tests.fakes.clock import FakeClock
from tests.fakes.notifications import FakeNotificationsUnitOfWork

STATUS_EVENT: dict[str, JSON] = {
    "event_id": "ev-1",
    "project_id": "p1",
    "organization_id": "org-1",
    "from_status": "submitted",
    "to_status": "approved",
    "actor_id": "rev",
    "reason": None,
}


def run_event(
    name: str,
    payload: dict[str, JSON],
    uow: FakeNotificationsUnitOfWork,
    outlets: Outlets,
    clock: FakeClock,
) -> int:
    """The event's job: its notifications committed, then each delivery job run."""
    with uow:
        count = jobs.record_event(name, payload, uow=uow, outlets=outlets, clock=clock)
        uow.commit()
    run_deliveries(uow, outlets, clock)
    return count


def run_deliveries(uow: FakeNotificationsUnitOfWork, outlets: Outlets, clock: FakeClock) -> None:
    for job in list(uow.outbox.jobs.values()):
        if job.name == jobs.DELIVER_JOB and job.done_at is None:
            jobs.deliver(str(job.payload["delivery_id"]), uow=uow, outlets=outlets, clock=clock)
            job.done_at = clock.now()
