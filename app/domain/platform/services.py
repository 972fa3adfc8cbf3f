"""Use cases of the platform kernel: the outbox relay, running jobs once, the audit
chain check and readiness."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import TypeVar

from app.domain.platform.errors import UnknownJob
from app.domain.platform.jobs import JobHandler, OwnTransactions
from app.domain.platform.model import JobOutcome, Readiness
from app.domain.shared.audit import GENESIS_HASH, ChainHead, ChainReport, verify_chain
from app.ports.clock import Clock
from app.ports.health import HealthProbe
from app.ports.repositories.platform import AuditRepository, PlatformUoW
from app.ports.tasks import TaskQueue

log = logging.getLogger(__name__)

U = TypeVar("U", bound=PlatformUoW)


def relay_outbox(*, uow: PlatformUoW, queue: TaskQueue, clock: Clock, limit: int = 100) -> int:
    """Send committed, unsent jobs to the broker; returns how many were sent.

    A crash between sending and recording it sends the job again later; `run_job`
    makes that harmless."""
    with uow:
        jobs = uow.outbox.claim_unsent(limit)
        sent: list[str] = []
        try:
            for job in jobs:
                queue.send(job)
                sent.append(job.id)
        finally:
            if sent:
                uow.outbox.mark_sent(sent, clock.now())
                uow.commit()
    return len(sent)


def run_job(
    job_id: str, *, uow: U, handlers: Mapping[str, JobHandler[U]], clock: Clock
) -> JobOutcome:
    """Run an outbox job at most once: the job row is locked, its handler's writes and the
    `done` mark commit together, and a second delivery finds it done and does nothing.
    A handler wrapped in `OwnTransactions` runs after the job's unit is closed, and the
    job is marked done in a unit of its own once the handler returns."""
    with uow:
        job = uow.outbox.get_for_update(job_id)
        if job is None:
            log.warning("job %s is not in the outbox", job_id)
            return JobOutcome(job_id, "unknown")
        if job.done_at is not None:
            return JobOutcome(job_id, "duplicate")
        handler = handlers.get(job.name)
        if handler is None:
            raise UnknownJob(job.name)
        if not isinstance(handler, OwnTransactions):
            handler(job.payload, uow)
            uow.outbox.mark_done(job_id, clock.now())
            uow.commit()
            return JobOutcome(job_id, "done")
    handler(job.payload, uow)
    with uow:
        job = uow.outbox.get_for_update(job_id)
        if job is None or job.done_at is not None:
            return JobOutcome(job_id, "duplicate")
        uow.outbox.mark_done(job_id, clock.now())
        uow.commit()
    return JobOutcome(job_id, "done")


def record_job_failure(job_id: str, error: str, *, uow: PlatformUoW) -> None:
    """Keep the last error and the attempt count next to the job, for operators."""
    with uow:
        uow.outbox.record_failure(job_id, error[:2000])
        uow.commit()


def verify_audit_chain(*, uow: PlatformUoW) -> ChainReport:
    """Recompute every link of the audit chain and compare the end with the recorded head."""
    with uow:
        return verify_chain(uow.audit_log.iter_entries(), uow.audit_log.head())


def audit_head(*, audit_log: AuditRepository) -> ChainHead:
    """The chain's current length and last hash (genesis when empty)."""
    return audit_log.head() or ChainHead(0, GENESIS_HASH)


def readiness(probes: Sequence[HealthProbe]) -> Readiness:
    """Ask each probe; a probe that raises makes the platform not ready."""
    checks: dict[str, str] = {}
    for probe in probes:
        try:
            probe.check()
            checks[probe.name] = "ok"
        except Exception as exc:  # a probe may fail in any way; we report, not crash
            checks[probe.name] = f"error: {type(exc).__name__}: {exc}"[:300]
    return Readiness(all(v == "ok" for v in checks.values()), checks)
