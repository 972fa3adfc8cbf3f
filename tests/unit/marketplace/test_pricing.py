"""The pricing engine: each factor held in its floor and cap, the vintage curve never rising
with age, the seller's floor never crossed, rounding per currency, every factor explained."""

from __future__ import annotations

from decimal import Decimal
from itertools import pairwise

import pytest

from app.domain.marketplace.factors import (
    MarketActivity,
    PricingInputs,
    QualityLabels,
    ReviewRecord,
    project_type_multiplier,
    quality_multiplier,
    reputation_multiplier,
    supply_demand_multiplier,
    vintage_multiplier,
)
from app.domain.marketplace.pricing import compute_price
from app.domain.marketplace.pricing_config import (
    DEFAULT_PRICING_CONFIG,
    FACTOR_NAMES,
    FLOOR_FACTOR,
    Bounds,
    PricingConfig,
)
from app.domain.shared.errors import InvalidValue, RuleViolation
from app.domain.shared.money import Money

D = Decimal
CONFIG = DEFAULT_PRICING_CONFIG


def _inputs(**changes: object) -> PricingInputs:
    values: dict[str, object] = {"project_type": "other", "vintage": 2025, "current_year": 2025}
    values.update(changes)
    return PricingInputs(**values)  # type: ignore[arg-type]


def test_the_default_floors_and_caps() -> None:
    assert {
        name: (CONFIG.bounds(name).floor, CONFIG.bounds(name).cap) for name in FACTOR_NAMES
    } == {
        "project_type": (D("0.8"), D("1.3")),
        "vintage": (D("0.6"), D("1.0")),
        "reputation": (D("0.9"), D("1.1")),
        "quality": (D("1.0"), D("1.4")),
        "supply_demand": (D("0.85"), D("1.2")),
    }


# project type


def test_project_types_read_the_table_and_unknown_types_are_neutral() -> None:
    assert project_type_multiplier("arr", CONFIG) == D("1.20")
    assert project_type_multiplier("REDD", CONFIG) == D("0.90")
    assert project_type_multiplier(" Blue Carbon ", CONFIG) == D("1.20")
    assert project_type_multiplier("direct-air-capture", CONFIG) == D("1.30")
    assert project_type_multiplier("seaweed farming", CONFIG) == 1


def test_a_project_type_multiplier_is_held_between_its_floor_and_cap() -> None:
    config = PricingConfig(type_multipliers={"dear": D("2.5"), "cheap": D("0.1")})
    assert project_type_multiplier("dear", config) == D("1.3")
    assert project_type_multiplier("cheap", config) == D("0.8")
    assert project_type_multiplier("arr", config) == 1  # a table replaces the default one


# vintage


def test_the_vintage_curve_is_flat_then_falls_to_its_floor() -> None:
    curve = [vintage_multiplier(age, CONFIG) for age in range(16)]
    assert curve[:3] == [1, 1, 1]
    assert curve[3:8] == [D("0.96"), D("0.92"), D("0.88"), D("0.84"), D("0.80")]
    assert curve[12:] == [D("0.6")] * 4
    assert vintage_multiplier(200, CONFIG) == D("0.6")


def test_the_vintage_curve_never_rises_with_age() -> None:
    for config in (
        CONFIG,
        PricingConfig(vintage_grace_years=0, vintage_decline_per_year=D("0.0333")),
        PricingConfig(vintage_bounds=Bounds(D("0.5"), D("0.9")), vintage_decline_per_year=D(1)),
        PricingConfig(vintage_decline_per_year=D(0)),
    ):
        curve = [vintage_multiplier(age, config) for age in range(80)]
        assert all(older <= newer for newer, older in pairwise(curve))
        assert all(config.vintage_bounds.floor <= m <= config.vintage_bounds.cap for m in curve)


