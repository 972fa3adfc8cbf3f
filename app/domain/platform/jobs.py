"""Background jobs as the kernel runs them: a handler takes the job's JSON payload and a
unit of work. Each module's handlers live in `app.workers.<module>` and call that
module's job functions (`app.domain.<module>.jobs`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.domain.shared.json import JSON
from app.ports.repositories.platform import PlatformUoW

JobHandler = Callable[[dict[str, JSON], PlatformUoW], None]


@dataclass(frozen=True)
class OwnTransactions:
    """A job handler that opens its own short units of work instead of running inside the
    job's (chain writes: no row may stay locked while the chain works). It must be safe to
    run twice, even at the same time: its writes carry their own idempotency (the chain
    write-ahead log)."""

    handler: JobHandler

    def __call__(self, payload: dict[str, JSON], uow: PlatformUoW) -> None:
        self.handler(payload, uow)
