"""The figures of an ESG summary: the CSRD ESRS E1-7 breakdowns of the tonnes cancelled
in a period, with percentages that add up to exactly 100 (largest-remainder rounding to
two places), and the period's totals."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from app.domain.shared.money import Money
from app.domain.shared.quantity import Quantity

# The 27 member states (ISO 3166-1 alpha-2; Greece is GR).
EU_MEMBER_STATES = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "HU",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
    ]
)

HUNDREDTHS = 10_000  # 100 % in hundredths of a percent


def largest_remainder(parts: Mapping[str, int]) -> dict[str, Decimal]:
    """Each part's share of their sum in percent, two decimals, adding up to exactly
    100.00: every share is rounded down to a hundredth, and the hundredths still missing
    go one each to the parts with the largest remainders (the first listed on a tie).
    All zero (or nothing) gives zeros."""
    total = sum(parts.values())
    if any(v < 0 for v in parts.values()):
        raise ValueError("a part of a breakdown is never negative")
    if total == 0:
        return {k: Decimal("0.00") for k in parts}
    floors = {k: v * HUNDREDTHS // total for k, v in parts.items()}
    remainders = {k: v * HUNDREDTHS % total for k, v in parts.items()}
    missing = HUNDREDTHS - sum(floors.values())
    order = list(parts)
    for k in sorted(order, key=lambda k: (-remainders[k], order.index(k)))[:missing]:
        floors[k] += 1
    return {k: Decimal(h).scaleb(-2) for k, h in floors.items()}


@dataclass(frozen=True)
class RetiredSlice:
    """Kilograms cancelled in the period sharing the attributes E1-7 breaks them down by."""

    mitigation: str  # reduction | removal
    removal_kind: str | None  # biogenic | technological, removals only
    standard: str
    country: str
    corresponding_adjustment: bool
    kg: int


@dataclass(frozen=True)
class BreakdownRow:
    label: str
    kg: int
    percent: Decimal

    @property
    def tonnes(self) -> str:
        return Quantity(self.kg).tonnes_str()


@dataclass(frozen=True)
class Breakdown:
    name: str
    title: str
    rows: tuple[BreakdownRow, ...]

    @property
    def total_kg(self) -> int:
        return sum(r.kg for r in self.rows)


def breakdown(name: str, title: str, parts: Mapping[str, int]) -> Breakdown:
    shares = largest_remainder(parts)
    return Breakdown(name, title, tuple(BreakdownRow(k, v, shares[k]) for k, v in parts.items()))


def _sum_by(
    slices: Iterable[RetiredSlice], label: Callable[[RetiredSlice], str | None]
) -> dict[str, int]:
    found: dict[str, int] = {}
    for s in slices:
        key = label(s)
        if key is not None:
            found[key] = found.get(key, 0) + s.kg
    return found


def e1_7_breakdowns(slices: Iterable[RetiredSlice]) -> list[Breakdown]:
    """The five E1-7 breakdowns of the cancelled tonnes (removals biogenic against
    technological among removals only; a removal without its kind is `unspecified`)."""
    rows = list(slices)
    mitigation = {"reduction": 0, "removal": 0} | _sum_by(rows, lambda s: s.mitigation)
    removals = _sum_by(
        rows,
        lambda s: (s.removal_kind or "unspecified") if s.mitigation == "removal" else None,
    )
    standards = dict(sorted(_sum_by(rows, lambda s: s.standard).items()))
    eu = {"inside_eu": 0, "outside_eu": 0} | _sum_by(
        rows, lambda s: "inside_eu" if s.country.upper() in EU_MEMBER_STATES else "outside_eu"
    )
    adjusted = {"with_corresponding_adjustment": 0, "without_corresponding_adjustment": 0}
    adjusted |= _sum_by(
        rows,
        lambda s: (
            "with_corresponding_adjustment"
            if s.corresponding_adjustment
            else "without_corresponding_adjustment"
        ),
    )
    return [
        breakdown("mitigation", "Reductions and removals", mitigation),
        breakdown("removal_kind", "Removals: biogenic and technological", removals),
        breakdown("standard", "By quality standard", standards),
        breakdown("eu", "From projects inside the EU", eu),
        breakdown("corresponding_adjustment", "With a corresponding adjustment", adjusted),
    ]


@dataclass(frozen=True)
class Totals:
    purchased_kg: int
    retired_kg: int
    spend: tuple[Money, ...]  # one per currency, by currency code
    planned_kg: int  # scheduled for cancellation after the period


NOT_NETTED_STATEMENT = (
    "Carbon credits are reported separately from the undertaking's gross greenhouse gas "
    "emissions (ESRS E1-6) and are not netted against them, nor counted towards its "
    "emission reduction targets (ESRS E1-4, E1-7)."
)


@dataclass(frozen=True)
class RetirementRow:
    """One retirement with the CDP columns (and what E1-7 classifies it by)."""

    retirement_id: str
    project_id: str
    project_name: str
    project_type: str
    standard: str
    methodology: str
    country: str
    vintage: int
    quantity_kg: int
    serial_start: int
    serial_end: int
    retired_at: datetime
    beneficiary: str
    purpose: str
    price_paid: Money | None  # the total of the order that bought and retired them
    mitigation: str
    removal_kind: str | None
    corresponding_adjustment: bool


@dataclass(frozen=True)
class ProjectFigures:
    project_id: str
    name: str
    organization_id: str
    issued_kg: int  # every batch the chain confirmed
    retired_kg: int  # retirements confirmed in the period
    retired_all_time_kg: int
    holders: int  # addresses holding some of its credits now
    batches: tuple[tuple[int, str, int, int, int], ...]  # vintage, period, serials, issued kg


@dataclass(frozen=True)
class CustomRow:
    group: str
    tonnes_retired_kg: int
    tonnes_purchased_kg: int
    retirements_count: int
    spend: tuple[Money, ...]
