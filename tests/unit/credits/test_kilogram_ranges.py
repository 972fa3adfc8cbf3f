"""Batches hand out kilogram ranges; serials stay one per (started) tonne."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.domain.credits.errors import InsufficientCredits
from app.domain.credits.model import CreditBatch, serial_count, serials_of
from app.domain.shared.errors import InvalidValue
from app.domain.shared.quantity import Quantity


def _batch(kg: int, serial_start: int = 7) -> CreditBatch:
    return CreditBatch(
        id="b1",
        project_id="p1",
        vintage=2024,
        monitoring_period="2024",
        token_id=1,
        serial_start=serial_start,
        serial_end=serial_start + serial_count(kg) - 1,
        issued_kg=kg,
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
    )


def test_a_fractional_batch_has_one_serial_per_started_tonne() -> None:
    batch = _batch(2_500)
    assert (batch.serial_start, batch.serial_end) == (7, 9)
    assert (batch.first_kg, batch.last_kg) == (7_000, 9_499)


def test_fractional_retirements_share_a_serial_never_a_kilogram() -> None:
    batch = _batch(2_500)
    first = batch.take_kilograms(Quantity(500))
    second = batch.take_kilograms(Quantity(1_200))
    assert (first, second) == ((7_000, 7_499), (7_500, 8_699))
    assert serials_of(*first) == (7, 7)
    assert serials_of(*second) == (7, 8)
    assert batch.retired_kg == 1_700


def test_no_more_than_the_batch_is_handed_out() -> None:
    batch = _batch(2_500)
    batch.take_kilograms(Quantity(2_000))
    with pytest.raises(InsufficientCredits):
        batch.take_kilograms(Quantity(501))
    assert batch.take_kilograms(Quantity(500)) == (9_000, 9_499)


def test_a_failed_retirement_gives_its_range_back_only_if_last() -> None:
    batch = _batch(3_000)
    first = batch.take_kilograms(Quantity(1_000))
    last = batch.take_kilograms(Quantity(1_000))
    batch.give_back(*first)  # something was taken after it: it stays used
    assert batch.next_kg == 9_000
    batch.give_back(*last)
    assert (batch.next_kg, batch.retired_kg) == (8_000, 1_000)


def test_a_serial_range_that_does_not_fit_the_quantity_is_refused() -> None:
    with pytest.raises(InvalidValue):
        CreditBatch(
            id="b",
            project_id="p",
            vintage=2024,
            monitoring_period="",
            token_id=1,
            serial_start=1,
            serial_end=3,
            issued_kg=2_000,
            created_at=datetime(2026, 1, 1, tzinfo=UTC),
        )
