from decimal import Decimal

import pytest

from app.domain.shared.errors import InvalidValue
from app.domain.shared.money import Money


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("2.345", "USD", "2.34"),  # half-even: 4 is even, stays
        ("2.355", "USD", "2.36"),  # 5 is odd, goes up
        ("2.5", "JPY", "2"),
        ("3.5", "JPY", "4"),
        ("1.23456", "KWD", "1.235"),
        ("10", "EUR", "10.00"),
    ],
)
def test_money_rounds_half_even_to_the_currency_minor_units(amount, currency, expected):
    assert Money.of(amount, currency).amount == Decimal(expected)


def test_money_refuses_floats_and_unknown_currencies():
    with pytest.raises(InvalidValue):
        Money.of(0.1, "USD")  # type: ignore[arg-type]
    with pytest.raises(InvalidValue) as err:
        Money.of("1", "XXX")
    assert err.value.code == "invalid_currency"


def test_money_arithmetic_is_exact_and_currency_safe():
    total = Money.of("0.10", "USD") + Money.of("0.20", "USD")
    assert total == Money.of("0.30", "USD")
    assert (Money.of("10.00", "USD") * Decimal("0.015")).rounded().amount == Decimal("0.15")
    with pytest.raises(InvalidValue):
        _ = Money.of("1", "USD") + Money.of("1", "EUR")


def test_money_minor_units_and_text():
    assert Money.of("12.34", "EUR").minor == 1234
    assert Money.of("7", "JPY").minor == 7
    assert str(Money.of("5", "BHD")) == "5.000 BHD"


def test_money_refuses_non_numbers():
    for bad in ["abc", "NaN", "Infinity", True]:
        with pytest.raises(InvalidValue):
            Money.of(bad, "USD")  # type: ignore[arg-type]
