"""The pricing engine: a base price per tonne, adjusted by bounded and explained factors
(`app.domain.marketplace.factors`, set by `app.domain.marketplace.pricing_config`).

    unit price = max(round(base x project_type x vintage x reputation x quality x
                           supply_demand), floor)

The product is rounded to the currency's minor units (half-even). A seller's floor price is
never crossed: when the rounded price is below it, the price is the floor and a last
`floor_price` factor says so. Every factor is listed in `Price.factors` with its input value
and its effect (the multiplier as a decimal string), which is what a quote shows as
`factors[]`."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_UP, localcontext

from app.domain.marketplace.factors import Factor, PricingInputs, explain_factors
from app.domain.marketplace.pricing_config import (
    DEFAULT_PRICING_CONFIG,
    FLOOR_FACTOR,
    ONE,
    PRECISION,
    PricingConfig,
    decimal_text,
)
from app.domain.shared.errors import InvalidValue
from app.domain.shared.money import MAX_WHOLE_DIGITS, Money, minor_units


@dataclass(frozen=True, slots=True)
class Price:
    """A unit price per tonne, rounded to the currency's minor units, with every factor that
    made it (the five of `FACTOR_NAMES` in that order, then `floor_price` if the seller's
    floor lifted the price)."""

    unit_price: Money
    base_price: Money
    factors: list[Factor]

    @property
    def floored(self) -> bool:
        """Whether the price is the seller's floor rather than the computed price."""
        return any(factor.name == FLOOR_FACTOR for factor in self.factors)

    def explanation(self) -> list[dict[str, str]]:
        """The factors as the API writes them: `[{name, value, effect}, ...]`."""
        return [factor.as_dict() for factor in self.factors]


def _check_price(price: object, what: str) -> Money:
    if not isinstance(price, Money):
        raise InvalidValue(f"the {what} must be Money", code="invalid_price")
    if price.amount < 0:
        raise InvalidValue(f"the {what} cannot be negative", code="invalid_price")
    if price.amount >= 10**MAX_WHOLE_DIGITS:
        raise InvalidValue(
            f"the {what} has more than {MAX_WHOLE_DIGITS} digits before the point",
            code="invalid_price",
        )
    if price.rounded().amount != price.amount:
        raise InvalidValue(
            f"the {what} has more decimals than {price.currency} has"
            f" ({minor_units(price.currency)})",
            code="invalid_price",
        )
    return price


def compute_price(
    base: Money,
    inputs: PricingInputs,
    *,
    floor: Money | None = None,
    config: PricingConfig = DEFAULT_PRICING_CONFIG,
) -> Price:
    """The unit price per tonne: the base price times every factor's bounded multiplier,
    rounded half-even to the currency's minor units, and never below `floor` (the seller's
    floor price, in the base price's currency). Both prices are non-negative amounts in
    whole minor units with at most `MAX_WHOLE_DIGITS` digits before the point; the base is
    positive."""
    _check_price(base, "base price")
    if base.amount == 0:
        raise InvalidValue("the base price must be positive", code="invalid_price")
    if floor is not None:
        _check_price(floor, "floor price")
        if floor.currency != base.currency:
            raise InvalidValue(
                f"the floor price is in {floor.currency}, the base price in {base.currency}",
                code="currency_mismatch",
            )
    factors = explain_factors(inputs, config)
    with localcontext(prec=PRECISION):
        exact = base.amount
        for factor in factors:
            exact *= factor.multiplier
        unit_price = Money(exact, base.currency).rounded()
        if floor is not None and unit_price < floor:
            lift = (floor.amount / exact).quantize(
                ONE.scaleb(-config.multiplier_places), rounding=ROUND_UP
            )
            factors.append(Factor(FLOOR_FACTOR, str(floor.rounded()), decimal_text(lift)))
            unit_price = floor.rounded()
    return Price(unit_price=unit_price, base_price=base, factors=factors)
