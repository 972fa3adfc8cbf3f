"""Fee schedules, the fees of an order and how its total is shared.

A buyer of `quantity` kilograms at a unit price per tonne pays

    subtotal       = unit price x kg / 1000           rounded half-even to minor units
    platform fee   = subtotal x platform rate         rounded half-even to minor units
                     (or x the organization's enterprise rate, which replaces it)
    processing fee = subtotal x the payment method's rate, rounded the same way
    total          = subtotal + platform fee + processing fee   (exactly: no rounding)

and the total is shared as `Distribution(issuer_proceeds=subtotal, platform=platform fee,
processor=processing fee)`, which adds up to the total to the minor unit because every
part is already rounded. `Distribution.prorated` shares a part of the total (a partial
refund) the same way, by largest remainders in whole minor units, so those parts add up
exactly too.

A rate is a `Decimal` fraction (`0.05` is 5 %) from 0 to `MAX_RATE` with at most
`RATE_PLACES` decimals."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal, localcontext
from types import MappingProxyType
from typing import Literal

from app.domain.shared.errors import InvalidValue
from app.domain.shared.money import MAX_WHOLE_DIGITS, Money, minor_units
from app.domain.shared.quantity import KG_PER_TONNE, Quantity

PaymentMethod = Literal["card", "bank_transfer", "crypto", "invoice"]
PAYMENT_METHODS: tuple[PaymentMethod, ...] = ("card", "bank_transfer", "crypto", "invoice")
FeeKind = Literal["platform", "processing", "enterprise"]

MAX_RATE = Decimal("0.5")
RATE_PLACES = 6
# Digits of the working precision: 15 + 4 digits of price times 17 of kilograms stay exact.
_PRECISION = 80
_PLAIN_RATE = re.compile(r"[0-9]+(?:\.[0-9]+)?", re.ASCII)


def _text(value: Decimal) -> str:
    return format(value.normalize(), "f")


def check_rate(rate: object, what: str = "rate") -> Decimal:
    """`rate` if it is a Decimal from 0 to `MAX_RATE` with at most `RATE_PLACES` decimals."""
    if not isinstance(rate, Decimal) or not rate.is_finite():
        raise InvalidValue(f"{what} must be a finite Decimal", code="invalid_rate")
    if not 0 <= rate <= MAX_RATE:
        raise InvalidValue(f"{what} must be between 0 and {MAX_RATE}", code="invalid_rate")
    if rate != rate.quantize(Decimal(1).scaleb(-RATE_PLACES)):
        raise InvalidValue(f"{what} has more than {RATE_PLACES} decimals", code="invalid_rate")
    return rate


def parse_rate(text: object, what: str = "rate") -> Decimal:
    """A rate from the API's plain decimal string (`"0.05"`), checked as `check_rate`."""
    if not isinstance(text, str) or _PLAIN_RATE.fullmatch(text) is None:
        raise InvalidValue(
            f'{what} must be a plain decimal string such as "0.05"', code="invalid_rate"
        )
    return check_rate(Decimal(text), what)


@dataclass(frozen=True, slots=True)
class FeeSchedule:
    """The platform's rate, a processing rate for each payment method, and optionally an
    organization's enterprise rate, which replaces the platform rate (`fees[]` then says
    `enterprise` instead of `platform`)."""

    platform_rate: Decimal
    processing_rates: Mapping[PaymentMethod, Decimal]
    enterprise_rate: Decimal | None = None

    def __post_init__(self) -> None:
        check_rate(self.platform_rate, "platform_rate")
        if self.enterprise_rate is not None:
            check_rate(self.enterprise_rate, "enterprise_rate")
        if not isinstance(self.processing_rates, Mapping):
            raise InvalidValue("processing_rates must map payment methods to rates")
        unknown = sorted(str(key) for key in self.processing_rates if key not in PAYMENT_METHODS)
        if unknown:
            raise InvalidValue(
                f"unknown payment methods: {', '.join(unknown)}", code="invalid_payment_method"
            )
        missing = [method for method in PAYMENT_METHODS if method not in self.processing_rates]
        if missing:
            raise InvalidValue(
                f"processing_rates needs a rate for: {', '.join(missing)}",
                code="invalid_payment_method",
            )
        rates = {
            method: check_rate(self.processing_rates[method], f"processing rate of {method}")
            for method in PAYMENT_METHODS
        }
        object.__setattr__(self, "processing_rates", MappingProxyType(rates))

    def for_organization(self, enterprise_rate: Decimal | None) -> FeeSchedule:
        """This schedule with an organization's enterprise rate (None: the platform rate)."""
        return replace(self, enterprise_rate=enterprise_rate)

    @property
    def platform_kind(self) -> FeeKind:
        return "platform" if self.enterprise_rate is None else "enterprise"

    @property
    def effective_platform_rate(self) -> Decimal:
        return self.platform_rate if self.enterprise_rate is None else self.enterprise_rate


DEFAULT_FEE_SCHEDULE = FeeSchedule(
    platform_rate=Decimal("0.05"),
    processing_rates={
        "card": Decimal("0.029"),
        "bank_transfer": Decimal("0.005"),
        "crypto": Decimal("0.01"),
        "invoice": Decimal("0"),
    },
)


