"""The pricing engine: a base price per tonne, adjusted by bounded and explained factors.

    unit price = max(round(base x project_type x vintage x reputation x quality x
                           supply_demand), floor)

Each factor turns one kind of input into a multiplier, rounded half-even to
`PricingConfig.multiplier_places` decimals and then held between the factor's configured
floor and cap (`Bounds`):

- `project_type`: a table of multipliers by project type (1 for a type not in the table);
- `vintage`: a curve of the vintage's age that is flat for `vintage_grace_years`, then falls
  by `vintage_decline_per_year`; it never rises with age, so an older vintage is never
  dearer than a newer one of the same project, all else equal;
- `reputation`: the project's PoAI record (rounds of changes requested per decided case) and
  its reviewers' track record (share of their approvals later revoked), each weighted by
  how much record there is;
- `quality`: premiums for a removal (rather than a reduction), CCP approval, CORSIA
  eligibility and a corresponding adjustment;
- `supply_demand`: tonnes ordered in the recent window against the tonnes of similar
  credits still available, a saturating curve that is neutral at
  `demand_neutral_ratio`.

The product is rounded to the currency's minor units (half-even). A seller's floor price is
never crossed: when the rounded price is below it, the price is the floor and a last
`floor_price` factor says so. Every factor is listed in `Price.factors` with its input value
and its effect (the multiplier as a decimal string), which is what a quote shows as
`factors[]`.

One file although longer than 300 lines: the engine's inputs, its configuration (a floor
and a cap per factor) and the five factor functions are one specification that a reader
checks side by side; most of the length is the validation of each input and setting."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, ROUND_UP, Decimal, localcontext
from types import MappingProxyType
from typing import Literal

from app.domain.shared.errors import InvalidValue
from app.domain.shared.money import MAX_WHOLE_DIGITS, Money, minor_units
from app.domain.shared.quantity import Quantity

ONE = Decimal(1)
# Digits of the working precision: a 19-digit price times five multipliers stays exact.
_PRECISION = 80

Mitigation = Literal["reduction", "removal"]

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


def _exact(value: object, what: str) -> Decimal:
    if not isinstance(value, Decimal) or not value.is_finite():
        raise InvalidValue(f"{what} must be a finite Decimal", code="invalid_number")
    return value


def _count(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidValue(f"{what} must be a non-negative whole number", code="invalid_number")
    return value


def _config_error(detail: str) -> InvalidValue:
    return InvalidValue(detail, code="invalid_pricing_config")


def _text(value: Decimal) -> str:
    """A decimal as plain text without trailing zeros: `1.05`, `1`, `0.6`."""
    return format(value.normalize(), "f")


@dataclass(frozen=True, slots=True)
class Bounds:
    """Where a factor's multiplier is held: `floor <= multiplier <= cap`, both positive."""

    floor: Decimal
    cap: Decimal

    def __post_init__(self) -> None:
        _exact(self.floor, "a factor's floor")
        _exact(self.cap, "a factor's cap")
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
            if _exact(value, f"the multiplier of {key!r}") <= 0:
                raise _config_error(f"the multiplier of {key!r} must be positive")
            table[type_key(key)] = value
        object.__setattr__(self, "type_multipliers", MappingProxyType(table))
        self._check_curves()

    def _check_curves(self) -> None:
        _count(self.vintage_grace_years, "vintage_grace_years")
        if not 0 <= _exact(self.vintage_decline_per_year, "vintage_decline_per_year") <= 1:
            raise _config_error("vintage_decline_per_year must be between 0 and 1")
        if not 0 <= _exact(self.reputation_spread, "reputation_spread") < 1:
            raise _config_error("reputation_spread must be at least 0 and below 1")
        if _count(self.reputation_full_weight, "reputation_full_weight") < 1:
            raise _config_error("reputation_full_weight must be at least 1")
        if not 0 < _exact(self.reputation_revoked_neutral, "reputation_revoked_neutral") <= 1:
            raise _config_error("reputation_revoked_neutral must be above 0 and at most 1")
        for premium in ("removal", "ccp", "corsia", "corresponding_adjustment"):
            if _exact(getattr(self, f"{premium}_premium"), f"{premium}_premium") < 0:
                raise _config_error(f"{premium}_premium cannot be negative")
        if _count(self.demand_window_days, "demand_window_days") < 1:
            raise _config_error("demand_window_days must be at least 1")
        if _exact(self.demand_neutral_ratio, "demand_neutral_ratio") <= 0:
            raise _config_error("demand_neutral_ratio must be positive")
        if not 0 <= _exact(self.demand_sensitivity, "demand_sensitivity") < 1:
            raise _config_error("demand_sensitivity must be at least 0 and below 1")
        if not 0 <= _count(self.multiplier_places, "multiplier_places") <= 8:
            raise _config_error("multiplier_places must be between 0 and 8")

    def bounds(self, factor: str) -> Bounds:
        """The floor and cap of one of `FACTOR_NAMES`."""
        if factor not in FACTOR_NAMES:
            raise InvalidValue(f"unknown pricing factor {factor!r}", code="invalid_factor")
        bounds: Bounds = getattr(self, f"{factor}_bounds")
        return bounds


