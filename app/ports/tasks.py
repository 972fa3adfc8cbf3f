"""Task queue port: hands an outbox job to the background workers."""

from __future__ import annotations

from typing import Protocol

from app.domain.shared.jobs import OutboxRecord


class TaskQueue(Protocol):
    def send(self, job: OutboxRecord) -> None:
        """Deliver one job to the broker (at least once; workers run it at most once)."""
        ...
