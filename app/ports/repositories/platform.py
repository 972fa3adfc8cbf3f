"""Repositories of the platform kernel: the audit chain and the job outbox."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Protocol

from app.domain.shared.audit import AuditEntry, AuditQuery, ChainHead
from app.domain.shared.jobs import OutboxRecord
from app.ports.uow import UnitOfWork


class AuditRepository(Protocol):
    def head(self) -> ChainHead | None:
        """The recorded head of the chain (length and last hash)."""
        ...

    def iter_entries(self) -> Iterator[AuditEntry]:
        """Every entry in sequence order, streamed."""
        ...

    def search(self, query: AuditQuery, offset: int, limit: int) -> tuple[list[AuditEntry], int]:
        """Matching entries, newest first, and how many match in all."""
        ...


class OutboxRepository(Protocol):
    def get_for_update(self, job_id: str) -> OutboxRecord | None:
        """The job, locked until the end of the transaction."""
        ...

    def claim_unsent(self, limit: int) -> list[OutboxRecord]:
        """Oldest jobs not yet sent, locked (skipping ones another relay holds)."""
        ...

    def mark_sent(self, job_ids: list[str], at: datetime) -> None: ...

    def mark_done(self, job_id: str, at: datetime) -> None: ...

    def record_failure(self, job_id: str, error: str) -> None: ...


class PlatformUoW(UnitOfWork, Protocol):
    @property
    def audit_log(self) -> AuditRepository: ...

    @property
    def outbox(self) -> OutboxRepository: ...