DEFAULT_PRICING_CONFIG = PricingConfig()


@dataclass(frozen=True, slots=True)
class ReviewRecord:
    """The PoAI record behind the reputation factor.

    - `decided_cases`: the project's PoAI cases that reached a decision (approved or
      rejected);
    - `change_rounds`: how many times changes were requested over those cases;
    - `reviewer_approvals`: approvals given by the reviewers of the project's cases, on any
      project;
    - `reviewer_approvals_revoked`: of those, projects later suspended or struck off for
      integrity reasons.

    All zero (no record yet) is neutral."""

    decided_cases: int = 0
    change_rounds: int = 0
    reviewer_approvals: int = 0
    reviewer_approvals_revoked: int = 0

    def __post_init__(self) -> None:
        _count(self.decided_cases, "decided_cases")
        _count(self.change_rounds, "change_rounds")
        _count(self.reviewer_approvals, "reviewer_approvals")
        _count(self.reviewer_approvals_revoked, "reviewer_approvals_revoked")
        if self.reviewer_approvals_revoked > self.reviewer_approvals:
            raise InvalidValue(
                "more revoked approvals than approvals", code="invalid_review_record"
            )


@dataclass(frozen=True, slots=True)
class QualityLabels:
    """What kind of credit it is and which quality labels it carries."""

    mitigation: Mitigation = "reduction"
    ccp_approved: bool = False
    corsia_eligible: bool = False
    corresponding_adjustment: bool = False

    def __post_init__(self) -> None:
        if self.mitigation not in ("reduction", "removal"):
            raise InvalidValue(
                "mitigation is either 'reduction' or 'removal'", code="invalid_mitigation"
            )
        for label in ("ccp_approved", "corsia_eligible", "corresponding_adjustment"):
            if not isinstance(getattr(self, label), bool):
                raise InvalidValue(f"{label} must be true or false", code="invalid_label")

    def describe(self) -> str:
        labels: list[str] = [self.mitigation]
        if self.ccp_approved:
            labels.append("CCP-approved")
        if self.corsia_eligible:
            labels.append("CORSIA-eligible")
        if self.corresponding_adjustment:
            labels.append("corresponding adjustment")
        return ", ".join(labels)


@dataclass(frozen=True, slots=True)
class MarketActivity:
    """Supply and demand of similar credits, in kilograms.

    - `listed_kg`: listed on active listings;
    - `available_kg`: of those, neither reserved by open orders nor sold;
    - `ordered_kg`: ordered in the last `PricingConfig.demand_window_days`.

    All zero (no market yet) is neutral."""

    listed_kg: int = 0
    available_kg: int = 0
    ordered_kg: int = 0

    def __post_init__(self) -> None:
        _count(self.listed_kg, "listed_kg")
        _count(self.available_kg, "available_kg")
        _count(self.ordered_kg, "ordered_kg")
        if self.available_kg > self.listed_kg:
            raise InvalidValue("more available than listed", code="invalid_market_activity")


