import time
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from app.domain.shared.ids import new_id
from app.domain.shared.json import canonical


def test_ids_are_unique_opaque_and_time_ordered():
    first = new_id()
    time.sleep(0.002)
    ids = [new_id() for _ in range(1000)]
    assert len(set(ids)) == 1000
    assert all(len(i) == 32 and int(i, 16) for i in ids)
    assert all(first < i for i in ids)
    assert ids[0][12] == "7"  # UUID version 7


def test_canonical_json_ignores_key_order_and_is_exact():
    a = {"b": 1, "a": [Decimal("1.50"), "x"], "t": datetime(2026, 1, 1, tzinfo=UTC)}
    b = {"t": datetime(2026, 1, 1, tzinfo=UTC), "a": [Decimal("1.50"), "x"], "b": 1}
    assert canonical(a) == canonical(b)
    assert canonical(a) == b'{"a":["1.50","x"],"b":1,"t":"2026-01-01T00:00:00.000000Z"}'


def test_canonical_json_refuses_floats():
    with pytest.raises(TypeError):
        canonical({"x": 0.1})
