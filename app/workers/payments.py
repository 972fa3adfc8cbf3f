"""Jobs of payments: the refund of a payment its order no longer took, and the embedded
sandbox provider's webhook deliveries. Both talk to the provider, so they open their own
short transactions (`OwnTransactions`); a delivery the endpoint refuses raises, and
Dramatiq retries with backoff."""

from __future__ import annotations

from app.domain.payments import jobs
from app.domain.platform.jobs import JobHandler, OwnTransactions
from app.domain.shared.json import JSON
from app.ports.repositories.payments import PaymentsUoW
from app.workers.deps import WorkerDeps

SANDBOX_DELIVER = "payments.sandbox_deliver"


def handlers(deps: WorkerDeps) -> dict[str, JobHandler[PaymentsUoW]]:
    def refund(payload: dict[str, JSON], uow: PaymentsUoW) -> None:
        jobs.refund_unapplied(
            str(payload["payment_id"]), uow=uow, clock=deps.clock, gateways=deps.payment_gateways
        )

    found: dict[str, JobHandler[PaymentsUoW]] = {jobs.REFUND_UNAPPLIED: OwnTransactions(refund)}
    sandbox = deps.payment_sandbox
    if sandbox is not None:

        def deliver(payload: dict[str, JSON], _uow: PaymentsUoW) -> None:
            sandbox.deliver(str(payload["event_id"]))

        found[SANDBOX_DELIVER] = OwnTransactions(deliver)
    return found
