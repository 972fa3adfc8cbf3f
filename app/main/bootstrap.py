"""The composition root: reads settings, picks each adapter, wires the use cases.

Nothing else constructs adapters. HTTP views reach this object through
`app.http.common.deps`; workers get it from `app.main.worker`."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

import dramatiq

from app.adapters.sql.database import Database, DatabaseProbe
from app.adapters.sql.reads import SqlReads, sql_reads
from app.adapters.sql.uow import SqlUnitOfWork
from app.adapters.tasks.dramatiq_queue import (
    BrokerProbe,
    DramatiqTaskQueue,
    declare_job_actors,
    make_broker,
)
from app.domain.platform import services as platform_services
from app.domain.platform.services import JobHandler
from app.domain.shared.events import DomainEvent
from app.domain.shared.jobs import Job
from app.main.config import Settings
from app.ports.health import HealthProbe
from app.workers import EVENT_SUBSCRIPTIONS, JOB_HANDLERS

log = logging.getLogger(__name__)


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class Platform:
    settings: Settings
    db: Database
    broker: dramatiq.Broker
    clock: SystemClock = field(default_factory=SystemClock)
    handlers: dict[str, JobHandler] = field(default_factory=dict)
    subscriptions: dict[str, list[str]] = field(default_factory=dict)
    probes: list[HealthProbe] = field(default_factory=list)
    _relay_wakeup: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self.queue = DramatiqTaskQueue(self.broker)

    def uow(self, request_id: str | None = None) -> SqlUnitOfWork:
        return SqlUnitOfWork(
            self.db,
            clock=self.clock,
            subscriptions=self.subscriptions,
            after_commit=self._after_commit,
            request_id=request_id,
        )

    @contextmanager
    def reads(self) -> Iterator[SqlReads]:
        with sql_reads(self.db) as reads:
            yield reads

    def _after_commit(self, _events: Sequence[DomainEvent], jobs: Sequence[Job]) -> None:
        if jobs:
            self.flush_outbox()

    def flush_outbox(self) -> int:
        """Send committed jobs now; a failure leaves them for the periodic relay."""
        try:
            return platform_services.relay_outbox(
                uow=self.uow(), queue=self.queue, clock=self.clock
            )
        except Exception:
            log.exception("outbox relay failed; jobs stay queued for the next pass")
            return 0

    def run_job(self, job_id: str) -> None:
        try:
            platform_services.run_job(
                job_id,
                uow=self.uow(request_id=f"job:{job_id}"),
                handlers=self.handlers,
                clock=self.clock,
            )
        except Exception as exc:
            platform_services.record_job_failure(job_id, repr(exc), uow=self.uow())
            raise

    def declare_actors(self) -> None:
        declare_job_actors(self.broker, self.handlers, self.run_job)

    def relay_forever(self, stop: threading.Event) -> None:
        """The periodic relay: picks up jobs whose immediate send did not happen."""
        while not stop.is_set():
            while self.flush_outbox() > 0 and not stop.is_set():
                pass
            stop.wait(self.settings.outbox_poll_seconds)

    def close(self) -> None:
        self.db.dispose()
        self.broker.close()


def bootstrap(
    settings: Settings,
    *,
    handlers: Mapping[str, JobHandler] | None = None,
    subscriptions: Mapping[str, Sequence[str]] | None = None,
    broker_factory: Callable[[Settings], dramatiq.Broker] | None = None,
) -> Platform:
    settings.validate()
    db = Database(settings.database_url, pool_size=settings.db_pool_size)
    broker = (broker_factory or _broker)(settings)
    platform = Platform(
        settings=settings,
        db=db,
        broker=broker,
        handlers={**JOB_HANDLERS, **(handlers or {})},
        subscriptions={
            **EVENT_SUBSCRIPTIONS,
            **{k: list(v) for k, v in (subscriptions or {}).items()},
        },
    )
    platform.probes = [DatabaseProbe(db), BrokerProbe(broker)]
    platform.declare_actors()
    return platform


def _broker(settings: Settings) -> dramatiq.Broker:
    return make_broker(settings.redis_url, namespace=settings.dramatiq_namespace)
