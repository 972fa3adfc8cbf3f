import pytest

from app.domain.platform.services import (
    readiness,
    record_job_failure,
    relay_outbox,
    run_job,
    verify_audit_chain,
)
from app.domain.shared.audit import AuditRecord
from app.domain.shared.events import DomainEvent
from app.domain.shared.jobs import Job
from tests.fakes.platform import FakeProbe, FakeTaskQueue, FakeUnitOfWork


class Submitted(DomainEvent):
    name = "things.submitted"


def _enqueue(uow: FakeUnitOfWork, *, commit: bool) -> Job:
    job = Job("things.count", {"thing_id": "t1"})
    with uow:
        uow.enqueue(job)
        if commit:
            uow.commit()
    return job


def test_a_job_from_a_rolled_back_unit_is_never_sent():
    uow, queue = FakeUnitOfWork(), FakeTaskQueue()
    _enqueue(uow, commit=False)
    assert relay_outbox(uow=uow, queue=queue, clock=uow.clock) == 0
    assert queue.sent == []


def test_committed_jobs_are_sent_once_by_the_relay():
    uow, queue = FakeUnitOfWork(), FakeTaskQueue()
    job = _enqueue(uow, commit=True)
    assert relay_outbox(uow=uow, queue=queue, clock=uow.clock) == 1
    assert relay_outbox(uow=uow, queue=queue, clock=uow.clock) == 0
    assert queue.sent == [job.id]


def test_events_become_jobs_of_their_subscribers():
    uow = FakeUnitOfWork()
    uow.subscriptions = {"things.submitted": ["notify.issuer", "poai.open_case"]}
    with uow:
        uow.publish(Submitted())
        uow.commit()
    assert sorted(j.name for j in uow.outbox.jobs.values()) == ["notify.issuer", "poai.open_case"]


def test_a_broker_failure_keeps_unsent_jobs_for_the_next_pass():
    uow, queue = FakeUnitOfWork(), FakeTaskQueue(fail_after=1)
    _enqueue(uow, commit=True)
    _enqueue(uow, commit=True)
    with pytest.raises(ConnectionError):
        relay_outbox(uow=uow, queue=queue, clock=uow.clock)
    assert len(queue.sent) == 1
    queue.fail_after = None
    assert relay_outbox(uow=uow, queue=queue, clock=uow.clock) == 1


def test_a_job_runs_once_however_often_it_is_delivered():
    uow = FakeUnitOfWork()
    job = _enqueue(uow, commit=True)
    runs: list[str] = []

    def handler(payload, job_uow):
        runs.append(str(payload["thing_id"]))
        job_uow.audit(AuditRecord("things.counted", "thing", "t1", None))

    handlers = {"things.count": handler}
    first = run_job(job.id, uow=uow, handlers=handlers, clock=uow.clock)
    second = run_job(job.id, uow=uow, handlers=handlers, clock=uow.clock)
    assert (first.status, second.status) == ("done", "duplicate")
    assert runs == ["t1"]
    assert len(uow.audit_log.entries) == 1


def test_a_failing_handler_leaves_the_job_to_be_retried():
    uow = FakeUnitOfWork()
    job = _enqueue(uow, commit=True)

    def failing(payload, job_uow):
        job_uow.audit(AuditRecord("half.done", "thing", "t1", None))
        raise RuntimeError("peer down")

    with pytest.raises(RuntimeError):
        run_job(job.id, uow=uow, handlers={"things.count": failing}, clock=uow.clock)
    record_job_failure(job.id, "RuntimeError('peer down')", uow=uow)
    stored = uow.outbox.jobs[job.id]
    assert stored.done_at is None
    assert stored.attempts == 1
    assert "peer down" in (stored.last_error or "")
    assert uow.audit_log.entries == []  # the half-done write was rolled back


def test_unknown_jobs_are_reported_not_run():
    uow = FakeUnitOfWork()
    assert run_job("missing", uow=uow, handlers={}, clock=uow.clock).status == "unknown"


def test_audit_records_commit_with_their_unit_and_verify():
    uow = FakeUnitOfWork()
    with uow:
        uow.audit(AuditRecord("a.b", "thing", "t1", "u1"))
        uow.commit()
    with uow:
        uow.audit(AuditRecord("a.c", "thing", "t1", "u1"))  # rolled back
    report = verify_audit_chain(uow=uow)
    assert report.valid
    assert report.length == 1


def test_readiness_reports_each_probe():
    result = readiness([FakeProbe("database"), FakeProbe("broker", ConnectionError("refused"))])
    assert not result.ready
    assert result.checks["database"] == "ok"
    assert "refused" in result.checks["broker"]
