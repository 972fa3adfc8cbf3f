"""Fees and their distribution: a subtotal, fees rounded each to the minor unit, a total that
is exactly their sum, and shares of it (and of any part of it) that add up to the unit."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.marketplace.fees import (
    DEFAULT_FEE_SCHEDULE,
    MAX_RATE,
    PAYMENT_METHODS,
    Distribution,
    FeeSchedule,
    allocate,
    check_rate,
    compute_charge,
    parse_rate,
    subtotal_of,
)
from app.domain.shared.errors import InvalidValue
from app.domain.shared.money import Money, minor_units
from app.domain.shared.quantity import Quantity

D = Decimal
PROPERTY = settings(max_examples=200, deadline=None)


def _schedule(platform: str = "0.05", **processing: str) -> FeeSchedule:
    rates = {"card": "0.029", "bank_transfer": "0.005", "crypto": "0.01", "invoice": "0"}
    rates.update(processing)
    return FeeSchedule(D(platform), {method: D(rate) for method, rate in rates.items()})


@pytest.mark.parametrize(
    ("kg", "unit", "currency", "expected"),
    [
        (2_500, "12.50", "EUR", "31.25"),
        (1, "0.01", "EUR", "0.00"),
        (500, "0.05", "EUR", "0.02"),  # 0.025: half-even keeps the even 2
        (500, "0.07", "EUR", "0.04"),  # 0.035: 3 is odd, goes up
        (500, "5", "JPY", "2"),  # 2.5
        (1_500, "5", "JPY", "8"),  # 7.5
        (1, "2.500", "BHD", "0.002"),  # 0.0025
        (3, "0.5", "CLF", "0.0015"),
    ],
)
def test_the_subtotal_is_the_price_per_tonne_times_the_kilograms(
    kg: int, unit: str, currency: str, expected: str
) -> None:
    subtotal = subtotal_of(Quantity(kg), Money(D(unit), currency))
    assert str(subtotal.amount) == expected
    assert subtotal.currency == currency


def test_a_charge_lists_the_platform_and_processing_fees() -> None:
    charge = compute_charge(Quantity(2_500), Money.of("12.50", "EUR"), DEFAULT_FEE_SCHEDULE, "card")
    assert charge.subtotal == Money.of("31.25", "EUR")
    assert [fee.as_dict() for fee in charge.fees] == [
        {"kind": "platform", "rate": "0.05", "amount": "1.56"},  # 1.5625
        {"kind": "processing", "rate": "0.029", "amount": "0.91"},  # 0.90625
    ]
    assert charge.total.amount == D("33.72")
    assert charge.distribution == Distribution(
        issuer_proceeds=Money.of("31.25", "EUR"),
        platform=Money.of("1.56", "EUR"),
        processor=Money.of("0.91", "EUR"),
    )
    assert charge.distribution.total == charge.total
    assert charge.method == "card"


def test_an_enterprise_rate_replaces_the_platform_rate() -> None:
    schedule = DEFAULT_FEE_SCHEDULE.for_organization(D("0.02"))
    charge = compute_charge(Quantity(10_000), Money.of("20.00", "USD"), schedule, "invoice")
    assert [fee.as_dict() for fee in charge.fees] == [
        {"kind": "enterprise", "rate": "0.02", "amount": "4.00"},
        {"kind": "processing", "rate": "0", "amount": "0.00"},
    ]
    assert charge.total.amount == D("204.00")
    assert schedule.for_organization(None).platform_kind == "platform"


def test_zero_decimal_currencies_round_every_part_to_whole_units() -> None:
    charge = compute_charge(Quantity(1_500), Money.of("1999", "JPY"), _schedule(), "card")
    # 2998.5 -> 2998; 5 % = 149.9 -> 150; 2.9 % = 86.942 -> 87
    assert (charge.subtotal.amount, charge.total.amount) == (D("2998"), D("3235"))
    assert [fee.amount.amount for fee in charge.fees] == [D("150"), D("87")]


def test_three_decimal_currencies_keep_their_third_decimal() -> None:
    charge = compute_charge(Quantity(333), Money.of("7.125", "BHD"), _schedule(), "crypto")
    # 2.372625 -> 2.373; 5 % = 0.11865 -> 0.119; 1 % = 0.02373 -> 0.024
    assert charge.subtotal.amount == D("2.373")
    assert [fee.amount.amount for fee in charge.fees] == [D("0.119"), D("0.024")]
    assert charge.total.amount == D("2.516")


def test_bad_rates_are_refused() -> None:
    for rate in (D("-0.01"), D("0.51"), D("1"), D("0.0000001"), D("NaN"), 0.05, True, "0.05"):
        with pytest.raises(InvalidValue) as error:
            check_rate(rate)
        assert error.value.code == "invalid_rate"
    assert check_rate(MAX_RATE) == MAX_RATE
    assert check_rate(D("0.000001")) == D("0.000001")


def test_rates_parse_from_plain_decimal_text() -> None:
    assert parse_rate("0.029") == D("0.029")
    assert parse_rate("0") == 0
    for text in ("-0.1", "1e-2", " 0.1", "0,1", "", "0.6", 0.1):
        with pytest.raises(InvalidValue):
            parse_rate(text)


def test_a_schedule_needs_a_rate_for_each_payment_method_and_no_other() -> None:
    with pytest.raises(InvalidValue, match="bank_transfer"):
        FeeSchedule(D("0.05"), {"card": D("0.03"), "crypto": D("0"), "invoice": D("0")})
    with pytest.raises(InvalidValue, match="cheque"):
        FeeSchedule(D("0.05"), {**DEFAULT_FEE_SCHEDULE.processing_rates, "cheque": D("0")})  # type: ignore[dict-item]
    with pytest.raises(InvalidValue):
        _schedule(card="0.7")
    with pytest.raises(InvalidValue):
        DEFAULT_FEE_SCHEDULE.for_organization(D("0.9"))
    assert set(DEFAULT_FEE_SCHEDULE.processing_rates) == set(PAYMENT_METHODS)


def test_bad_charges_are_refused() -> None:
    unit = Money.of("10", "EUR")
    with pytest.raises(InvalidValue):
        compute_charge(Quantity(0), unit, DEFAULT_FEE_SCHEDULE, "card")
    with pytest.raises(InvalidValue):
        compute_charge(1000, unit, DEFAULT_FEE_SCHEDULE, "card")  # type: ignore[arg-type]
    with pytest.raises(InvalidValue):
        compute_charge(Quantity(1), Money(D("-1"), "EUR"), DEFAULT_FEE_SCHEDULE, "card")
    with pytest.raises(InvalidValue):
        compute_charge(Quantity(1), unit, DEFAULT_FEE_SCHEDULE, "cash")  # type: ignore[arg-type]
    with pytest.raises(InvalidValue) as error:
        # ten trillion tonnes at a million euros
        compute_charge(Quantity(10**16), Money.of("1000000", "EUR"), DEFAULT_FEE_SCHEDULE, "card")
    assert error.value.code == "amount_out_of_range"


def test_a_partial_amount_is_shared_like_the_total() -> None:
    distribution = Distribution(
        issuer_proceeds=Money.of("100.00", "EUR"),
        platform=Money.of("5.00", "EUR"),
        processor=Money.of("2.90", "EUR"),
    )
    half = distribution.prorated(Money.of("53.95", "EUR"))
    assert half == Distribution(
        Money.of("50.00", "EUR"), Money.of("2.50", "EUR"), Money.of("1.45", "EUR")
    )
    assert distribution.prorated(distribution.total) == distribution
    assert distribution.prorated(Money.of("0", "EUR")).total == Money.of("0", "EUR")
    with pytest.raises(InvalidValue):
        distribution.prorated(Money.of("107.91", "EUR"))
    with pytest.raises(InvalidValue):
        distribution.prorated(Money.of("1", "USD"))


def test_allocation_gives_leftover_units_to_the_largest_remainders_first() -> None:
    thirds = allocate(Money.of("1.00", "EUR"), [Money.of("1", "EUR")] * 3)
    assert [part.amount for part in thirds] == [D("0.34"), D("0.33"), D("0.33")]
    skewed = allocate(Money.of("10", "JPY"), [Money.of(w, "JPY") for w in ("1", "2", "4")])
    # 10/7, 20/7, 40/7 -> 1, 2, 5 (+1), remainders 3, 6, 5: the 6 and the 5 get a unit
    assert [part.amount for part in skewed] == [D("1"), D("3"), D("6")]
    assert allocate(Money.of("0", "EUR"), [Money.of("0", "EUR")]) == [Money.of("0", "EUR")]
    with pytest.raises(InvalidValue):
        allocate(Money.of("1", "EUR"), [Money.of("0", "EUR")])
    with pytest.raises(InvalidValue):
        allocate(Money(D("0.005"), "EUR"), [Money.of("1", "EUR")])


# properties

CURRENCIES = ["JPY", "KRW", "EUR", "USD", "BHD", "KWD", "CLF", "UYW"]  # 0, 2, 3, 4 digits
rates = st.decimals(min_value=0, max_value=MAX_RATE, places=6)


@st.composite
def charges(draw: st.DrawFn) -> tuple[Quantity, Money, FeeSchedule, str]:
    currency = draw(st.sampled_from(CURRENCIES))
    # unit prices with up to two more decimals than the currency (a converted price, say)
    digits = minor_units(currency) + draw(st.integers(0, 2))
    unit = Money(D(draw(st.integers(0, 10**9))).scaleb(-digits), currency)
    schedule = FeeSchedule(
        platform_rate=draw(rates),
        processing_rates={method: draw(rates) for method in PAYMENT_METHODS},
        enterprise_rate=draw(st.one_of(st.none(), rates)),
    )
    quantity = Quantity(draw(st.integers(1, 10**9)))
    return quantity, unit, schedule, draw(st.sampled_from(PAYMENT_METHODS))


@PROPERTY
@given(charges())
def test_fees_and_distribution_add_up_exactly(
    case: tuple[Quantity, Money, FeeSchedule, str],
) -> None:
    quantity, unit, schedule, method = case
    charge = compute_charge(quantity, unit, schedule, method)  # type: ignore[arg-type]
    parts = [charge.subtotal, *(fee.amount for fee in charge.fees), charge.total]
    for part in parts:
        assert part.currency == unit.currency
        assert part.rounded() == part
        assert part.amount.as_tuple().exponent == -minor_units(unit.currency)
        assert part.amount >= 0
    assert charge.total.minor == charge.subtotal.minor + sum(
        fee.amount.minor for fee in charge.fees
    )
    assert charge.distribution.total == charge.total
    assert charge.distribution.total.minor == charge.total.minor
    for fee in charge.fees:
        assert fee.amount == (charge.subtotal * fee.rate).rounded()
    assert [fee.kind for fee in charge.fees] == [schedule.platform_kind, "processing"]
    assert charge.subtotal == (unit * quantity.kg * D("0.001")).rounded()


@PROPERTY
@given(charges(), st.data())
def test_any_part_of_a_total_is_shared_exactly(
    case: tuple[Quantity, Money, FeeSchedule, str], data: st.DataObject
) -> None:
    quantity, unit, schedule, method = case
    distribution = compute_charge(quantity, unit, schedule, method).distribution  # type: ignore[arg-type]
    total = distribution.total
    units = data.draw(st.integers(0, total.minor))
    amount = Money(D(units).scaleb(-minor_units(total.currency)), total.currency)
    part = distribution.prorated(amount)
    assert part.total.minor == amount.minor
    assert part.issuer_proceeds.amount <= distribution.issuer_proceeds.amount
    assert part.platform.amount <= distribution.platform.amount
    assert part.processor.amount <= distribution.processor.amount
    assert min(part.issuer_proceeds.amount, part.platform.amount, part.processor.amount) >= 0
