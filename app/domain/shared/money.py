"""Money: a Decimal amount in an ISO 4217 currency, rounded half-even to its minor units."""

from __future__ import annotations

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
        return Money(self.amount.quantize(quantum, rounding=ROUND_HALF_EVEN), self.currency)

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
