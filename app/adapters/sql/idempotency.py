"""Stored responses of requests sent with an `Idempotency-Key`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from app.adapters.sql.database import Database
from app.adapters.sql.tables_idempotency import idempotency_keys


@dataclass(frozen=True)
class Claim:
    state: str  # "new" | "replay" | "mismatch" | "in_progress"
    status: int | None = None
    body: str | None = None


class SqlIdempotencyStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    def begin(self, caller: str, key: str, fingerprint: str) -> Claim:
        try:
            with self._db.engine.begin() as conn:
                conn.execute(
                    sa.insert(idempotency_keys).values(
                        caller=caller,
                        key=key,
                        fingerprint=fingerprint,
                        created_at=datetime.now(UTC),
                    )
                )
            return Claim("new")
        except sa.exc.IntegrityError:
            pass
        c = idempotency_keys.c
        with self._db.engine.connect() as conn:
            row = conn.execute(
                sa.select(idempotency_keys).where((c.caller == caller) & (c.key == key))
            ).first()
        if row is None:  # abandoned meanwhile: try once more
            return self.begin(caller, key, fingerprint)
        if row.fingerprint != fingerprint:
            return Claim("mismatch")
        if row.status is None:
            return Claim("in_progress")
        return Claim("replay", int(row.status), row.body)

    def finish(self, caller: str, key: str, status: int, body: str) -> None:
        c = idempotency_keys.c
        with self._db.engine.begin() as conn:
            conn.execute(
                sa.update(idempotency_keys)
                .where((c.caller == caller) & (c.key == key))
                .values(status=status, body=body)
            )

    def abandon(self, caller: str, key: str) -> None:
        c = idempotency_keys.c
        with self._db.engine.begin() as conn:
            conn.execute(sa.delete(idempotency_keys).where((c.caller == caller) & (c.key == key)))