@dataclass(frozen=True, slots=True)
class PricingInputs:
    """Everything the factors read about one project vintage."""

    project_type: str
    vintage: int
    current_year: int
    reviews: ReviewRecord = ReviewRecord()
    quality: QualityLabels = QualityLabels()
    market: MarketActivity = MarketActivity()

    def __post_init__(self) -> None:
        if not isinstance(self.project_type, str):
            raise InvalidValue("project_type must be text", code="invalid_project_type")
        _count(self.vintage, "vintage")
        _count(self.current_year, "current_year")
        if self.vintage > self.current_year:
            raise InvalidValue(
                f"vintage {self.vintage} is after the current year {self.current_year}",
                code="invalid_vintage",
            )
        for name, kind in (
            ("reviews", ReviewRecord),
            ("quality", QualityLabels),
            ("market", MarketActivity),
        ):
            if not isinstance(getattr(self, name), kind):
                raise InvalidValue(f"{name} must be a {kind.__name__}", code="invalid_value")

    @property
    def vintage_age(self) -> int:
        """Whole years from the vintage to the current year (0 for this year's vintage)."""
        return self.current_year - self.vintage


@dataclass(frozen=True, slots=True)
class Factor:
    """One line of a price's explanation: what was read (`value`) and what it did
    (`effect`, the multiplier as a decimal string such as `"1.05"`)."""

    name: str
    value: str
    effect: str

    @property
    def multiplier(self) -> Decimal:
        return Decimal(self.effect)

    def as_dict(self) -> dict[str, str]:
        return {"name": self.name, "value": self.value, "effect": self.effect}


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


def _settle(raw: Decimal, bounds: Bounds, config: PricingConfig) -> Decimal:
    """A raw multiplier rounded to the configured decimals, then held in its bounds."""
    quantum = ONE.scaleb(-config.multiplier_places)
    return bounds.clamp(raw.quantize(quantum, rounding=ROUND_HALF_EVEN))


def _ratio(numerator: int, denominator: int) -> Decimal:
    return Decimal(numerator) / Decimal(denominator)


def _clamp_unit(value: Decimal) -> Decimal:
    return min(max(value, -ONE), ONE)


def project_type_multiplier(project_type: str, config: PricingConfig) -> Decimal:
    raw = config.type_multipliers.get(type_key(project_type), ONE)
    return _settle(raw, config.project_type_bounds, config)


def vintage_multiplier(age: int, config: PricingConfig) -> Decimal:
    """The vintage curve: 1 for the first `vintage_grace_years` of age, then lower by
    `vintage_decline_per_year` a year, held in the vintage bounds. Never higher for an
    older vintage: every step (the line, the rounding, the bounds) is non-increasing in
    age."""
    _count(age, "vintage age")
    with localcontext(prec=_PRECISION):
        discounted_years = max(0, age - config.vintage_grace_years)
        raw = ONE - config.vintage_decline_per_year * discounted_years
        return _settle(raw, config.vintage_bounds, config)


