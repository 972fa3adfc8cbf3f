"""Rates against one pivot currency, and a built-in table of them.

Every rate is derived from the two currencies' rates against the pivot: base -> pivot ->
quote, `per_pivot[quote] / per_pivot[base]` (`fx.cross_rate`: exact when it fits in
`fx.RATE_DIGITS` significant digits, else rounded half-even to them). From the pivot
itself the table's rate is used exactly.

A chain's native coin (`ETH`) is priced in pivot units (`native["ETH"]`: euros per ETH),
and in another currency through the pivot's rate to it (`native_rate`).

`StaticRates()` is the built-in table: fixed, illustrative rates against the euro for
development, demonstrations and tests, not market data."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, localcontext
from types import MappingProxyType

from app.domain.marketplace.fx import ONE, RATE_DIGITS, RateUnavailable, check_rate, cross_rate
from app.domain.shared.currencies import MINOR_UNITS
from app.domain.shared.errors import InvalidValue

BUILTIN_PIVOT = "EUR"
BUILTIN_AS_OF = date(2025, 11, 28)
BUILTIN_RATES: Mapping[str, Decimal] = MappingProxyType(
    {
        "USD": Decimal("1.16"),
        "GBP": Decimal("0.88"),
        "JPY": Decimal("181"),
        "CHF": Decimal("0.93"),
        "CAD": Decimal("1.62"),
        "AUD": Decimal("1.77"),
        "SEK": Decimal("10.95"),
        "NOK": Decimal("11.75"),
        "DKK": Decimal("7.46"),
        "PLN": Decimal("4.24"),
        "CNY": Decimal("8.2"),
        "INR": Decimal("103.7"),
        "BRL": Decimal("6.19"),
        "ZAR": Decimal("19.88"),
        "SGD": Decimal("1.5"),
        "BHD": Decimal("0.4362"),
        "KWD": Decimal("0.356"),
    }
)


BUILTIN_NATIVE: Mapping[str, Decimal] = MappingProxyType({"ETH": Decimal("2600")})


class PivotRates:
    """Rates of currencies against `pivot` (`per_pivot["USD"]`: USD per one pivot unit),
    and native coins' prices in the pivot (`native["ETH"]`: pivot units per ETH)."""

    def __init__(
        self,
        pivot: str,
        per_pivot: Mapping[str, Decimal],
        as_of: date,
        native: Mapping[str, Decimal] = BUILTIN_NATIVE,
    ) -> None:
        if pivot not in MINOR_UNITS:
            raise InvalidValue(f"unknown pivot currency {pivot!r}", code="invalid_currency")
        table: dict[str, Decimal] = {pivot: ONE}
        for code, value in per_pivot.items():
            if code not in MINOR_UNITS:
                raise InvalidValue(f"unknown currency {code!r}", code="invalid_currency")
            check_rate(value)
            if code == pivot and value != ONE:
                raise InvalidValue(
                    f"the pivot {pivot} is 1 against itself, not {value}", code="invalid_rate"
                )
            table[code] = value
        for code, value in native.items():
            check_rate(value)
            if code in MINOR_UNITS:
                raise InvalidValue(f"{code} is a currency, not a coin", code="invalid_currency")
        self.pivot = pivot
        self._native = MappingProxyType(dict(native))
        self._per_pivot = MappingProxyType(table)
        self._as_of = as_of

    @property
    def as_of(self) -> date:
        return self._as_of

    @property
    def currencies(self) -> frozenset[str]:
        return frozenset(self._per_pivot)

    def rate(self, base: str, quote: str) -> Decimal:
        if base == quote and base in MINOR_UNITS:
            return ONE
        try:
            base_rate, quote_rate = self._per_pivot[base], self._per_pivot[quote]
        except KeyError:
            missing = base if base not in self._per_pivot else quote
            raise RateUnavailable(
                f"no exchange rate for {missing} (rates of {self._as_of.isoformat()})"
            ) from None
        if base == self.pivot:
            return quote_rate
        return cross_rate(base_rate, quote_rate)

    def native_rate(self, native: str, currency: str) -> Decimal:
        price = self._native.get(native)
        if price is None:
            raise RateUnavailable(f"no price for {native}")
        to_currency = self.rate(self.pivot, currency)
        with localcontext(prec=RATE_DIGITS * 2):
            return price * to_currency


class StaticRates(PivotRates):
    """The built-in table (or another one given), against the euro by default."""

    def __init__(
        self,
        per_pivot: Mapping[str, Decimal] = BUILTIN_RATES,
        *,
        pivot: str = BUILTIN_PIVOT,
        as_of: date = BUILTIN_AS_OF,
        native: Mapping[str, Decimal] = BUILTIN_NATIVE,
    ) -> None:
        super().__init__(pivot, per_pivot, as_of, native)
