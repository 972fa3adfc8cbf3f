"""Jobs leave through the transactional outbox: sent only when their transaction commits,
never lost after it, run once however often the broker delivers them."""

from __future__ import annotations

import threading
import time

import dramatiq
import pytest
import sqlalchemy as sa

from app.adapters.sql.uow import SqlUnitOfWork
from app.adapters.tasks.dramatiq_queue import QUEUE
from app.domain.shared.audit import AuditRecord
from app.domain.shared.jobs import Job
from app.main.background import relay_forever
from tests.conftest import REDIS_URL, require

JOB = "probe.count"


@pytest.fixture(params=["stub", "redis"])
def broker_kind(request: pytest.FixtureRequest) -> str:
    if request.param == "redis":
        require("redis", REDIS_URL)
    return str(request.param)


@pytest.fixture
def counted(make_platform, broker_kind):
    """A platform whose one job handler counts its runs in memory and in the audit log."""
    runs: list[str] = []
    lock = threading.Lock()

    def handler(payload, uow):
        with lock:
            runs.append(str(payload["n"]))
        uow.audit(AuditRecord("probe.ran", "probe", str(payload["n"]), None))

    redis_url = REDIS_URL if broker_kind == "redis" else None
    platform = make_platform(handlers={JOB: handler}, redis_url=redis_url)
    return platform, runs


def _drain(platform) -> None:
    """Run a worker until the queue is empty, then stop it (a worker 'restart')."""
    worker = dramatiq.Worker(platform.broker, worker_threads=2, worker_timeout=100)
    worker.start()
    try:
        platform.broker.join(QUEUE, timeout=20_000)
        worker.join()
    finally:
        worker.stop()


def _outbox(platform) -> list:
    with platform.db.engine.connect() as conn:
        return list(conn.execute(sa.text("SELECT id, sent_at, done_at, attempts FROM outbox")))


def _audited_runs(platform) -> int:
    with platform.db.engine.connect() as conn:
        return conn.execute(
            sa.text("SELECT count(*) FROM audit_logs WHERE action = 'probe.ran'")
        ).scalar_one()


def test_a_job_enqueued_in_a_rolled_back_transaction_never_runs(counted):
    platform, runs = counted
    with platform.uow() as uow:
        uow.enqueue(Job(JOB, {"n": 1}))
        # no commit: leaving the block rolls back
    platform.flush_outbox()
    _drain(platform)
    assert runs == []
    assert _outbox(platform) == []


def test_a_committed_job_runs_once_even_when_delivered_again(counted):
    platform, runs = counted
    with platform.uow() as uow:
        uow.enqueue(Job(JOB, {"n": 7}))
        uow.commit()  # the after-commit hook sends it at once
    [(job_id, sent_at, done_at, _)] = _outbox(platform)
    assert sent_at is not None
    assert done_at is None

    _drain(platform)
    assert runs == ["7"]

    # The relay crashed after sending but before recording it: the job goes out again,
    # to a freshly started worker.
    with platform.db.engine.begin() as conn:
        conn.execute(sa.text("UPDATE outbox SET sent_at = NULL WHERE id = :id"), {"id": job_id})
    assert platform.flush_outbox() == 1
    _drain(platform)

    assert runs == ["7"]
    assert _audited_runs(platform) == 1
    [(_, _, done_at, attempts)] = _outbox(platform)
    assert done_at is not None
    assert attempts == 1


def test_a_job_committed_just_before_a_crash_is_sent_by_the_periodic_relay(counted):
    platform, runs = counted
    # A unit with no after-commit hook: the process "died" right after COMMIT.
    uow = SqlUnitOfWork(platform.db, clock=platform.clock)
    with uow:
        uow.enqueue(Job(JOB, {"n": 3}))
        uow.commit()
    assert [row.sent_at for row in _outbox(platform)] == [None]

    stop = threading.Event()
    relay = threading.Thread(target=relay_forever, args=(platform, stop), daemon=True)
    relay.start()
    deadline = time.monotonic() + 10
    while _outbox(platform)[0].sent_at is None and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set()
    relay.join()
    _drain(platform)
    assert runs == ["3"]


def test_a_failing_job_is_retried_and_its_error_kept(make_platform):
    attempts: list[int] = []

    def flaky(payload, uow):
        attempts.append(1)
        if len(attempts) == 1:
            raise ConnectionError("peer not ready")
        uow.audit(AuditRecord("probe.ran", "probe", "x", None))

    platform = make_platform(handlers={JOB: flaky})
    platform.broker.actors[JOB].options["min_backoff"] = 10
    platform.broker.actors[JOB].options["max_backoff"] = 20
    with platform.uow() as uow:
        uow.enqueue(Job(JOB, {}))
        uow.commit()
    worker = dramatiq.Worker(platform.broker, worker_timeout=50)
    worker.start()
    try:
        platform.broker.join(QUEUE, timeout=20_000, fail_fast=False)
        worker.join()
    finally:
        worker.stop()
    assert len(attempts) == 2
    [(_, _, done_at, count)] = _outbox(platform)
    assert done_at is not None
    assert count == 2
    assert _audited_runs(platform) == 1
