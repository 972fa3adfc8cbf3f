"""The five factors of a price, each turning one kind of input into a multiplier, rounded
half-even to `PricingConfig.multiplier_places` decimals and then held between the
factor's configured floor and cap (`Bounds`):

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

Each is listed in a price's explanation as a `Factor`: its input value and its effect (the
multiplier as a decimal string)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from typing import Literal

from app.domain.marketplace.pricing_config import (
    ONE,
    PRECISION,
    Bounds,
    PricingConfig,
    decimal_text,
    type_key,
    whole_count,
)
from app.domain.shared.errors import InvalidValue
from app.domain.shared.quantity import Quantity

Mitigation = Literal["reduction", "removal"]


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
        whole_count(self.decided_cases, "decided_cases")
        whole_count(self.change_rounds, "change_rounds")
        whole_count(self.reviewer_approvals, "reviewer_approvals")
        whole_count(self.reviewer_approvals_revoked, "reviewer_approvals_revoked")
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
        whole_count(self.listed_kg, "listed_kg")
        whole_count(self.available_kg, "available_kg")
        whole_count(self.ordered_kg, "ordered_kg")
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
        whole_count(self.vintage, "vintage")
        whole_count(self.current_year, "current_year")
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
    whole_count(age, "vintage age")
    with localcontext(prec=PRECISION):
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
    with localcontext(prec=PRECISION):
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
    with localcontext(prec=PRECISION):
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
            decimal_text(project_type_multiplier(inputs.project_type, config)),
        ),
        Factor(
            "vintage",
            f"{inputs.vintage} (age {inputs.vintage_age})",
            decimal_text(vintage_multiplier(inputs.vintage_age, config)),
        ),
        Factor(
            "reputation",
            f"{reviews.decided_cases} decided cases, {reviews.change_rounds} change rounds;"
            f" reviewers: {reviews.reviewer_approvals} approvals,"
            f" {reviews.reviewer_approvals_revoked} revoked",
            decimal_text(reputation_multiplier(reviews, config)),
        ),
        Factor(
            "quality",
            inputs.quality.describe(),
            decimal_text(quality_multiplier(inputs.quality, config)),
        ),
        Factor(
            "supply_demand",
            f"{_tonnes(market.ordered_kg)} ordered in {config.demand_window_days} days;"
            f" {_tonnes(market.available_kg)} available of {_tonnes(market.listed_kg)} listed",
            decimal_text(supply_demand_multiplier(market, config)),
        ),
    ]