def test_an_older_vintage_is_never_dearer_than_a_newer_one() -> None:
    base = Money.of("20.00", "EUR")
    prices = [
        compute_price(base, _inputs(vintage=year, current_year=2030)).unit_price.amount
        for year in range(2030, 2000, -1)
    ]
    assert prices == sorted(prices, reverse=True)
    assert prices[0] == D("20.00")
    assert prices[-1] == D("12.00")


# reputation


def test_no_review_record_is_neutral() -> None:
    assert reputation_multiplier(ReviewRecord(), CONFIG) == 1


def test_a_full_clean_record_reaches_the_cap_and_a_bad_one_the_floor() -> None:
    clean = ReviewRecord(decided_cases=5, change_rounds=0, reviewer_approvals=40)
    bad = ReviewRecord(
        decided_cases=5, change_rounds=10, reviewer_approvals=40, reviewer_approvals_revoked=8
    )
    assert reputation_multiplier(clean, CONFIG) == D("1.1")
    assert reputation_multiplier(bad, CONFIG) == D("0.9")


def test_a_short_record_counts_in_part() -> None:
    # one clean case of five for full weight: +0.1 x (1 x 1/5) / 2
    assert reputation_multiplier(ReviewRecord(decided_cases=1), CONFIG) == D("1.01")
    # reviewers: 2 approvals, none revoked: +0.1 x (2/5) / 2
    assert reputation_multiplier(ReviewRecord(reviewer_approvals=2), CONFIG) == D("1.02")
    # one round of changes per case and 10 % revoked: both neutral
    neutral = ReviewRecord(
        decided_cases=4, change_rounds=4, reviewer_approvals=10, reviewer_approvals_revoked=1
    )
    assert reputation_multiplier(neutral, CONFIG) == 1


def test_a_reputation_multiplier_is_held_between_its_floor_and_cap() -> None:
    config = PricingConfig(reputation_spread=D("0.9"))
    clean = ReviewRecord(decided_cases=9, reviewer_approvals=9)
    bad = ReviewRecord(
        decided_cases=9, change_rounds=99, reviewer_approvals=9, reviewer_approvals_revoked=9
    )
    assert reputation_multiplier(clean, config) == D("1.1")
    assert reputation_multiplier(bad, config) == D("0.9")


# quality


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        (QualityLabels(), D("1")),
        (QualityLabels(mitigation="removal"), D("1.15")),
        (QualityLabels(ccp_approved=True), D("1.10")),
        (QualityLabels(corsia_eligible=True), D("1.05")),
        (QualityLabels(corresponding_adjustment=True), D("1.10")),
        (QualityLabels("removal", True, True, True), D("1.4")),
    ],
)
def test_quality_labels_add_their_premiums(labels: QualityLabels, expected: Decimal) -> None:
    assert quality_multiplier(labels, CONFIG) == expected


def test_a_quality_multiplier_is_held_between_its_floor_and_cap() -> None:
    config = PricingConfig(removal_premium=D("0.5"), quality_bounds=Bounds(D("1.02"), D("1.4")))
    assert quality_multiplier(QualityLabels("removal", True), config) == D("1.4")
    assert quality_multiplier(QualityLabels(), config) == D("1.02")


# supply and demand


def test_no_market_and_the_neutral_ratio_are_neutral() -> None:
    assert supply_demand_multiplier(MarketActivity(), CONFIG) == 1
    neutral = MarketActivity(listed_kg=900_000, available_kg=800_000, ordered_kg=200_000)
    assert supply_demand_multiplier(neutral, CONFIG) == 1


def test_scarcity_raises_and_plenty_lowers_within_the_bounds() -> None:
    unsold = MarketActivity(listed_kg=10_000_000, available_kg=10_000_000, ordered_kg=0)
    sold_out = MarketActivity(listed_kg=10_000_000, available_kg=0, ordered_kg=5_000)
    brisk = MarketActivity(listed_kg=1_000_000, available_kg=400_000, ordered_kg=300_000)
    assert supply_demand_multiplier(unsold, CONFIG) == D("0.85")  # 0.8, held at the floor
    assert supply_demand_multiplier(sold_out, CONFIG) == D("1.2")  # the cap
    # 1 + 0.2 x (300 - 100) / (300 + 100)
    assert supply_demand_multiplier(brisk, CONFIG) == D("1.1")


