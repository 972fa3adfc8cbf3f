"""The ESRS E1-7 figures: every breakdown's percentages add up to exactly 100.00
(largest-remainder rounding of exact decimals to two places), and each retired tonne is
counted in the right part of each breakdown."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.reports.figures import (
    EU_MEMBER_STATES,
    RetiredSlice,
    e1_7_breakdowns,
    largest_remainder,
)

D = Decimal


def test_thirds_give_the_missing_hundredth_to_the_first_largest_remainder():
    assert largest_remainder({"a": 1, "b": 1, "c": 1}) == {
        "a": D("33.34"),
        "b": D("33.33"),
        "c": D("33.33"),
    }


def test_the_largest_remainder_wins_whatever_the_order():
    # 2/3 = 66.666..., 1/3 = 33.333...: the larger remainder (0.666) takes the hundredth.
    assert largest_remainder({"small": 1, "large": 2}) == {"small": D("33.33"), "large": D("66.67")}


def test_nothing_retired_gives_zeros_not_a_division_by_zero():
    assert largest_remainder({"reduction": 0, "removal": 0}) == {
        "reduction": D("0.00"),
        "removal": D("0.00"),
    }
    assert largest_remainder({}) == {}


def test_a_negative_part_is_refused():
    with pytest.raises(ValueError, match="negative"):
        largest_remainder({"a": -1, "b": 2})


@given(st.dictionaries(st.text(min_size=1, max_size=4), st.integers(0, 10**15), min_size=1))
def test_percentages_always_add_up_to_exactly_100(parts: dict[str, int]):
    shares = largest_remainder(parts)
    total = sum(parts.values())
    assert set(shares) == set(parts)
    assert all(s == s.quantize(D("0.01")) and s >= 0 for s in shares.values())
    if total == 0:
        assert all(s == 0 for s in shares.values())
        return
    assert sum(shares.values()) == D("100.00")
    for key, kg in parts.items():
        exact = D(kg) * 100 / D(total)
        assert abs(shares[key] - exact) < D("0.01")  # never off by a whole hundredth


@given(
    st.lists(
        st.builds(
            RetiredSlice,
            mitigation=st.sampled_from(["reduction", "removal"]),
            removal_kind=st.sampled_from([None, "biogenic", "technological"]),
            standard=st.sampled_from(["Verra VCS", "Gold Standard", "Puro.earth"]),
            country=st.sampled_from(["BR", "DE", "FR", "KE", "SE"]),
            corresponding_adjustment=st.booleans(),
            kg=st.integers(1, 10**12),
        ),
        min_size=1,
    )
)
def test_every_breakdown_adds_up_to_100_and_covers_its_tonnes(slices: list[RetiredSlice]):
    total = sum(s.kg for s in slices)
    removals = sum(s.kg for s in slices if s.mitigation == "removal")
    for b in e1_7_breakdowns(slices):
        assert b.total_kg == (removals if b.name == "removal_kind" else total)
        if b.total_kg:
            assert sum(r.percent for r in b.rows) == D("100.00")


def _slice(*fields: object) -> RetiredSlice:
    return RetiredSlice(*fields)  # type: ignore[arg-type]


def test_the_five_breakdowns_of_a_mixed_period():
    slices = [
        _slice("reduction", None, "Verra VCS", "BR", False, 6_000),
        _slice("removal", "biogenic", "Puro.earth", "SE", True, 3_000),
        _slice("removal", "technological", "Puro.earth", "IS", False, 1_000),
    ]
    found = {b.name: {r.label: (r.kg, r.percent) for r in b.rows} for b in e1_7_breakdowns(slices)}
    assert found["mitigation"] == {"reduction": (6_000, D("60.00")), "removal": (4_000, D("40.00"))}
    assert found["removal_kind"] == {
        "biogenic": (3_000, D("75.00")),
        "technological": (1_000, D("25.00")),
    }
    assert found["standard"] == {
        "Puro.earth": (4_000, D("40.00")),
        "Verra VCS": (6_000, D("60.00")),
    }
    assert found["eu"] == {"inside_eu": (3_000, D("30.00")), "outside_eu": (7_000, D("70.00"))}
    assert found["corresponding_adjustment"] == {
        "with_corresponding_adjustment": (3_000, D("30.00")),
        "without_corresponding_adjustment": (7_000, D("70.00")),
    }


def test_a_removal_without_its_kind_is_unspecified_and_reductions_stay_out_of_it():
    slices = [
        _slice("removal", None, "X", "BR", False, 10),
        _slice("reduction", None, "X", "BR", False, 5),
    ]
    (kinds,) = [b for b in e1_7_breakdowns(slices) if b.name == "removal_kind"]
    assert [(r.label, r.kg, r.percent) for r in kinds.rows] == [("unspecified", 10, D("100.00"))]


def test_the_eu_is_its_27_member_states():
    assert len(EU_MEMBER_STATES) == 27
    assert {"DE", "FR", "GR", "HR"} <= EU_MEMBER_STATES
    assert not {"GB", "NO", "CH", "IS", "EL"} & EU_MEMBER_STATES
