"""Background jobs as the kernel runs them: a handler takes the job's JSON payload and a
unit of work. Each module's handlers live in `app.workers.<module>`, call that module's
job functions (`app.domain.<module>.jobs`) and say which unit of work they need: a
`JobHandler[AuthUoW]` runs wherever the unit given is at least an `AuthUoW`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from app.domain.shared.json import JSON
from app.ports.repositories.platform import PlatformUoW

U_contra = TypeVar("U_contra", bound=PlatformUoW, contravariant=True)


class JobHandler(Protocol[U_contra]):
    """Runs one job: reads ids from the payload and calls a use case with the unit."""

    def __call__(self, payload: dict[str, JSON], uow: U_contra, /) -> None: ...


@dataclass(frozen=True)
class OwnTransactions(Generic[U_contra]):
    """A job handler that opens its own short units of work instead of running inside the
    job's (chain writes: no row may stay locked while the chain works). It must be safe to
    run twice, even at the same time: its writes carry their own idempotency (the chain
    write-ahead log)."""

    handler: JobHandler[U_contra]

    def __call__(self, payload: dict[str, JSON], uow: U_contra, /) -> None:
        self.handler(payload, uow)
