"""The composition root: reads settings, picks each adapter, wires the use cases.

Nothing else constructs adapters. HTTP views reach this object through
`app.http.common.deps`; workers get it from `app.main.worker`."""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

import dramatiq
import redis

from app.adapters.crypto import eth_signatures
from app.adapters.notifications.mailers import LogMailer, SmtpMailer, SmtpProbe
from app.adapters.redis.revocation import RedisRevocationList
from app.adapters.security.passwords import Argon2PasswordHasher
from app.adapters.sql.database import Database, DatabaseProbe
from app.adapters.sql.reads import SqlReads, sql_reads
from app.adapters.sql.revocation import SqlRevocationList
from app.adapters.sql.uow import SqlUnitOfWork
from app.adapters.tasks.dramatiq_queue import (
    BrokerProbe,
    DramatiqTaskQueue,
    declare_job_actors,
    make_broker,
)
from app.domain.auth.policy import AuthPolicy
from app.domain.platform import services as platform_services
from app.domain.platform.services import JobHandler
from app.domain.shared.events import DomainEvent
from app.domain.shared.jobs import Job
from app.main.config import Settings
from app.ports.health import HealthProbe
from app.ports.notifier import Mailer
from app.ports.revocation import RevocationList
from app.workers import EVENT_SUBSCRIPTIONS, job_handlers

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

    def __post_init__(self) -> None:
        settings = self.settings
        self.queue = DramatiqTaskQueue(self.broker)
        self.hasher = Argon2PasswordHasher(fast=settings.password_hash_fast)
        self.auth_policy = AuthPolicy(
            public_base_url=settings.public_base_url,
            chain_id=settings.chain_id,
            token_key=hashlib.sha256(b"one-time-tokens\0" + settings.secret_key.encode()).digest(),
        )
        self.signatures = eth_signatures.EthSignatureVerifier()
        self.checksum_address = eth_signatures.checksum_address
        self.is_checksum_address = eth_signatures.is_checksum_address
        self.mailer: Mailer = _mailer(settings)
        self.revocations: RevocationList = _revocations(settings, self.db)

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
        subscriptions={
            **EVENT_SUBSCRIPTIONS,
            **{k: list(v) for k, v in (subscriptions or {}).items()},
        },
    )
    platform.handlers = {**job_handlers(platform), **(handlers or {})}
    platform.probes = [DatabaseProbe(db), BrokerProbe(broker)]
    if settings.smtp_host:
        platform.probes.append(SmtpProbe(settings.smtp_host, settings.smtp_port))
    platform.declare_actors()
    return platform


def _mailer(settings: Settings) -> Mailer:
    if not settings.smtp_host:
        return LogMailer()
    return SmtpMailer(
        settings.smtp_host,
        settings.smtp_port,
        settings.mail_from,
        username=settings.smtp_username,
        password=settings.smtp_password,
        starttls=settings.smtp_starttls,
    )


def _revocations(settings: Settings, db: Database) -> RevocationList:
    if settings.redis_url:
        client = redis.Redis.from_url(settings.redis_url)
        return RedisRevocationList(client, namespace=settings.dramatiq_namespace)
    return SqlRevocationList(db)


def _broker(settings: Settings) -> dramatiq.Broker:
    return make_broker(settings.redis_url, namespace=settings.dramatiq_namespace)
