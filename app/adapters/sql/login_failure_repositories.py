"""SQL repository of the login throttle's counts (`login_failures`)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session as DbSession

from app.adapters.sql.database import upsert_insert
from app.adapters.sql.tables_auth import login_failures as t
from app.domain.auth.throttle import LoginFailures


class SqlLoginFailureRepository:
    def __init__(self, db: DbSession) -> None:
        self._db = db

    def get_for_update(self, account: str, source: str) -> LoginFailures:
        # A row must exist to be locked: the fresh record goes in first (ON CONFLICT DO
        # NOTHING waits for a concurrent insert of the same key, then reads its row).
        fresh = asdict(LoginFailures(account, source))
        self._db.execute(upsert_insert(self._db, t).values(fresh).on_conflict_do_nothing())
        key = (t.c.account == account) & (t.c.source == source)
        row = self._db.execute(sa.select(t).where(key).with_for_update()).one()
        return LoginFailures(**row._mapping)

    def save(self, record: LoginFailures) -> None:
        values = asdict(record)
        key = (t.c.account == values.pop("account")) & (t.c.source == values.pop("source"))
        self._db.execute(sa.update(t).where(key).values(values))

    def prune(self, now: datetime, limit: int) -> int:
        # SKIP LOCKED: a prune never waits for a login (nor a login for long on a prune).
        expired = (
            sa.select(t.c.account, t.c.source)
            .where(t.c.expires_at < now)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        # On the session's connection, whose result is typed as the CursorResult (with its
        # rowcount) a DML statement gets; Session.execute() is typed as a plain Result.
        result = self._db.connection().execute(
            sa.delete(t).where(sa.tuple_(t.c.account, t.c.source).in_(expired))
        )
        return int(result.rowcount or 0)
