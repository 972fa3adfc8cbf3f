"""In-memory adapters of the platform kernel ports."""

from __future__ import annotations

import copy
from collections.abc import Iterator, Sequence
from datetime import datetime
from types import TracebackType
from typing import Self

from app.domain.shared.audit import (
    GENESIS_HASH,
    AuditEntry,
    AuditQuery,
    AuditRecord,
    ChainHead,
    seal,
)
from app.domain.shared.events import DomainEvent
from app.domain.shared.jobs import Job, OutboxRecord
from tests.fakes.auth import (
    FakeApiKeyRepository,
    FakeLoginFailureRepository,
    FakeNonceRepository,
    FakeOrganizationRepository,
    FakeSessionRepository,
    FakeTokenRepository,
    FakeUserRepository,
)
from tests.fakes.clock import FakeClock
from tests.fakes.projects import FakeProjectRepository


class FakeAuditRepository:
    def __init__(self) -> None:
        self.entries: list[AuditEntry] = []
        self.recorded_head: ChainHead | None = None

    def head(self) -> ChainHead | None:
        return self.recorded_head

    def iter_entries(self) -> Iterator[AuditEntry]:
        return iter(list(self.entries))

    def search(self, query: AuditQuery, offset: int, limit: int) -> tuple[list[AuditEntry], int]:
        def keep(e: AuditEntry) -> bool:
            pairs = [
                (query.action, e.action),
                (query.entity_type, e.entity_type),
                (query.entity_id, e.entity_id),
                (query.actor_id, e.actor_id),
            ]
            if any(wanted is not None and wanted != got for wanted, got in pairs):
                return False
            orgs = query.organization_ids
            return orgs is None or e.organization_id in orgs

        found = [e for e in reversed(self.entries) if keep(e)]
        return found[offset : offset + limit], len(found)

    def append(self, records: Sequence[AuditRecord], at: datetime) -> None:
        head = self.recorded_head or ChainHead(0, GENESIS_HASH)
        entries, self.recorded_head = seal(records, head, at=at, request_id=None)
        self.entries.extend(entries)


class FakeOutboxRepository:
    def __init__(self) -> None:
        self.jobs: dict[str, OutboxRecord] = {}

    def add(self, jobs: Sequence[Job], at: datetime) -> None:
        for job in jobs:
            self.jobs[job.id] = OutboxRecord(job.id, job.name, job.payload, at)

    def get_for_update(self, job_id: str) -> OutboxRecord | None:
        return self.jobs.get(job_id)

    def claim_unsent(self, limit: int) -> list[OutboxRecord]:
        unsent = [j for j in self.jobs.values() if j.sent_at is None]
        return sorted(unsent, key=lambda j: j.created_at)[:limit]

    def mark_sent(self, job_ids: list[str], at: datetime) -> None:
        for job_id in job_ids:
            self.jobs[job_id].sent_at = at

    def mark_done(self, job_id: str, at: datetime) -> None:
        self.jobs[job_id].done_at = at
        self.jobs[job_id].attempts += 1

    def record_failure(self, job_id: str, error: str) -> None:
        self.jobs[job_id].attempts += 1
        self.jobs[job_id].last_error = error


class FakeUnitOfWork:
    """Keeps committed state in the repositories; a rollback restores the last commit.

    Entered again while open, it joins the open unit as the SQL unit of work does: the
    inner `commit()` commits nothing (the outermost one commits the work of both), and
    leaving the inner `with` rolls nothing back, even on an exception."""

    def __init__(self, clock: FakeClock | None = None) -> None:
        self.clock = clock or FakeClock()
        self.audit_log = FakeAuditRepository()
        self.outbox = FakeOutboxRepository()
        self.users = FakeUserRepository()
        self.organizations = FakeOrganizationRepository()
        self.sessions = FakeSessionRepository()
        self.tokens = FakeTokenRepository()
        self.nonces = FakeNonceRepository()
        self.api_keys = FakeApiKeyRepository()
        self.login_failures = FakeLoginFailureRepository()
        self.projects = FakeProjectRepository()
        self.subscriptions: dict[str, list[str]] = {}
        self.dispatched: list[DomainEvent] = []
        self.request_id: str | None = None
        self.commits = 0
        self._depth = 0
        self._snapshot = self._take()
        self._pending: tuple[list[AuditRecord], list[DomainEvent], list[Job]] = ([], [], [])

    REPOSITORIES: tuple[str, ...] = (
        "audit_log",
        "outbox",
        "users",
        "organizations",
        "sessions",
        "tokens",
        "nonces",
        "api_keys",
        "login_failures",
        "projects",
    )

    def _take(self) -> dict[str, object]:
        # One copy of them all, so repositories that share state still share it after it.
        return copy.deepcopy({name: getattr(self, name) for name in self.REPOSITORIES})

    def __enter__(self) -> Self:
        if self._depth == 0:
            self._snapshot = self._take()
            self._pending = ([], [], [])
        self._depth += 1
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._depth -= 1
        if self._depth == 0:
            self.rollback()

    def audit(self, record: AuditRecord) -> None:
        self._pending[0].append(record)

    def publish(self, event: DomainEvent) -> None:
        self._pending[1].append(event)

    def enqueue(self, job: Job) -> None:
        self._pending[2].append(job)

    def commit(self) -> None:
        if self._depth > 1:  # joined an outer unit: it commits for both
            return
        records, events, jobs = self._pending
        jobs = jobs + [
            Job(name, e.payload()) for e in events for name in self.subscriptions.get(e.name, [])
        ]
        self.outbox.add(jobs, self.clock.now())
        if records:
            self.audit_log.append(records, self.clock.now())
        self.dispatched.extend(events)
        self.commits += 1
        self._snapshot = self._take()
        self._pending = ([], [], [])

    def rollback(self) -> None:
        # The snapshot itself becomes the state: outside a unit nothing writes, and the next
        # unit takes a fresh snapshot as it opens (`__enter__`). Inside one, keep a copy to
        # go back to again.
        for name, repository in self._snapshot.items():
            setattr(self, name, repository)
        if self._depth:
            self._snapshot = self._take()
        self._pending = ([], [], [])


class FakeTaskQueue:
    def __init__(self, fail_after: int | None = None) -> None:
        self.sent: list[str] = []
        self.fail_after = fail_after

    def send(self, job: OutboxRecord) -> None:
        if self.fail_after is not None and len(self.sent) >= self.fail_after:
            raise ConnectionError("broker unreachable")
        self.sent.append(job.id)


class FakeProbe:
    def __init__(self, name: str, error: Exception | None = None) -> None:
        self.name = name
        self.error = error

    def check(self) -> None:
        if self.error:
            raise self.error
