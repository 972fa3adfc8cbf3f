"""SQL repositories of the platform kernel: the audit chain and the outbox."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from app.adapters.sql.tables import audit_chain_head, audit_logs, outbox
from app.domain.shared.audit import (
    GENESIS_HASH,
    AuditEntry,
    AuditQuery,
    AuditRecord,
    ChainHead,
    seal,
)
from app.domain.shared.jobs import Job, OutboxRecord

Executor = Session | Connection


class SqlAuditRepository:
    """Reads work on a session or an autocommit connection; `append` needs a session."""

    def __init__(self, db: Executor) -> None:
        self._db = db

    def head(self) -> ChainHead | None:
        row = self._db.execute(
            sa.select(audit_chain_head.c.length, audit_chain_head.c.hash).where(
                audit_chain_head.c.id == 1
            )
        ).first()
        return ChainHead(row.length, row.hash) if row else None

    def iter_entries(self) -> Iterator[AuditEntry]:
        query = sa.select(audit_logs).order_by(audit_logs.c.seq)
        result = self._db.execute(query.execution_options(yield_per=2000))
        for row in result:
            yield _entry(row)

    def search(self, query: AuditQuery, offset: int, limit: int) -> tuple[list[AuditEntry], int]:
        where = _audit_filters(query)
        total = self._db.execute(
            sa.select(sa.func.count()).select_from(audit_logs).where(*where)
        ).scalar_one()
        rows = self._db.execute(
            sa.select(audit_logs)
            .where(*where)
            .order_by(audit_logs.c.seq.desc())
            .offset(offset)
            .limit(limit)
        )
        return [_entry(row) for row in rows], total

    def append(
        self, records: Sequence[AuditRecord], *, at: datetime, request_id: str | None
    ) -> None:
        """Chain and insert records, holding the head row's lock until commit."""
        entries, head = seal(records, self._locked_head(), at=at, request_id=request_id)
        rows = [{**asdict(entry), "occurred_at": entry.occurred_at} for entry in entries]
        self._db.execute(sa.insert(audit_logs), rows)
        self._db.execute(
            sa.update(audit_chain_head)
            .where(audit_chain_head.c.id == 1)
            .values(length=head.length, hash=head.hash)
        )

    def _locked_head(self) -> ChainHead:
        query = sa.select(audit_chain_head.c.length, audit_chain_head.c.hash).where(
            audit_chain_head.c.id == 1
        )
        row = self._db.execute(query.with_for_update()).first()
        if row is None:  # first entry ever: create the head row, then lock it
            self._db.execute(sa.insert(audit_chain_head).values(id=1, length=0, hash=GENESIS_HASH))
            return ChainHead(0, GENESIS_HASH)
        return ChainHead(row.length, row.hash)


def _audit_filters(query: AuditQuery) -> list[sa.ColumnElement[bool]]:
    c = audit_logs.c
    where: list[sa.ColumnElement[bool]] = []
    for column, value in [
        (c.action, query.action),
        (c.entity_type, query.entity_type),
        (c.entity_id, query.entity_id),
        (c.actor_id, query.actor_id),
    ]:
        if value is not None:
            where.append(column == value)
    if query.organization_ids is not None:
        where.append(c.organization_id.in_(query.organization_ids))
    if query.since is not None:
        where.append(c.occurred_at >= query.since)
    if query.until is not None:
        where.append(c.occurred_at < query.until)
    return where


def _entry(row: Any) -> AuditEntry:
    return AuditEntry(
        seq=row.seq,
        id=row.id,
        occurred_at=row.occurred_at,
        action=row.action,
        entity_type=row.entity_type,
        entity_id=row.entity_id,
        actor_id=row.actor_id,
        organization_id=row.organization_id,
        request_id=row.request_id,
        before=row.before,
        after=row.after,
        prev_hash=row.prev_hash,
        hash=row.hash,
    )


class SqlOutboxRepository:
    def __init__(self, session: Session) -> None:
        self._db = session

    def add(self, jobs: Sequence[Job], at: datetime) -> None:
        rows = [{"id": j.id, "name": j.name, "payload": j.payload, "created_at": at} for j in jobs]
        self._db.execute(sa.insert(outbox), rows)

    def get_for_update(self, job_id: str) -> OutboxRecord | None:
        query = sa.select(outbox).where(outbox.c.id == job_id).with_for_update()
        row = self._db.execute(query).first()
        return _record(row) if row else None

    def claim_unsent(self, limit: int) -> list[OutboxRecord]:
        query = (
            sa.select(outbox)
            .where(outbox.c.sent_at.is_(None))
            .order_by(outbox.c.created_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [_record(row) for row in self._db.execute(query)]

    def mark_sent(self, job_ids: list[str], at: datetime) -> None:
        self._db.execute(sa.update(outbox).where(outbox.c.id.in_(job_ids)).values(sent_at=at))

    def mark_done(self, job_id: str, at: datetime) -> None:
        self._db.execute(
            sa.update(outbox)
            .where(outbox.c.id == job_id)
            .values(done_at=at, attempts=outbox.c.attempts + 1)
        )

    def record_failure(self, job_id: str, error: str) -> None:
        self._db.execute(
            sa.update(outbox)
            .where(outbox.c.id == job_id)
            .values(attempts=outbox.c.attempts + 1, last_error=error)
        )


def _record(row: Any) -> OutboxRecord:
    return OutboxRecord(
        id=row.id,
        name=row.name,
        payload=row.payload,
        created_at=row.created_at,
        sent_at=row.sent_at,
        done_at=row.done_at,
        attempts=row.attempts,
        last_error=row.last_error,
    )