def reputation_multiplier(record: ReviewRecord, config: PricingConfig) -> Decimal:
    """1 + spread x (project score x its weight + reviewers' score x their weight) / 2.

    The project's score is 1 - change rounds per decided case (1 with none, -1 from two
    rounds a case); the reviewers' is 1 - (revoked share / neutral share) (1 with none
    revoked, -1 from twice the neutral share). A weight is the record's size against
    `reputation_full_weight`, at most 1; no record is weight 0."""
    full = config.reputation_full_weight
    with localcontext(prec=_PRECISION):
        project = reviewers = Decimal(0)
        if record.decided_cases:
            score = _clamp_unit(ONE - _ratio(record.change_rounds, record.decided_cases))
            project = score * min(ONE, _ratio(record.decided_cases, full))
        if record.reviewer_approvals:
            revoked = _ratio(record.reviewer_approvals_revoked, record.reviewer_approvals)
            score = _clamp_unit(ONE - revoked / config.reputation_revoked_neutral)
            reviewers = score * min(ONE, _ratio(record.reviewer_approvals, full))
        raw = ONE + config.reputation_spread * (project + reviewers) / 2
        return _settle(raw, config.reputation_bounds, config)


def quality_multiplier(labels: QualityLabels, config: PricingConfig) -> Decimal:
    """1 plus the premium of each label the credit carries."""
    raw = ONE
    if labels.mitigation == "removal":
        raw += config.removal_premium
    if labels.ccp_approved:
        raw += config.ccp_premium
    if labels.corsia_eligible:
        raw += config.corsia_premium
    if labels.corresponding_adjustment:
        raw += config.corresponding_adjustment_premium
    return _settle(raw, config.quality_bounds, config)


def supply_demand_multiplier(market: MarketActivity, config: PricingConfig) -> Decimal:
    """1 + sensitivity x (ordered - neutral x available) / (ordered + neutral x available):
    1 at the neutral ratio, towards 1 - sensitivity when nothing is ordered and towards
    1 + sensitivity when little or nothing is left. No activity at all is 1."""
    with localcontext(prec=_PRECISION):
        demand = Decimal(market.ordered_kg)
        supply = config.demand_neutral_ratio * market.available_kg
        raw = ONE
        if demand + supply > 0:
            raw += config.demand_sensitivity * (demand - supply) / (demand + supply)
        return _settle(raw, config.supply_demand_bounds, config)


def _tonnes(kg: int) -> str:
    return f"{Quantity(kg).tonnes_str()} t"


def explain_factors(inputs: PricingInputs, config: PricingConfig) -> list[Factor]:
    """The five factors for these inputs, in the order of `FACTOR_NAMES`."""
    known = type_key(inputs.project_type) in config.type_multipliers
    reviews, market = inputs.reviews, inputs.market
    return [
        Factor(
            "project_type",
            inputs.project_type if known else f"{inputs.project_type} (not in the table)",
            _text(project_type_multiplier(inputs.project_type, config)),
        ),
        Factor(
            "vintage",
            f"{inputs.vintage} (age {inputs.vintage_age})",
            _text(vintage_multiplier(inputs.vintage_age, config)),
        ),
        Factor(
            "reputation",
            f"{reviews.decided_cases} decided cases, {reviews.change_rounds} change rounds;"
            f" reviewers: {reviews.reviewer_approvals} approvals,"
            f" {reviews.reviewer_approvals_revoked} revoked",
            _text(reputation_multiplier(reviews, config)),
        ),
        Factor(
            "quality",
            inputs.quality.describe(),
            _text(quality_multiplier(inputs.quality, config)),
        ),
        Factor(
            "supply_demand",
            f"{_tonnes(market.ordered_kg)} ordered in {config.demand_window_days} days;"
            f" {_tonnes(market.available_kg)} available of {_tonnes(market.listed_kg)} listed",
            _text(supply_demand_multiplier(market, config)),
        ),
    ]


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
    with localcontext(prec=_PRECISION):
        exact = base.amount
        for factor in factors:
            exact *= factor.multiplier
        unit_price = Money(exact, base.currency).rounded()
        if floor is not None and unit_price < floor:
            lift = (floor.amount / exact).quantize(
                ONE.scaleb(-config.multiplier_places), rounding=ROUND_UP
            )
            factors.append(Factor(FLOOR_FACTOR, str(floor.rounded()), _text(lift)))
            unit_price = floor.rounded()
    return Price(unit_price=unit_price, base_price=base, factors=factors)
