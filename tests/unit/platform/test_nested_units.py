"""The fake unit of work nests as the SQL one does (tests/integration/test_nested_units.py
runs the same scenarios on the database)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from app.domain.shared.events import DomainEvent
from app.ports.repositories.indexer import IndexerUoW
from tests.fakes.ledger import FakeLedgerUoW
from tests.nested_units import SCENARIOS


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.__name__)
def test_a_nested_fake_unit_joins_the_outer_one(
    scenario: Callable[[IndexerUoW, list[DomainEvent]], None],
) -> None:
    uow = FakeLedgerUoW()
    scenario(uow, uow.dispatched)
