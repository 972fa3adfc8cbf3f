"""Credit quantities: integer kilograms inside, decimal tonnes (at most 3 decimals) at the edge.

What the API accepts is the plain decimal form only: ASCII digits, an optional point and up
to three decimals (`"2.5"`, `"0.001"`, `"1000"`). No sign, exponent, spaces, separators or
other scripts' digits: `"1e3"` is not a thousand tonnes here."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from app.domain.shared.errors import InvalidValue
from app.domain.shared.money import to_decimal

KG_PER_TONNE = 1000
# Thirteen digits of tonnes: far beyond any real issuance, and in kilograms still well
# inside a signed 64-bit column.
MAX_TONNES = 10**13 - 1
MAX_KG = MAX_TONNES * KG_PER_TONNE + 999
_MAX_DECIMAL_TONNES = Decimal(MAX_KG) / KG_PER_TONNE
_ONE_KG = Decimal("0.001")
_PLAIN_TONNES = re.compile(r"(?P<whole>[0-9]+)(?:\.(?P<frac>[0-9]+))?", re.ASCII)
# The same rule as an OpenAPI pattern: at most 13 digits before the point and 3 after,
# not zero.
TONNES_PATTERN = r"^(?=.*[1-9])[0-9]{1,13}(\.[0-9]{1,3})?$"
TONNES_OR_ZERO_PATTERN = r"^[0-9]{1,13}(\.[0-9]{1,3})?$"


def parse_tonnes(text: str, *, allow_zero: bool = False) -> Quantity:
    """A positive quantity (or zero, when allowed) from the API's decimal tonnes, to the
    kilogram. The text form is checked here (what is written); the value, by `Quantity`."""
    if not isinstance(text, str):
        raise InvalidValue('quantity must be a string of decimal tonnes, e.g. "2.5"')
    match = _PLAIN_TONNES.fullmatch(text)
    if match is None:
        raise InvalidValue(
            "quantity must be plain decimal tonnes: digits 0-9, optionally a point and up to "
            '3 decimals (e.g. "2.5"); no sign, exponent, spaces or separators',
            code="invalid_quantity",
        )
    if len(match["frac"] or "") > 3:
        raise _finer_than_a_kilogram()
    if len(match["whole"]) > len(str(MAX_TONNES)):
        raise _too_large()
    quantity = Quantity.from_tonnes(Decimal(text))
    return quantity if allow_zero else quantity.positive()


def _finer_than_a_kilogram() -> InvalidValue:
    return InvalidValue(
        "quantity has more than 3 decimals (the smallest unit is a kilogram)",
        code="invalid_quantity",
    )


def _too_large() -> InvalidValue:
    return InvalidValue(
        f"quantity must be at most {MAX_TONNES} t (13 digits)", code="invalid_quantity"
    )


@dataclass(frozen=True, slots=True, order=True)
class Quantity:
    """A non-negative whole number of kilograms of CO2e (one credit is one tonne).

    The quantity rule, in one place: whole kilograms, never negative, at most `MAX_KG`
    when made from tonnes, and `positive()` where an operation needs more than nothing
    (minting, retiring)."""

    kg: int

    def __post_init__(self) -> None:
        if isinstance(self.kg, bool) or not isinstance(self.kg, int):
            raise InvalidValue(
                "quantity must be a whole number of kilograms", code="invalid_quantity"
            )
        if self.kg < 0:
            raise InvalidValue("quantity cannot be negative", code="invalid_quantity")

    @classmethod
    def from_tonnes(cls, tonnes: Decimal | int | str) -> Quantity:
        """Tonnes to kilograms; finer than a kilogram (more than three decimals) or
        beyond `MAX_TONNES` is refused."""
        value = to_decimal(tonnes)
        if abs(value) > _MAX_DECIMAL_TONNES:
            raise _too_large()
        kilograms = value.quantize(_ONE_KG)  # exact: the value is bounded
        if kilograms != value:
            raise _finer_than_a_kilogram()
        return cls(int(kilograms * KG_PER_TONNE))

    def positive(self) -> Quantity:
        """This quantity, or `InvalidValue` when it is zero."""
        if self.kg == 0:
            raise InvalidValue("quantity must be positive", code="invalid_quantity")
        return self

    @property
    def tonnes(self) -> Decimal:
        return (Decimal(self.kg) / KG_PER_TONNE).quantize(Decimal("0.001"))

    def tonnes_str(self) -> str:
        """Tonnes as the API writes them: no trailing zeros (`"12.5"`, `"3"`)."""
        return format(self.tonnes.normalize(), "f")

    def __add__(self, other: Quantity) -> Quantity:
        return Quantity(self.kg + other.kg)

    def __sub__(self, other: Quantity) -> Quantity:
        if other.kg > self.kg:
            raise InvalidValue("quantity would become negative", code="insufficient_quantity")
        return Quantity(self.kg - other.kg)

    def is_zero(self) -> bool:
        return self.kg == 0
