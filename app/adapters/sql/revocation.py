"""Revoked sessions from the sessions table (the source of truth)."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from app.adapters.sql.database import Database
from app.adapters.sql.tables_auth import sessions


class SqlRevocationList:
    is_sessions_table = True

    def __init__(self, db: Database) -> None:
        self._db = db

    def revoke(self, session_ids: list[str], until: datetime) -> None:
        """The revoking transaction already wrote `revoked_at`."""

    def is_revoked(self, session_id: str) -> bool:
        query = sa.select(sessions.c.revoked_at, sessions.c.expires_at).where(
            sessions.c.id == session_id
        )
        with self._db.read() as conn:
            row = conn.execute(query).first()
        return row is None or row.revoked_at is not None or row.expires_at <= datetime.now(UTC)
