"""The exchange-rate adapters: the built-in table and the daily reference-rate file."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.adapters.rates.file import FileRates, RatesFileError, parse_reference_rates
from app.adapters.rates.static import BUILTIN_RATES, PivotRates, StaticRates
from app.domain.marketplace.fx import RateUnavailable, cross_rate
from app.domain.shared.errors import InvalidValue
from app.ports.rates import ExchangeRates

D = Decimal

ECB = (
    "Date, USD, JPY, BGN, CZK, DKK, GBP, HUF, PLN, RON, SEK, CHF, ISK, NOK, TRY, AUD, BRL, "
    "CAD, CNY, HKD, IDR, ILS, INR, KRW, MXN, MYR, NZD, PHP, SGD, THB, ZAR, \n"
    "28 November 2025, 1.1589, 181.19, 1.9558, 24.203, 7.4697, 0.87643, 382.25, 4.2380, "
    "5.0903, 10.9400, 0.9313, 147.80, 11.7350, 49.2031, 1.7749, 6.1935, 1.6260, 8.2034, "
    "9.0198, 19330.67, 3.7845, 103.6875, 1706.48, 21.2311, 4.7912, 2.0260, 68.193, 1.5032, "
    "37.364, 19.8765, \n"
)


def _write(tmp_path: Path, text: str, name: str = "eurofxref.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# the built-in table


def test_the_builtin_table_converts_from_the_pivot_exactly() -> None:
    rates: ExchangeRates = StaticRates()
    assert rates.rate("EUR", "USD") == D("1.16")
    assert rates.rate("EUR", "GBP") == D("0.88")
    assert rates.rate("EUR", "EUR") == 1
    assert rates.rate("USD", "USD") == 1
    assert rates.as_of == date(2025, 11, 28)


def test_the_builtin_table_derives_cross_rates_through_the_euro() -> None:
    rates = StaticRates()
    assert rates.rate("USD", "EUR") == D("0.862068965517")  # 1 / 1.16
    assert rates.rate("USD", "GBP") == D("0.758620689655")  # 0.88 / 1.16
    assert rates.rate("GBP", "JPY") == cross_rate(D("0.88"), D("181"))
    assert rates.rate("BHD", "KWD") == cross_rate(BUILTIN_RATES["BHD"], BUILTIN_RATES["KWD"])
    assert {"USD", "EUR", "GBP"} <= rates.currencies


def test_a_currency_outside_the_table_has_no_rate() -> None:
    rates = StaticRates()
    for base, quote in (("EUR", "XAF"), ("XAF", "EUR"), ("USD", "nope"), ("nope", "nope")):
        with pytest.raises(RateUnavailable) as error:
            rates.rate(base, quote)
        assert error.value.code == "rate_unavailable"
    assert rates.rate("XAF", "XAF") == 1  # any currency is 1 against itself


def test_another_table_and_pivot_can_be_given() -> None:
    rates = StaticRates({"EUR": D("0.5"), "JPY": D("150")}, pivot="USD", as_of=date(2024, 5, 1))
    assert rates.rate("USD", "JPY") == 150
    assert rates.rate("EUR", "JPY") == 300
    assert rates.as_of == date(2024, 5, 1)


def test_bad_tables_are_refused() -> None:
    with pytest.raises(InvalidValue):
        PivotRates("EUR", {"XXX": D(1)}, date(2025, 1, 1))
    with pytest.raises(InvalidValue):
        PivotRates("ZZZ", {}, date(2025, 1, 1))
    with pytest.raises(InvalidValue):
        PivotRates("EUR", {"USD": D(0)}, date(2025, 1, 1))
    with pytest.raises(InvalidValue):
        PivotRates("EUR", {"USD": 1.1}, date(2025, 1, 1))  # type: ignore[dict-item]
    with pytest.raises(InvalidValue):
        PivotRates("EUR", {"EUR": D("1.1")}, date(2025, 1, 1))


# the reference-rate file


def test_an_ecb_file_is_read_with_its_spaces_and_trailing_commas(tmp_path: Path) -> None:
    rates: ExchangeRates = FileRates(_write(tmp_path, ECB))
    assert rates.as_of == date(2025, 11, 28)
    assert rates.rate("EUR", "USD") == D("1.1589")
    assert rates.rate("EUR", "JPY") == D("181.19")
    assert rates.rate("EUR", "EUR") == 1
    assert rates.rate("USD", "GBP") == cross_rate(D("1.1589"), D("0.87643"))
    assert rates.rate("JPY", "EUR") == D("0.00551906838126")  # 1 / 181.19
    with pytest.raises(RateUnavailable):
        rates.rate("EUR", "BHD")


def test_a_currency_not_quoted_that_day_is_left_out(tmp_path: Path) -> None:
    text = "\ufeffDate,USD,RUB,GBP\n\n2022-03-02 ,1.1132, N/A ,0.83\n\n"
    rates = FileRates(_write(tmp_path, text))
    assert rates.as_of == date(2022, 3, 2)
    assert rates.rate("EUR", "GBP") == D("0.83")
    assert rates.currencies == {"EUR", "USD", "GBP"}
    with pytest.raises(RateUnavailable):
        rates.rate("EUR", "RUB")


@pytest.mark.parametrize(
    ("text", "line", "says"),
    [
        ("", 0, "a header row and a row of rates"),
        ("Date, USD,\n", 0, "a header row and a row of rates"),
        ("Day, USD\n1 May 2025, 1.1\n", 1, "must start with Date"),
        ("Date,\n1 May 2025, 1.1\n", 1, "names no currency"),
        ("Date, USD, , GBP\n1 May 2025, 1.1, 1, 0.8\n", 1, "column 3 of the header is empty"),
        ("Date, USD, XYZ\n1 May 2025, 1.1, 2\n", 1, "'XYZ' is not an ISO 4217"),
        ("Date, USD, USD\n1 May 2025, 1.1, 1.2\n", 1, "USD appears twice"),
        ("Date, USD, GBP\n1 May 2025, 1.1\n", 2, "2 cells for the header's 3 columns"),
        ("Date, USD\n1 May 2025, 1,1\n", 2, "3 cells for the header's 2 columns"),
        ("Date, USD\n\n\n31 June 2025, 1.1\n", 4, "is not a date"),
        ("Date, USD\nyesterday, 1.1\n", 2, "is not a date"),
        ("Date, USD\n1 May 2025, -1.1\n", 2, "USD rate '-1.1' is not a positive"),
        ("Date, USD\n1 May 2025, 0.000\n", 2, "is not a positive"),
        ("Date, USD\n1 May 2025, 1e3\n", 2, "is not a positive"),
        ("Date, EUR\n1 May 2025, 1.1\n", 2, "against itself must be 1"),
        ("Date, USD\n1 May 2025, 1.1\n30 April 2025, 1.2\n", 3, "more than one row"),
    ],
)
def test_a_malformed_file_is_refused_naming_the_line(
    tmp_path: Path, text: str, line: int, says: str
) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(RatesFileError) as error:
        FileRates(path)
    assert error.value.line == line
    assert says in str(error.value)
    assert str(error.value).startswith(f"{path}, line {line}: " if line else f"{path}: ")


def test_an_unreadable_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RatesFileError, match="cannot read"):
        FileRates(tmp_path / "missing.csv")
    path = tmp_path / "latin1.csv"
    path.write_bytes("Date, USD\n1 M\xe4rz 2025, 1.1\n".encode("latin-1"))
    with pytest.raises(RatesFileError, match="not UTF-8"):
        FileRates(path)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("Date,USDGBPJY 0123456789.-/\nN/A"), max_size=80))
def test_any_text_is_read_as_rates_or_refused_with_a_rates_file_error(text: str) -> None:
    try:
        day, rates = parse_reference_rates(text)
    except RatesFileError:
        return
    assert isinstance(day, date)
    assert all(rate > 0 for rate in rates.values())


def test_eth_is_priced_in_the_pivot_and_in_other_currencies_through_it(tmp_path: Path):
    rates = StaticRates()
    assert rates.native_rate("ETH", "EUR") == D("2600")
    assert rates.native_rate("ETH", "USD") == D("2600") * BUILTIN_RATES["USD"]
    with pytest.raises(RateUnavailable):
        rates.native_rate("BTC", "EUR")
    with pytest.raises(RateUnavailable):
        rates.native_rate("ETH", "XXX")
    with pytest.raises(InvalidValue):
        StaticRates(native={"USD": D(1)})
    with pytest.raises(InvalidValue):
        StaticRates(native={"ETH": D(0)})
    path = tmp_path / "eurofxref.csv"
    path.write_text(ECB)
    assert FileRates(path, {"ETH": D("3000.5")}).native_rate("ETH", "GBP") == D("3000.5") * D(
        "0.87643"
    )
