"""The unit of work of the ledger's use cases: minting and retiring (`LedgerUoW`), the
chain jobs (`ChainJobsUoW`) and the indexer's projection (`ProjectionUoW`), over the
in-memory repositories, rolled back and nested like the SQL unit of work."""

from __future__ import annotations

from tests.fakes.chain import FakeChainTransactionRepository
from tests.fakes.clock import FakeClock
from tests.fakes.credits import FakeCreditRepository
from tests.fakes.indexer import FakeIndexerRepository
from tests.fakes.marketplace import FakeMarketRepository
from tests.fakes.poai import FakePoaiUnitOfWork
from tests.fakes.schedules import FakeScheduleRepository


class FakeLedgerUoW(FakePoaiUnitOfWork):
    """The PoAI fake (projects, users, documents, proofs) with the chain write-ahead log,
    the credit ledger, the indexer's storage, the marketplace and scheduled retirements."""

    REPOSITORIES = (
        *FakePoaiUnitOfWork.REPOSITORIES,
        "chain_txs",
        "indexer",
        "credits",
        "market",
        "schedules",
    )

    def __init__(self, clock: FakeClock | None = None) -> None:
        self.chain_txs = FakeChainTransactionRepository()
        self.indexer = FakeIndexerRepository()
        self.credits = FakeCreditRepository(self.indexer)
        self.market = FakeMarketRepository()
        self.schedules = FakeScheduleRepository()
        super().__init__(clock)
