"""Currency conversion: a rate, rounding half-even to the target currency, the rate kept."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.adapters.rates.static import StaticRates
from app.domain.marketplace.fx import (
    RATE_DIGITS,
    RateUnavailable,
    convert,
    convert_with,
    cross_rate,
    lookup_rate,
    rate_text,
)
from app.domain.shared.errors import InvalidValue, RuleViolation
from app.domain.shared.money import Money

D = Decimal


class _NoRates:
    """Rates that know nothing: asking them anything is an error."""

    as_of = date(2025, 1, 1)

    def rate(self, base: str, quote: str) -> Decimal:
        raise RateUnavailable(f"no rate for {base}/{quote}")


@pytest.mark.parametrize(
    ("amount", "currency", "target", "rate", "expected"),
    [
        ("12.50", "EUR", "USD", "1.16", "14.50"),
        ("10.00", "EUR", "JPY", "181.05", "1810"),  # 1810.5: half-even keeps the even 0
        ("10.00", "EUR", "JPY", "181.15", "1812"),  # 1811.5: 1 is odd, goes up
        ("1000", "JPY", "BHD", "0.0024099", "2.410"),  # 2.4099
        ("3.00", "USD", "CLF", "0.02542375", "0.0763"),  # 0.07627125
    ],
)
def test_money_converts_at_the_rate_rounded_half_even(
    amount: str, currency: str, target: str, rate: str, expected: str
) -> None:
    conversion = convert(Money(D(amount), currency), target, D(rate))
    assert str(conversion.amount.amount) == expected
    assert conversion.amount.currency == target
    assert conversion.rate == D(rate)
    assert conversion.rate_text == rate
    assert conversion.source == Money(D(amount), currency)


def test_one_currency_converts_at_exactly_one() -> None:
    conversion = convert(Money.of("9.99", "EUR"), "EUR", D("1.000"))
    assert conversion.amount == Money.of("9.99", "EUR")
    assert conversion.rate_text == "1"
    with pytest.raises(InvalidValue):
        convert(Money.of("9.99", "EUR"), "EUR", D("1.01"))
    # the port is not asked
    same = convert_with(Money.of("9.99", "EUR"), "EUR", _NoRates())
    assert (same.amount, same.rate_text) == (Money.of("9.99", "EUR"), "1")


def test_conversion_through_the_port_stores_the_rate_it_used() -> None:
    conversion = convert_with(Money.of("100.00", "USD"), "EUR", StaticRates())
    assert conversion.rate == lookup_rate(StaticRates(), "USD", "EUR")
    assert conversion.amount == Money.of((D(100) * conversion.rate), "EUR")


def test_an_unknown_rate_is_a_rule_violation_named_rate_unavailable() -> None:
    with pytest.raises(RateUnavailable) as error:
        convert_with(Money.of("1", "EUR"), "USD", _NoRates())
    assert isinstance(error.value, RuleViolation)
    assert error.value.code == "rate_unavailable"


def test_bad_rates_and_currencies_are_refused() -> None:
    for rate in (D(0), D(-1), D("Infinity"), 1.1, 2):
        with pytest.raises(InvalidValue):
            convert(Money.of("1", "EUR"), "USD", rate)  # type: ignore[arg-type]
    with pytest.raises(InvalidValue):
        convert(Money.of("1", "EUR"), "XXX", D(1))
    with pytest.raises(InvalidValue):
        lookup_rate(StaticRates(), "EUR", "usd")


def test_cross_rates_are_exact_when_short_and_rounded_to_twelve_digits_otherwise() -> None:
    assert cross_rate(D("1.25"), D("2.5")) == D(2)
    third = cross_rate(D(3), D(1))
    assert third == D("0.333333333333")
    assert len(third.as_tuple().digits) == RATE_DIGITS
    assert cross_rate(D("1.5"), D("1")) == D("0.666666666667")  # half-even at the 12th digit
    assert rate_text(D("1.1600")) == "1.16"
    assert rate_text(D("200")) == "200"
