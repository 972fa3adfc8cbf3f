"""The unit of work every module's UoW extends: one transaction, plus what must happen
with it (audit entries and outbox jobs in the same commit, events after it)."""

from __future__ import annotations

from types import TracebackType
from typing import Protocol, Self

from app.domain.shared.audit import AuditRecord
from app.domain.shared.events import DomainEvent
from app.domain.shared.jobs import Job


class UnitOfWork(Protocol):
    @property
    def request_id(self) -> str | None:
        """The request (or job) this unit works for, recorded with what it writes."""
        ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Roll back whatever was not committed."""
        ...

    def commit(self) -> None:
        """Write audit entries and outbox jobs, commit, then dispatch events."""
        ...

    def rollback(self) -> None:
        """Drop every change, audit record, job and event of this unit."""
        ...

    def audit(self, record: AuditRecord) -> None:
        """Append an audit entry in this transaction."""
        ...

    def publish(self, event: DomainEvent) -> None:
        """Record a domain event; its subscribed jobs go to the outbox on commit."""
        ...

    def enqueue(self, job: Job) -> None:
        """Ask for background work, sent only if this transaction commits."""
        ...
