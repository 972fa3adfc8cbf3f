import pytest

from app.domain.shared.errors import InvalidValue
from app.domain.shared.quantity import Quantity, parse_tonnes


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


@pytest.mark.parametrize(
    ("text", "kg"), [("2.5", 2_500), ("0.001", 1), ("1000", 1_000_000), ("1.230", 1_230)]
)
def test_plain_decimal_tonnes_parse_to_the_kilogram(text: str, kg: int) -> None:
    assert parse_tonnes(text).kg == kg


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("0", "positive"),
        ("0.000", "positive"),
        ("1.0001", "3 decimals"),
        ("1e3", "plain decimal"),
        (" 7", "plain decimal"),
        ("7 ", "plain decimal"),
        ("\u0663", "plain decimal"),  # an Arabic-Indic three
        ("-1", "plain decimal"),
        ("+1", "plain decimal"),
        ("1,5", "plain decimal"),
        (".5", "plain decimal"),
        ("", "plain decimal"),
        ("1" * 26, "at most"),
    ],
)
def test_anything_but_plain_positive_tonnes_is_refused_with_the_reason(
    text: str, says: str
) -> None:
    with pytest.raises(InvalidValue, match=says):
        parse_tonnes(text)