# the price


def test_the_price_is_the_base_times_every_factor() -> None:
    inputs = PricingInputs(
        project_type="arr",
        vintage=2019,
        current_year=2025,
        reviews=ReviewRecord(decided_cases=5, reviewer_approvals=10),
        quality=QualityLabels(mitigation="removal", ccp_approved=True),
        market=MarketActivity(listed_kg=1_000_000, available_kg=400_000, ordered_kg=300_000),
    )
    price = compute_price(Money.of("10.00", "USD"), inputs)
    # 10 x 1.2 x 0.84 x 1.1 x 1.25 x 1.1
    assert price.unit_price == Money.of("15.25", "USD")
    assert price.unit_price.amount == D("15.25")
    assert price.base_price == Money.of("10.00", "USD")
    assert not price.floored
    assert price.explanation() == [
        {"name": "project_type", "value": "arr", "effect": "1.2"},
        {"name": "vintage", "value": "2019 (age 6)", "effect": "0.84"},
        {
            "name": "reputation",
            "value": "5 decided cases, 0 change rounds; reviewers: 10 approvals, 0 revoked",
            "effect": "1.1",
        },
        {"name": "quality", "value": "removal, CCP-approved", "effect": "1.25"},
        {
            "name": "supply_demand",
            "value": "300 t ordered in 30 days; 400 t available of 1000 t listed",
            "effect": "1.1",
        },
    ]


def test_every_factor_is_explained_even_when_neutral() -> None:
    price = compute_price(Money.of("8", "EUR"), _inputs(project_type="kelp"))
    assert [factor.name for factor in price.factors] == list(FACTOR_NAMES)
    assert [factor.effect for factor in price.factors] == ["1"] * 5
    assert price.factors[0].value == "kelp (not in the table)"
    assert price.unit_price.amount == D("8.00")


def test_the_floor_lifts_the_price_and_says_so() -> None:
    old = _inputs(vintage=2005, current_year=2025)  # vintage 0.6
    price = compute_price(Money.of("10.00", "EUR"), old, floor=Money.of("7.50", "EUR"))
    assert price.unit_price.amount == D("7.50")
    assert price.floored
    floor = price.factors[-1]
    assert (floor.name, floor.value, floor.effect) == (FLOOR_FACTOR, "7.50 EUR", "1.25")
    assert [factor.name for factor in price.factors[:-1]] == list(FACTOR_NAMES)


def test_a_floor_below_the_price_changes_nothing() -> None:
    old = _inputs(vintage=2005, current_year=2025)
    for floor in ("5.00", "6.00", "0"):
        price = compute_price(Money.of("10.00", "EUR"), old, floor=Money.of(floor, "EUR"))
        assert price.unit_price.amount == D("6.00")
        assert not price.floored


def test_a_price_that_rounds_up_to_the_floor_is_the_floor_without_a_lift() -> None:
    config = PricingConfig(type_multipliers={"t": D("0.9999")})
    price = compute_price(
        Money.of("10.00", "EUR"),
        _inputs(project_type="t"),
        floor=Money.of("10.00", "EUR"),
        config=config,
    )
    assert price.unit_price.amount == D("10.00")  # 9.999 rounds to the floor itself
    assert not price.floored


def test_the_floor_lift_is_rounded_up() -> None:
    config = PricingConfig(type_multipliers={"t": D("0.8")})
    price = compute_price(
        Money.of("3", "JPY"),
        _inputs(project_type="t"),
        floor=Money.of("3", "JPY"),
        config=config,
    )
    # 3 x 0.8 = 2.4 rounds to 2, below the floor of 3: lifted by 3 / 2.4 = 1.25
    assert price.unit_price == Money.of("3", "JPY")
    assert price.factors[-1].effect == "1.25"


