"""Properties of the pricing engine over arbitrary inputs: every multiplier inside its
bounds, the price never below the seller's floor, always in whole minor units, and never
higher for an older vintage."""

from __future__ import annotations

from decimal import Decimal, localcontext

from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.marketplace.factors import (
    MarketActivity,
    PricingInputs,
    QualityLabels,
    ReviewRecord,
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
from app.domain.shared.money import Money, minor_units

PROPERTY = settings(max_examples=200, deadline=None)
CURRENCIES = ["JPY", "EUR", "USD", "BHD", "KWD", "CLF"]


@st.composite
def money(draw: st.DrawFn, currency: str, *, minimum: int = 0) -> Money:
    units = draw(st.integers(min_value=minimum, max_value=10**12))
    return Money(Decimal(units).scaleb(-minor_units(currency)), currency)


@st.composite
def review_records(draw: st.DrawFn) -> ReviewRecord:
    approvals = draw(st.integers(0, 500))
    return ReviewRecord(
        decided_cases=draw(st.integers(0, 50)),
        change_rounds=draw(st.integers(0, 200)),
        reviewer_approvals=approvals,
        reviewer_approvals_revoked=draw(st.integers(0, approvals)),
    )


@st.composite
def market_activity(draw: st.DrawFn) -> MarketActivity:
    listed = draw(st.integers(0, 10**16))
    return MarketActivity(
        listed_kg=listed,
        available_kg=draw(st.integers(0, listed)),
        ordered_kg=draw(st.integers(0, 10**16)),
    )


@st.composite
def pricing_inputs(draw: st.DrawFn) -> PricingInputs:
    current = draw(st.integers(2000, 2100))
    return PricingInputs(
        project_type=draw(
            st.one_of(st.sampled_from(sorted(DEFAULT_PRICING_CONFIG.type_multipliers)), st.text())
        ),
        vintage=draw(st.integers(1950, current)),
        current_year=current,
        reviews=draw(review_records()),
        quality=QualityLabels(
            mitigation=draw(st.sampled_from(["reduction", "removal"])),
            ccp_approved=draw(st.booleans()),
            corsia_eligible=draw(st.booleans()),
            corresponding_adjustment=draw(st.booleans()),
        ),
        market=draw(market_activity()),
    )


multipliers = st.decimals(min_value="0.01", max_value="3", places=4)


@st.composite
def bounds(draw: st.DrawFn) -> Bounds:
    low, high = sorted([draw(multipliers), draw(multipliers)])
    return Bounds(low, high)


@st.composite
def configs(draw: st.DrawFn) -> PricingConfig:
    return PricingConfig(
        project_type_bounds=draw(bounds()),
        vintage_bounds=draw(bounds()),
        reputation_bounds=draw(bounds()),
        quality_bounds=draw(bounds()),
        supply_demand_bounds=draw(bounds()),
        type_multipliers=draw(st.dictionaries(st.sampled_from(["arr", "redd", "t"]), multipliers)),
        vintage_grace_years=draw(st.integers(0, 10)),
        vintage_decline_per_year=draw(st.decimals(min_value=0, max_value=1, places=5)),
        reputation_spread=draw(st.decimals(min_value=0, max_value="0.99", places=3)),
        reputation_full_weight=draw(st.integers(1, 20)),
        removal_premium=draw(st.decimals(min_value=0, max_value=1, places=3)),
        demand_neutral_ratio=draw(st.decimals(min_value="0.001", max_value=10, places=3)),
        demand_sensitivity=draw(st.decimals(min_value=0, max_value="0.99", places=3)),
        multiplier_places=draw(st.integers(0, 8)),
    )


@st.composite
def priced(draw: st.DrawFn) -> tuple[Money, Money | None, PricingInputs, PricingConfig]:
    currency = draw(st.sampled_from(CURRENCIES))
    base = draw(money(currency, minimum=1))
    floor = draw(st.one_of(st.none(), money(currency)))
    config = draw(st.one_of(st.just(DEFAULT_PRICING_CONFIG), configs()))
    return base, floor, draw(pricing_inputs()), config


@PROPERTY
@given(priced())
def test_no_input_leaves_the_bounds_or_crosses_the_floor(
    case: tuple[Money, Money | None, PricingInputs, PricingConfig],
) -> None:
    base, floor, inputs, config = case
    price = compute_price(base, inputs, floor=floor, config=config)

    names = [factor.name for factor in price.factors]
    assert names[:5] == list(FACTOR_NAMES)
    assert names[5:] in ([], [FLOOR_FACTOR])
    for factor in price.factors[:5]:
        bounds_of = config.bounds(factor.name)
        assert bounds_of.floor <= factor.multiplier <= bounds_of.cap
        assert Decimal(factor.effect) == factor.multiplier

    unit = price.unit_price
    assert unit.currency == base.currency
    assert unit.rounded() == unit
    assert unit.amount.as_tuple().exponent == -minor_units(unit.currency)
    if floor is not None:
        assert floor.amount <= unit.amount
    with localcontext(prec=100):  # exact, as the engine computes it
        computed = base
        for factor in price.factors[:5]:
            computed = computed * factor.multiplier
        computed = computed.rounded()
    if price.floored:
        assert floor is not None
        assert unit.amount == floor.amount
        assert computed.amount < floor.amount
        assert Decimal(price.factors[-1].effect) >= 1
    else:
        assert unit.amount == computed.amount


@PROPERTY
@given(configs(), st.integers(0, 150), st.integers(0, 150))
def test_the_vintage_curve_never_rises_with_age(config: PricingConfig, a: int, b: int) -> None:
    younger, older = sorted([a, b])
    assert vintage_multiplier(older, config) <= vintage_multiplier(younger, config)
    assert config.vintage_bounds.floor <= vintage_multiplier(older, config)
    assert vintage_multiplier(younger, config) <= config.vintage_bounds.cap


@PROPERTY
@given(priced(), st.integers(0, 60))
def test_an_older_vintage_of_the_same_project_is_never_dearer(
    case: tuple[Money, Money | None, PricingInputs, PricingConfig], years_older: int
) -> None:
    base, floor, inputs, config = case
    older = PricingInputs(
        project_type=inputs.project_type,
        vintage=inputs.vintage - years_older,
        current_year=inputs.current_year,
        reviews=inputs.reviews,
        quality=inputs.quality,
        market=inputs.market,
    )
    newer_price = compute_price(base, inputs, floor=floor, config=config).unit_price
    older_price = compute_price(base, older, floor=floor, config=config).unit_price
    assert older_price.amount <= newer_price.amount
