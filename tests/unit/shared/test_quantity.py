import pytest

from app.domain.shared.errors import InvalidValue
from app.domain.shared.quantity import Quantity


def test_tonnes_become_whole_kilograms():
    assert Quantity.from_tonnes("12.5").kg == 12_500
    assert Quantity.from_tonnes("0.001").kg == 1
    assert Quantity.from_tonnes(3).kg == 3_000


def test_more_than_three_decimals_is_refused():
    with pytest.raises(InvalidValue) as err:
        Quantity.from_tonnes("1.0005")
    assert err.value.code == "invalid_quantity"


def test_negative_and_non_integer_kilograms_are_refused():
    with pytest.raises(InvalidValue):
        Quantity.from_tonnes("-1")
    with pytest.raises(InvalidValue):
        Quantity(1.5)  # type: ignore[arg-type]


def test_tonnes_are_written_without_trailing_zeros():
    assert Quantity(12_500).tonnes_str() == "12.5"
    assert Quantity(3_000).tonnes_str() == "3"
    assert Quantity(1).tonnes_str() == "0.001"


def test_subtraction_never_goes_negative():
    assert Quantity(5) - Quantity(3) == Quantity(2)
    with pytest.raises(InvalidValue):
        Quantity(1) - Quantity(2)
