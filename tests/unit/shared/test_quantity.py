import pytest

from app.domain.shared.errors import InvalidValue
from app.domain.shared.quantity import MAX_KG, Quantity, parse_tonnes


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


def test_tonnes_from_code_and_from_the_api_follow_the_same_bounds():
    largest = "9999999999999.999"
    assert Quantity.from_tonnes(largest) == parse_tonnes(largest) == Quantity(MAX_KG)
    for too_large in ["10000000000000", "10000000000000.000"]:
        with pytest.raises(InvalidValue, match="at most") as err:
            Quantity.from_tonnes(too_large)
        assert err.value.code == "invalid_quantity"
        with pytest.raises(InvalidValue, match="at most"):
            parse_tonnes(too_large)


def test_finer_than_a_kilogram_is_refused_with_one_message_whatever_the_entry():
    for entry in (Quantity.from_tonnes, parse_tonnes):
        with pytest.raises(InvalidValue, match=r"more than 3 decimals \(the smallest unit"):
            entry("1.0001")
    # Beyond the 28 digits a default decimal context keeps: still not rounded into a kilogram.
    with pytest.raises(InvalidValue, match="more than 3 decimals"):
        Quantity.from_tonnes("1." + "0" * 30 + "1")


def test_positive_refuses_nothing_and_keeps_anything_else():
    assert Quantity(1).positive() == Quantity(1)
    with pytest.raises(InvalidValue, match="must be positive") as err:
        Quantity(0).positive()
    assert err.value.code == "invalid_quantity"
    assert parse_tonnes("0", allow_zero=True) == Quantity(0)
    with pytest.raises(InvalidValue, match="must be positive"):
        parse_tonnes("0")
