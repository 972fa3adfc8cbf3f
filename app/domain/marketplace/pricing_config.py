"""The pricing engine's settings: a floor and a cap per factor (`Bounds`), the table of
multipliers by project type, the shape of each factor's curve, and the checks that refuse
a setting out of range. `app.domain.marketplace.factors` turns inputs into multipliers
with them; `app.domain.marketplace.pricing` multiplies the base price by those."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType

from app.domain.shared.errors import InvalidValue

ONE = Decimal(1)
# Digits of the working precision: a 19-digit price times five multipliers stays exact.
PRECISION = 80

FACTOR_NAMES: tuple[str, ...] = (
    "project_type",
    "vintage",
    "reputation",
    "quality",
    "supply_demand",
)
FLOOR_FACTOR = "floor_price"

DEFAULT_TYPE_MULTIPLIERS: Mapping[str, Decimal] = MappingProxyType(
    {
        "direct_air_capture": Decimal("1.30"),
        "biochar": Decimal("1.25"),
        "arr": Decimal("1.20"),  # afforestation, reforestation and revegetation
        "blue_carbon": Decimal("1.20"),
        "forestry": Decimal("1.05"),
        "cookstoves": Decimal("1.05"),
        "methane_capture": Decimal("0.95"),
        "redd": Decimal("0.90"),  # avoided deforestation and degradation
        "renewable_energy": Decimal("0.80"),
        "other": ONE,
    }
)


def type_key(project_type: str) -> str:
    """How a project type is looked up in the table: trimmed, lower case, `_` for spaces
    and hyphens (`"Blue Carbon"` and `"blue-carbon"` are `"blue_carbon"`)."""
    return project_type.strip().lower().replace("-", "_").replace(" ", "_")


def exact_decimal(value: object, what: str) -> Decimal:
    """`value` when it is a finite Decimal, else InvalidValue naming `what`."""
    if not isinstance(value, Decimal) or not value.is_finite():
        raise InvalidValue(f"{what} must be a finite Decimal", code="invalid_number")
    return value


def whole_count(value: object, what: str) -> int:
    """`value` when it is a non-negative int (not a bool), else InvalidValue naming `what`."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidValue(f"{what} must be a non-negative whole number", code="invalid_number")
    return value


def _config_error(detail: str) -> InvalidValue:
    return InvalidValue(detail, code="invalid_pricing_config")


def decimal_text(value: Decimal) -> str:
    """A decimal as plain text without trailing zeros: `1.05`, `1`, `0.6`."""
    return format(value.normalize(), "f")


@dataclass(frozen=True, slots=True)
class Bounds:
    """Where a factor's multiplier is held: `floor <= multiplier <= cap`, both positive."""

    floor: Decimal
    cap: Decimal

    def __post_init__(self) -> None:
        exact_decimal(self.floor, "a factor's floor")
        exact_decimal(self.cap, "a factor's cap")
        if not 0 < self.floor <= self.cap:
            raise _config_error("a factor's floor must be positive and at most its cap")

    def clamp(self, value: Decimal) -> Decimal:
        return min(max(value, self.floor), self.cap)


def _default_types() -> Mapping[str, Decimal]:
    return DEFAULT_TYPE_MULTIPLIERS


