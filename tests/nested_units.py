"""What a unit of work does when it is entered again while open, written once for the SQL
unit of work (tests/integration) and the fakes (tests/unit): the inner unit joins the
outer transaction. Its `commit()` commits nothing (the outermost commit writes the work
of both, with their audit entries and jobs, and only then are events dispatched);
leaving it rolls nothing back, not even on an exception (there is no savepoint); a
`rollback()` anywhere drops the whole transaction.

Each scenario takes a unit of work (fresh: nothing committed yet) and the list its
dispatched events land in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.domain.platform.services import audit_head
from app.domain.shared.audit import AuditRecord
from app.domain.shared.events import DomainEvent
from app.domain.shared.jobs import Job
from app.ports.repositories.indexer import IndexerUoW


@dataclass(frozen=True)
class Happened(DomainEvent):
    name = "tests.happened"
    step: str = ""


@dataclass(frozen=True)
class Work:
    block: int
    job: Job
    step: str


def _work(uow: IndexerUoW, block: int, step: str) -> Work:
    """A write, an audit entry, a job and an event: everything a unit carries."""
    job = Job(f"tests.{step}", {})
    uow.indexer.record_blocks({block: f"0x{block:064x}"})
    uow.audit(AuditRecord(f"tests.{step}", "thing", "t1", None))
    uow.enqueue(job)
    uow.publish(Happened(step))
    return Work(block, job, step)


def _assert_kept(
    uow: IndexerUoW, dispatched: list[DomainEvent], *, tried: list[Work], kept: list[Work]
) -> None:
    """Of the work `tried`, exactly the work `kept` was committed (and its events sent)."""
    with uow:
        blocks = sorted(n for n, _ in uow.indexer.recent_blocks(100))
        jobs = [w.job for w in tried if uow.outbox.get_for_update(w.job.id) is not None]
        entries = audit_head(audit_log=uow.audit_log).length
    assert blocks == sorted(w.block for w in kept)
    assert jobs == [w.job for w in kept]
    assert entries == len(kept)
    assert dispatched == [Happened(w.step) for w in kept]


def an_inner_commit_commits_nothing_by_itself(
    uow: IndexerUoW, dispatched: list[DomainEvent]
) -> None:
    with uow:
        outer = _work(uow, 1, "outer")
        with uow:
            inner = _work(uow, 2, "inner")
            uow.commit()
        assert dispatched == []
    _assert_kept(uow, dispatched, tried=[outer, inner], kept=[])


def the_outer_commit_writes_the_work_of_both(
    uow: IndexerUoW, dispatched: list[DomainEvent]
) -> None:
    with uow:
        outer = _work(uow, 1, "outer")
        with uow:
            inner = _work(uow, 2, "inner")
            uow.commit()
        uow.commit()
    _assert_kept(uow, dispatched, tried=[outer, inner], kept=[outer, inner])


def an_inner_unit_that_raises_rolls_nothing_back(
    uow: IndexerUoW, dispatched: list[DomainEvent]
) -> None:
    with uow:
        try:
            with uow:
                inner = _work(uow, 2, "inner")
                raise RuntimeError("the inner use case failed")
        except RuntimeError:
            pass
        outer = _work(uow, 3, "outer")
        uow.commit()
    _assert_kept(uow, dispatched, tried=[inner, outer], kept=[inner, outer])


def a_rollback_inside_drops_the_outer_work_too(
    uow: IndexerUoW, dispatched: list[DomainEvent]
) -> None:
    with uow:
        first = _work(uow, 1, "first")
        with uow:
            inner = _work(uow, 2, "inner")
            uow.rollback()
        last = _work(uow, 3, "last")
        uow.commit()
    _assert_kept(uow, dispatched, tried=[first, inner, last], kept=[last])


def the_next_unit_starts_from_what_was_committed(
    uow: IndexerUoW, dispatched: list[DomainEvent]
) -> None:
    with uow:
        kept = _work(uow, 1, "kept")
        uow.commit()
        dropped = _work(uow, 2, "dropped")  # after the commit, never committed
    with uow:
        with uow:
            again = _work(uow, 3, "again")
            uow.commit()
        uow.commit()
    _assert_kept(uow, dispatched, tried=[kept, dropped, again], kept=[kept, again])


SCENARIOS: list[Callable[[IndexerUoW, list[DomainEvent]], None]] = [
    an_inner_commit_commits_nothing_by_itself,
    the_outer_commit_writes_the_work_of_both,
    an_inner_unit_that_raises_rolls_nothing_back,
    a_rollback_inside_drops_the_outer_work_too,
    the_next_unit_starts_from_what_was_committed,
]
