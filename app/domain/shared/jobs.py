"""Background jobs: named work with a JSON payload, written to the outbox in the
same transaction as the change that asks for it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from app.domain.shared.ids import new_id
from app.domain.shared.json import JSON


@dataclass(frozen=True)
class Job:
    """A request for background work. `name` selects the handler; `id` is the outbox id
    the worker uses to run it at most once."""

    name: str
    payload: dict[str, JSON]
    id: str = field(default_factory=new_id)


@dataclass
class OutboxRecord:
    """A job as the outbox keeps it."""

    id: str
    name: str
    payload: dict[str, JSON]
    created_at: datetime
    sent_at: datetime | None = None
    done_at: datetime | None = None
    attempts: int = 0
    last_error: str | None = None
