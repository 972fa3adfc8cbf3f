"""Read-side repositories bound to one autocommit connection."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Connection

from app.adapters.sql.analytics_reads import SqlAnalyticsReads
from app.adapters.sql.database import Database
from app.adapters.sql.ledger_reads import SqlLedgerReads
from app.adapters.sql.platform_repositories import SqlAuditRepository
from app.adapters.sql.project_search import SqlProjectSearch


class SqlReads:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.audit_log = SqlAuditRepository(conn)
        self.project_search = SqlProjectSearch(conn)
        self.ledger = SqlLedgerReads(conn)
        self.analytics = SqlAnalyticsReads(conn)


@contextmanager
def sql_reads(db: Database) -> Iterator[SqlReads]:
    with db.read() as conn:
        yield SqlReads(conn)
