"""Money: a Decimal amount in an ISO 4217 currency, rounded half-even to its minor units.

What the API accepts as an amount is the plain decimal form only (`parse_amount`): ASCII
digits, an optional point and at most the currency's minor units of decimals (`"12.50"`
in EUR, `"1200"` in JPY). No sign, exponent, spaces, separators or other scripts' digits,
and at most `MAX_WHOLE_DIGITS` digits before the point."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from app.domain.shared.currencies import MINOR_UNITS
from app.domain.shared.errors import InvalidValue


def minor_units(currency: str) -> int:
    """Digits after the decimal point for an ISO 4217 code; unknown codes are refused."""
    try:
        return MINOR_UNITS[currency]
    except KeyError:
        raise InvalidValue(f"unknown currency {currency!r}", code="invalid_currency") from None


MAX_WHOLE_DIGITS = 15
_PLAIN_AMOUNT = re.compile(r"(?P<whole>[0-9]+)(?:\.(?P<frac>[0-9]+))?", re.ASCII)


def parse_amount(text: object, currency: str) -> Money:
    """A non-negative amount of `currency` from the API's plain decimal string."""
    digits = minor_units(currency)
    if not isinstance(text, str):
        raise InvalidValue('an amount must be a string of decimal digits, e.g. "12.50"')
    match = _PLAIN_AMOUNT.fullmatch(text)
    if match is None:
        raise InvalidValue(
            "an amount must be plain decimal digits 0-9, optionally a point and decimals"
            ' (e.g. "12.50"); no sign, exponent, spaces or separators',
            code="invalid_amount",
        )
    if len(match["whole"]) > MAX_WHOLE_DIGITS:
        raise InvalidValue(
            f"an amount has at most {MAX_WHOLE_DIGITS} digits before the point",
            code="invalid_amount",
        )
    if len(match["frac"] or "") > digits:
        raise InvalidValue(
            f"{currency} amounts have at most {digits} decimals", code="invalid_amount"
        )
    return Money(Decimal(text), currency)


def to_decimal(value: Decimal | int | str) -> Decimal:
    """Exact decimal from a string, int or Decimal; floats are refused (they are not exact)."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise InvalidValue(f"not an exact number: {value!r}", code="invalid_number")
    try:
        result = Decimal(value)
    except InvalidOperation:
        raise InvalidValue(f"not a number: {value!r}", code="invalid_number") from None
    if not result.is_finite():
        raise InvalidValue(f"not a finite number: {value!r}", code="invalid_number")
    return result


@dataclass(frozen=True, slots=True)
class Money:
    """An amount of one currency. Arithmetic keeps exact decimals; `rounded()` applies
    the currency's minor units with banker's rounding."""

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        minor_units(self.currency)
        object.__setattr__(self, "amount", to_decimal(self.amount))

    @classmethod
    def of(cls, amount: Decimal | int | str, currency: str) -> Money:
        """Money rounded to the currency's minor units."""
        return cls(to_decimal(amount), currency.upper()).rounded()

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls.of(0, currency)

    def rounded(self) -> Money:
        quantum = Decimal(1).scaleb(-minor_units(self.currency))
        try:
            amount = self.amount.quantize(quantum, rounding=ROUND_HALF_EVEN)
        except InvalidOperation:  # more digits than the decimal context holds
            raise InvalidValue("amount out of range", code="invalid_amount") from None
        return Money(amount, self.currency)

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise InvalidValue(
                f"cannot combine {self.currency} with {other.currency}", code="currency_mismatch"
            )

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __mul__(self, factor: Decimal | int) -> Money:
        return Money(self.amount * to_decimal(factor), self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.amount <= other.amount

    @property
    def minor(self) -> int:
        """The rounded amount as an integer count of minor units (cents)."""
        return int(self.rounded().amount.scaleb(minor_units(self.currency)))

    def __str__(self) -> str:
        return f"{self.rounded().amount} {self.currency}"