@dataclass(frozen=True, slots=True)
class PricingConfig:
    """The engine's settings; the defaults are a sensible starting point."""

    project_type_bounds: Bounds = Bounds(Decimal("0.8"), Decimal("1.3"))
    vintage_bounds: Bounds = Bounds(Decimal("0.6"), Decimal("1.0"))
    reputation_bounds: Bounds = Bounds(Decimal("0.9"), Decimal("1.1"))
    quality_bounds: Bounds = Bounds(Decimal("1.0"), Decimal("1.4"))
    supply_demand_bounds: Bounds = Bounds(Decimal("0.85"), Decimal("1.2"))
    # Multipliers by project type (keys as `type_key` makes them); other types get 1.
    type_multipliers: Mapping[str, Decimal] = field(default_factory=_default_types)
    # Vintage: no discount for the first years of age, then a linear decline per year.
    vintage_grace_years: int = 2
    vintage_decline_per_year: Decimal = Decimal("0.04")
    # Reputation: 1 +/- spread/2 for each of the project's and the reviewers' records; a
    # record counts fully from `reputation_full_weight` cases (or approvals), in part below.
    reputation_spread: Decimal = Decimal("0.1")
    reputation_full_weight: int = 5
    # The share of the reviewers' approvals later revoked at which their record is neutral
    # (none revoked is best, twice this share or more is worst).
    reputation_revoked_neutral: Decimal = Decimal("0.1")
    # Quality: premiums added to 1.
    removal_premium: Decimal = Decimal("0.15")
    ccp_premium: Decimal = Decimal("0.10")
    corsia_premium: Decimal = Decimal("0.05")
    corresponding_adjustment_premium: Decimal = Decimal("0.10")
    # Supply and demand: tonnes ordered in the last `demand_window_days` against the tonnes
    # available; neutral when ordered / available is `demand_neutral_ratio`, and at most
    # `demand_sensitivity` away from 1 however scarce or plentiful.
    demand_window_days: int = 30
    demand_neutral_ratio: Decimal = Decimal("0.25")
    demand_sensitivity: Decimal = Decimal("0.2")
    # Decimals of each factor's multiplier (the effect a quote shows).
    multiplier_places: int = 4

    def __post_init__(self) -> None:
        for name in FACTOR_NAMES:
            if not isinstance(getattr(self, f"{name}_bounds"), Bounds):
                raise _config_error(f"{name}_bounds must be Bounds")
        if not isinstance(self.type_multipliers, Mapping):
            raise _config_error("type_multipliers must map project types to multipliers")
        table: dict[str, Decimal] = {}
        for key, value in self.type_multipliers.items():
            if not isinstance(key, str) or not type_key(key):
                raise _config_error("project types in the table must be non-empty text")
            if exact_decimal(value, f"the multiplier of {key!r}") <= 0:
                raise _config_error(f"the multiplier of {key!r} must be positive")
            table[type_key(key)] = value
        object.__setattr__(self, "type_multipliers", MappingProxyType(table))
        self._check_curves()

    def _check_curves(self) -> None:
        whole_count(self.vintage_grace_years, "vintage_grace_years")
        if not 0 <= exact_decimal(self.vintage_decline_per_year, "vintage_decline_per_year") <= 1:
            raise _config_error("vintage_decline_per_year must be between 0 and 1")
        if not 0 <= exact_decimal(self.reputation_spread, "reputation_spread") < 1:
            raise _config_error("reputation_spread must be at least 0 and below 1")
        if whole_count(self.reputation_full_weight, "reputation_full_weight") < 1:
            raise _config_error("reputation_full_weight must be at least 1")
        if (
            not 0
            < exact_decimal(self.reputation_revoked_neutral, "reputation_revoked_neutral")
            <= 1
        ):
            raise _config_error("reputation_revoked_neutral must be above 0 and at most 1")
        for premium in ("removal", "ccp", "corsia", "corresponding_adjustment"):
            if exact_decimal(getattr(self, f"{premium}_premium"), f"{premium}_premium") < 0:
                raise _config_error(f"{premium}_premium cannot be negative")
        if whole_count(self.demand_window_days, "demand_window_days") < 1:
            raise _config_error("demand_window_days must be at least 1")
        if exact_decimal(self.demand_neutral_ratio, "demand_neutral_ratio") <= 0:
            raise _config_error("demand_neutral_ratio must be positive")
        if not 0 <= exact_decimal(self.demand_sensitivity, "demand_sensitivity") < 1:
            raise _config_error("demand_sensitivity must be at least 0 and below 1")
        if not 0 <= whole_count(self.multiplier_places, "multiplier_places") <= 8:
            raise _config_error("multiplier_places must be between 0 and 8")

    def bounds(self, factor: str) -> Bounds:
        """The floor and cap of one of `FACTOR_NAMES`."""
        if factor not in FACTOR_NAMES:
            raise InvalidValue(f"unknown pricing factor {factor!r}", code="invalid_factor")
        bounds: Bounds = getattr(self, f"{factor}_bounds")
        return bounds


DEFAULT_PRICING_CONFIG = PricingConfig()
