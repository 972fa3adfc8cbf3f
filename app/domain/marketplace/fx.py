"""Currency conversion: money times a rate, rounded half-even to the target's minor units.

A rate is how many units of the quote currency one unit of the base currency buys
(`rate("EUR", "USD") == Decimal("1.16")`: 1 EUR is 1.16 USD). The same currency always
converts at exactly 1, without asking anyone. A `Conversion` keeps the rate it used, so a
quote and its order can store it (`rate_text`, e.g. `"1"` or `"1.16"`) and show it as
`fx_rate`."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, localcontext
from typing import TYPE_CHECKING

from app.domain.shared.errors import InvalidValue, RuleViolation
from app.domain.shared.money import Money, minor_units

if TYPE_CHECKING:
    from app.ports.rates import ExchangeRates

ONE = Decimal(1)
# Significant digits of a rate derived by division (a cross rate through a pivot).
RATE_DIGITS = 12
_PRECISION = 80


class RateUnavailable(RuleViolation):
    """No exchange rate is known between the two currencies."""

    code = "rate_unavailable"


def check_rate(rate: object) -> Decimal:
    """`rate` if it is a positive, finite Decimal."""
    if not isinstance(rate, Decimal) or not rate.is_finite() or rate <= 0:
        raise InvalidValue(
            "an exchange rate must be a positive, finite Decimal", code="invalid_rate"
        )
    return rate


def rate_text(rate: Decimal) -> str:
    """A rate as stored and shown: plain decimal text without trailing zeros."""
    return format(check_rate(rate).normalize(), "f")


def cross_rate(base_per_pivot: Decimal, quote_per_pivot: Decimal) -> Decimal:
    """The base -> quote rate from both currencies' rates against one pivot currency:
    `quote_per_pivot / base_per_pivot`, exact when it has at most `RATE_DIGITS` significant
    digits, otherwise rounded half-even to that many."""
    check_rate(base_per_pivot)
    check_rate(quote_per_pivot)
    with localcontext(prec=RATE_DIGITS):
        return quote_per_pivot / base_per_pivot


@dataclass(frozen=True, slots=True)
class Conversion:
    """`source` converted at `rate` into `amount` (rounded to the target's minor units)."""

    source: Money
    amount: Money
    rate: Decimal

    @property
    def rate_text(self) -> str:
        return rate_text(self.rate)


def convert(money: Money, currency: str, rate: Decimal) -> Conversion:
    """`money` in `currency` at `rate` (base: `money.currency`, quote: `currency`), rounded
    half-even. Between one currency and itself the rate must be 1."""
    if not isinstance(money, Money):
        raise InvalidValue("only Money converts", code="invalid_amount")
    minor_units(currency)
    check_rate(rate)
    if currency == money.currency and rate != ONE:
        raise InvalidValue(
            f"{currency} converts to itself at 1, not {rate_text(rate)}", code="invalid_rate"
        )
    with localcontext(prec=_PRECISION):
        amount = Money(money.amount * rate, currency).rounded()
    return Conversion(source=money, amount=amount, rate=rate)


def lookup_rate(rates: ExchangeRates, base: str, quote: str) -> Decimal:
    """The base -> quote rate: 1 for one currency (the port is not asked), otherwise the
    port's rate, checked. Raises `RateUnavailable` when the port knows none."""
    minor_units(base)
    minor_units(quote)
    if base == quote:
        return ONE
    return check_rate(rates.rate(base, quote))


def convert_with(money: Money, currency: str, rates: ExchangeRates) -> Conversion:
    """`money` in `currency` at the rate `rates` gives (1 for the same currency)."""
    return convert(money, currency, lookup_rate(rates, money.currency, currency))
