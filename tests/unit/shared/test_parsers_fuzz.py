"""The parsers of the API's numbers, fed arbitrary text: each answers with a value inside
its bounds or with `InvalidValue` (a 422), never with another exception."""

from __future__ import annotations

import json
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.shared.errors import InvalidValue
from app.domain.shared.money import MAX_WHOLE_DIGITS, Money, parse_amount
from app.domain.shared.quantity import MAX_KG, Quantity, parse_tonnes
from app.http.common.json_limits import json_depth

# Text that looks like numbers often, and like anything else sometimes.
numberish = st.one_of(
    st.text(),
    st.from_regex(r"\A[0-9\u0660-\u0669\s.,eE+\-_]{0,40}\Z"),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.integers().map(str),
    st.floats().map(repr),
)


@settings(max_examples=400)
@given(numberish)
def test_tonnes_parse_into_bounds_or_refuse(text: str) -> None:
    try:
        quantity = parse_tonnes(text)
    except InvalidValue:
        return
    assert 0 < quantity.kg <= MAX_KG
    assert text.isascii()
    assert text.strip() == text
    assert parse_tonnes(quantity.tonnes_str()) == quantity


@settings(max_examples=400)
@given(numberish, st.sampled_from(["EUR", "JPY", "BHD", "USD"]))
def test_amounts_parse_into_bounds_or_refuse(text: str, currency: str) -> None:
    try:
        money = parse_amount(text, currency)
    except InvalidValue:
        return
    assert money.amount >= 0
    assert money.amount < 10**MAX_WHOLE_DIGITS
    assert money.rounded() == money
    assert parse_amount(str(money.amount), currency) == money


@given(st.decimals(allow_nan=False, allow_infinity=False), st.sampled_from(["EUR", "JPY"]))
def test_any_finite_decimal_rounds_or_is_refused(amount: Decimal, currency: str) -> None:
    try:
        money = Money.of(amount, currency)
    except InvalidValue:
        return
    assert money.rounded() == money


@given(st.integers(min_value=0, max_value=MAX_KG))
def test_every_quantity_prints_as_tonnes_that_parse_back(kg: int) -> None:
    if kg:
        assert parse_tonnes(Quantity(kg).tonnes_str()).kg == kg


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4)
    ),
    max_leaves=30,
)


def _depth(value: object) -> int:
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    return 0


@settings(max_examples=300)
@given(json_values)
def test_the_depth_scan_agrees_with_the_structure(value: object) -> None:
    assert json_depth(json.dumps(value).encode()) == _depth(value)


@settings(max_examples=300)
@given(st.binary(max_size=2000))
def test_the_depth_scan_takes_any_bytes(data: bytes) -> None:
    depth = json_depth(data)
    assert depth <= data.count(b"[") + data.count(b"{")
    assert json_depth(b"[" + data) == depth + 1  # one more level whatever follows
