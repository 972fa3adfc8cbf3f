"""Jobs of the marketplace: the on-chain delivery of a paid order (short units of its own,
see `OwnTransactions`), and the retirement a buy-and-retire order asked for."""

from __future__ import annotations

from app.domain.marketplace import jobs
from app.domain.marketplace.jobs import MarketChainUoW
from app.domain.platform.jobs import JobHandler, OwnTransactions
from app.domain.shared.json import JSON
from app.ports.repositories.marketplace import MarketLedgerUoW
from app.workers.deps import WorkerDeps


def handlers(deps: WorkerDeps) -> dict[str, JobHandler[MarketChainUoW]]:
    def deliver(payload: dict[str, JSON], uow: MarketChainUoW) -> None:
        jobs.deliver_order(str(payload["order_id"]), uow=uow, chain=deps.chain_writes)

    def retire(payload: dict[str, JSON], uow: MarketLedgerUoW) -> None:
        jobs.retire_delivered_order(str(payload["order_id"]), uow=uow, clock=deps.clock)

    return {"market.fulfil": OwnTransactions(deliver), "market.retire": retire}
