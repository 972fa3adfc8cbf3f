"""The SQL unit of work entered again while open joins the outer transaction (the
scenarios are shared with the fakes' test in tests/unit/platform/test_nested_units.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import pytest

from app.adapters.sql.database import Database
from app.adapters.sql.uow import SqlUnitOfWork
from app.domain.shared.events import DomainEvent
from app.domain.shared.jobs import Job
from app.ports.repositories.indexer import IndexerUoW
from tests.fakes.clock import FakeClock
from tests.nested_units import SCENARIOS


@pytest.fixture
def database(db_url: str) -> Iterator[Database]:
    db = Database(db_url, pool_size=2)
    yield db
    db.dispose()


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.__name__)
def test_a_nested_sql_unit_joins_the_outer_one(
    database: Database, scenario: Callable[[IndexerUoW, list[DomainEvent]], None]
) -> None:
    dispatched: list[DomainEvent] = []

    def after_commit(events: Sequence[DomainEvent], jobs: Sequence[Job]) -> None:
        dispatched.extend(events)

    scenario(SqlUnitOfWork(database, clock=FakeClock(), after_commit=after_commit), dispatched)