@dataclass(frozen=True, slots=True)
class Fee:
    """One line of `fees[]`: its kind, its rate and its amount (rounded to minor units)."""

    kind: FeeKind
    rate: Decimal
    amount: Money

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "rate": _text(self.rate), "amount": str(self.amount.amount)}


def _from_minor(units: int, currency: str) -> Money:
    with localcontext(prec=_PRECISION):
        return Money(Decimal(units).scaleb(-minor_units(currency)), currency).rounded()


def allocate(amount: Money, weights: Sequence[Money]) -> list[Money]:
    """`amount` shared in proportion to `weights`, in whole minor units that add up to it
    exactly (largest remainders; on a tie the earlier weight gets the extra unit). All
    zero weights share only a zero amount."""
    if amount.amount < 0 or amount.rounded().amount != amount.amount:
        raise InvalidValue(
            "the amount to share must be non-negative, in whole minor units",
            code="invalid_amount",
        )
    for weight in weights:
        if weight.currency != amount.currency:
            raise InvalidValue(
                f"cannot share {amount.currency} by {weight.currency} weights",
                code="currency_mismatch",
            )
        if weight.amount < 0:
            raise InvalidValue("weights cannot be negative", code="invalid_amount")
    units = [weight.minor for weight in weights]
    whole, total = amount.minor, sum(units)
    if total == 0:
        if whole:
            raise InvalidValue("nothing to share a non-zero amount by", code="invalid_amount")
        return [_from_minor(0, amount.currency) for _ in weights]
    shares = [whole * unit // total for unit in units]
    left = whole - sum(shares)
    by_remainder = sorted(range(len(units)), key=lambda i: (-(whole * units[i] % total), i))
    for index in by_remainder[:left]:
        shares[index] += 1
    return [_from_minor(share, amount.currency) for share in shares]


@dataclass(frozen=True, slots=True)
class Distribution:
    """Who gets what of a total: the issuer (the subtotal), the platform (its fee, or the
    enterprise fee) and the payment processor (the processing fee)."""

    issuer_proceeds: Money
    platform: Money
    processor: Money

    @property
    def total(self) -> Money:
        return self.issuer_proceeds + self.platform + self.processor

    def prorated(self, amount: Money) -> Distribution:
        """A part of the total (a partial refund, say) shared like the total, in whole minor
        units that add up to `amount` exactly."""
        if amount.currency != self.total.currency:
            raise InvalidValue(
                f"cannot share {amount.currency} of a {self.total.currency} total",
                code="currency_mismatch",
            )
        if amount.amount > self.total.amount:
            raise InvalidValue("more than the total to share", code="invalid_amount")
        issuer, platform, processor = allocate(
            amount, [self.issuer_proceeds, self.platform, self.processor]
        )
        return Distribution(issuer_proceeds=issuer, platform=platform, processor=processor)


@dataclass(frozen=True, slots=True)
class Charge:
    """What a buyer pays for a quantity at a unit price, fee by fee, and who gets it."""

    quantity: Quantity
    unit_price: Money
    method: PaymentMethod
    subtotal: Money
    fees: list[Fee]
    total: Money
    distribution: Distribution


def subtotal_of(quantity: Quantity, unit_price: Money) -> Money:
    """Unit price per tonne x kilograms / 1000, rounded half-even to minor units."""
    if not isinstance(quantity, Quantity):
        raise InvalidValue("quantity must be a Quantity", code="invalid_quantity")
    if not isinstance(unit_price, Money):
        raise InvalidValue("the unit price must be Money", code="invalid_price")
    if unit_price.amount < 0:
        raise InvalidValue("the unit price cannot be negative", code="invalid_price")
    with localcontext(prec=_PRECISION):
        return Money(unit_price.amount * quantity.kg / KG_PER_TONNE, unit_price.currency).rounded()


def compute_charge(
    quantity: Quantity, unit_price: Money, schedule: FeeSchedule, method: PaymentMethod
) -> Charge:
    """The subtotal, the fees (the platform or enterprise fee, then the processing fee), the
    total and its distribution for `quantity` (positive) at `unit_price` per tonne."""
    if not isinstance(schedule, FeeSchedule):
        raise InvalidValue("schedule must be a FeeSchedule", code="invalid_fee_schedule")
    if method not in PAYMENT_METHODS:
        raise InvalidValue(f"unknown payment method {method!r}", code="invalid_payment_method")
    subtotal = subtotal_of(quantity, unit_price)
    if quantity.kg == 0:
        raise InvalidValue("quantity must be positive", code="invalid_quantity")
    with localcontext(prec=_PRECISION):
        platform_rate = schedule.effective_platform_rate
        processing_rate = schedule.processing_rates[method]
        platform = Fee(schedule.platform_kind, platform_rate, (subtotal * platform_rate).rounded())
        processing = Fee("processing", processing_rate, (subtotal * processing_rate).rounded())
        total = subtotal + platform.amount + processing.amount
    if total.amount >= 10**MAX_WHOLE_DIGITS:
        raise InvalidValue(
            f"the total has more than {MAX_WHOLE_DIGITS} digits before the point",
            code="amount_out_of_range",
        )
    return Charge(
        quantity=quantity,
        unit_price=unit_price,
        method=method,
        subtotal=subtotal,
        fees=[platform, processing],
        total=total,
        distribution=Distribution(
            issuer_proceeds=subtotal, platform=platform.amount, processor=processing.amount
        ),
    )
