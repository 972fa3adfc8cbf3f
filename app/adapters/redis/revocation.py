"""Revoked sessions in Redis: written after the revoking transaction commits, with the
session's remaining lifetime, so the per-request check is one EXISTS."""

from __future__ import annotations

from datetime import UTC, datetime

import redis


class RedisRevocationList:
    is_sessions_table = False

    def __init__(self, client: redis.Redis, *, namespace: str) -> None:
        self._client = client
        self._prefix = f"{namespace}:revoked:"

    def revoke(self, session_ids: list[str], until: datetime) -> None:
        ttl = max(1, int((until - datetime.now(UTC)).total_seconds()) + 60)
        with self._client.pipeline() as pipe:
            for session_id in session_ids:
                pipe.set(self._prefix + session_id, b"1", ex=ttl)
            pipe.execute()

    def is_revoked(self, session_id: str) -> bool:
        return bool(self._client.exists(self._prefix + session_id))
