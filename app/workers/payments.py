"""Jobs of payments: the embedded sandbox provider's webhook deliveries (each posts to the
platform's endpoint, which opens its own transactions; a refusal raises and Dramatiq
retries with backoff)."""

from __future__ import annotations

from app.domain.platform.jobs import JobHandler, OwnTransactions
from app.domain.shared.json import JSON
from app.ports.repositories.platform import PlatformUoW
from app.workers.deps import WorkerDeps

SANDBOX_DELIVER = "payments.sandbox_deliver"


def handlers(deps: WorkerDeps) -> dict[str, JobHandler[PlatformUoW]]:
    sandbox = deps.payment_sandbox
    if sandbox is None:
        return {}

    def deliver(payload: dict[str, JSON], _uow: PlatformUoW) -> None:
        sandbox.deliver(str(payload["event_id"]))

    return {SANDBOX_DELIVER: OwnTransactions(deliver)}