@pytest.mark.parametrize(
    ("base", "currency", "expected"),
    [
        ("1000", "JPY", "1002"),  # 1002.5: half-even keeps the even 2
        ("1002", "JPY", "1005"),  # 1004.505
        ("1.000", "BHD", "1.002"),  # 1.0025
        ("1.002", "BHD", "1.005"),  # 1.004505
        ("2.00", "EUR", "2.00"),  # 2.005
        ("6.00", "EUR", "6.02"),  # 6.015: 1 is odd, goes up
        ("1.0000", "CLF", "1.0025"),  # four decimals: nothing to round
    ],
)
def test_the_price_is_rounded_half_even_to_the_currency(
    base: str, currency: str, expected: str
) -> None:
    config = PricingConfig(type_multipliers={"t": D("1.0025")})
    price = compute_price(Money.of(base, currency), _inputs(project_type="t"), config=config)
    assert price.unit_price.amount == D(expected)
    assert str(price.unit_price.amount) == expected  # the currency's decimals, no more


# refusals


@pytest.mark.parametrize(
    ("base", "floor", "code"),
    [
        (Money(D("-1"), "EUR"), None, "invalid_price"),
        (Money(D("0"), "EUR"), None, "invalid_price"),
        (Money(D("1.005"), "EUR"), None, "invalid_price"),
        (Money(D("1e15"), "EUR"), None, "invalid_price"),
        (Money(D("10"), "EUR"), Money(D("5"), "USD"), "currency_mismatch"),
        (Money(D("10"), "EUR"), Money(D("-5"), "EUR"), "invalid_price"),
        (Money(D("10"), "EUR"), Money(D("5.001"), "EUR"), "invalid_price"),
        (Money(D("10"), "JPY"), Money(D("5.5"), "JPY"), "invalid_price"),
    ],
)
def test_bad_prices_are_refused(base: Money, floor: Money | None, code: str) -> None:
    with pytest.raises(InvalidValue) as error:
        compute_price(base, _inputs(), floor=floor)
    assert error.value.code == code


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(RuleViolation, match="after the current year"):
        _inputs(vintage=2026, current_year=2025)
    with pytest.raises(InvalidValue):
        _inputs(vintage=True)
    with pytest.raises(InvalidValue):
        ReviewRecord(reviewer_approvals=1, reviewer_approvals_revoked=2)
    with pytest.raises(InvalidValue):
        ReviewRecord(decided_cases=-1)
    with pytest.raises(InvalidValue):
        MarketActivity(listed_kg=10, available_kg=11)
    with pytest.raises(InvalidValue):
        QualityLabels(mitigation="avoidance")  # type: ignore[arg-type]
    with pytest.raises(InvalidValue):
        QualityLabels(ccp_approved=1)  # type: ignore[arg-type]


def test_bad_configurations_are_refused() -> None:
    with pytest.raises(InvalidValue):
        Bounds(D("1.2"), D("1.1"))
    with pytest.raises(InvalidValue):
        Bounds(D("0"), D("1.1"))
    with pytest.raises(InvalidValue):
        Bounds(0.9, D("1.1"))  # type: ignore[arg-type]
    with pytest.raises(InvalidValue):
        PricingConfig(vintage_decline_per_year=D("-0.01"))
    with pytest.raises(InvalidValue):
        PricingConfig(type_multipliers={"arr": D("0")})
    with pytest.raises(InvalidValue):
        PricingConfig(demand_sensitivity=D("1"))
    with pytest.raises(InvalidValue):
        PricingConfig(removal_premium=0.1)  # type: ignore[arg-type]
    with pytest.raises(InvalidValue):
        CONFIG.bounds("weather")
