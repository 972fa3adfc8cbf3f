"""Jobs over Dramatiq: an in-process `StubBroker` in the embedded mode, `RedisBroker`
when `REDIS_URL` is set. Each job name is one actor whose only argument is the job id;
the payload stays in the outbox table."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

import dramatiq
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker

from app.domain.shared.jobs import OutboxRecord

log = logging.getLogger(__name__)

QUEUE = "default"
MAX_RETRIES = 8


def stub_broker() -> dramatiq.Broker:
    """The in-process broker of the embedded mode."""
    broker = StubBroker()
    broker.emit_after("process_boot")
    return broker


def redis_broker(url: str, *, namespace: str = "carbon") -> dramatiq.Broker:
    return RedisBroker(url=url, namespace=namespace)


class DramatiqTaskQueue:
    def __init__(self, broker: dramatiq.Broker, queue_name: str = QUEUE) -> None:
        self._broker = broker
        self._queue = queue_name

    def send(self, job: OutboxRecord) -> None:
        message: dramatiq.Message[None] = dramatiq.Message(
            queue_name=self._queue, actor_name=job.name, args=(job.id,), kwargs={}, options={}
        )
        self._broker.enqueue(message)


def declare_job_actors(
    broker: dramatiq.Broker, names: Iterable[str], run: Callable[[str], None]
) -> None:
    """One actor per job name, each running `run(job_id)`; retried with backoff on error."""
    for name in names:
        if name in broker.actors:
            continue

        def perform(job_id: str) -> None:
            run(job_id)

        perform.__name__ = name.replace(".", "_")
        dramatiq.Actor(
            perform,
            broker=broker,
            actor_name=name,
            queue_name=QUEUE,
            priority=0,
            options={"max_retries": MAX_RETRIES},
        )


class EmbeddedWorker:
    """A Dramatiq worker in threads of this process (the embedded default)."""

    def __init__(self, broker: dramatiq.Broker, threads: int = 2) -> None:
        self._worker = dramatiq.Worker(broker, worker_threads=threads, worker_timeout=200)

    def start(self) -> None:
        self._worker.start()

    def stop(self) -> None:
        self._worker.stop()


class BrokerProbe:
    name = "broker"

    def __init__(self, broker: dramatiq.Broker) -> None:
        self._broker = broker

    def check(self) -> None:
        if isinstance(self._broker, RedisBroker):
            self._broker.client.ping()


def declare_periodic_actor(
    broker: dramatiq.Broker, name: str, work: Callable[[], object], every_seconds: float
) -> dramatiq.Actor[[], None]:
    """An actor that does `work` and sends itself again `every_seconds` later. Each worker
    process starts one chain on boot; `work` must tolerate running concurrently (the
    indexer serializes on its checkpoint row)."""

    def tick() -> None:
        try:
            work()
        finally:
            actor.send_with_options(delay=int(every_seconds * 1000))

    tick.__name__ = name.replace(".", "_")
    actor: dramatiq.Actor[[], None] = dramatiq.Actor(
        tick,
        broker=broker,
        actor_name=name,
        queue_name="periodic",
        priority=0,
        options={"max_retries": 0},
    )
    return actor
