"""Credit quantities: integer kilograms inside, decimal tonnes (at most 3 decimals) at the edge."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from app.domain.shared.errors import InvalidValue
from app.domain.shared.money import to_decimal

KG_PER_TONNE = 1000


@dataclass(frozen=True, slots=True, order=True)
class Quantity:
    """A non-negative whole number of kilograms of CO2e (one credit is one tonne)."""

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
        """Parse tonnes; more than three decimals (finer than a kilogram) is refused."""
        value = to_decimal(tonnes) * KG_PER_TONNE
        if value != value.to_integral_value():
            raise InvalidValue("quantity has more than 3 decimals", code="invalid_quantity")
        return cls(int(value))

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
