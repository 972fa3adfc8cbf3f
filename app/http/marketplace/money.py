"""Money and rates at the edge of the marketplace.

Money goes out two ways: a listing's prices as `{amount, currency}` objects
(`MoneySchema`), a quote's or an order's amounts as decimal strings in its `currency`
(`amount_field`). Money comes in as `{amount, currency}`: the amount a plain decimal
string (`"12.50"`), the currency an ISO 4217 code. The schema states the digits a request
may carry; how many decimals a currency has (`"12.5"` JPY is not an amount) is the
domain's rule (`parse_amount`), refused with 422 `invalid_amount`. A fee rate is a plain
decimal string from 0 to 0.5 (`parse_rate`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from decimal import Decimal
from typing import Any

import marshmallow as ma
from marshmallow import validate

from app.domain.marketplace.fees import RATE_PLACES, parse_rate
from app.domain.shared.currencies import MINOR_UNITS
from app.domain.shared.errors import InvalidValue
from app.domain.shared.money import MAX_WHOLE_DIGITS, Money, parse_amount

CURRENCIES = sorted(MINOR_UNITS)
_DIGITS = f"[0-9]{{1,{MAX_WHOLE_DIGITS}}}(\\.[0-9]{{1,4}})?"
AMOUNT_PATTERN = f"^{_DIGITS}$"
PRICE_PATTERN = f"^(?=.*[1-9]){_DIGITS}$"  # not zero
# 0 to 0.5 with at most RATE_PLACES decimals (`fees.parse_rate`).
RATE_PATTERN = f"^0(\\.([0-4][0-9]{{0,{RATE_PLACES - 1}}}|50{{0,{RATE_PLACES - 1}}}))?$"


def amount_text(money: Money) -> str:
    """An amount as the API writes it: plain digits to the currency's minor units."""
    return format(money.rounded().amount, "f")


def to_money(value: dict[str, str], field: str) -> Money:
    """`{amount, currency}` as Money, the decimals checked against the currency (422
    `invalid_amount` on `field`)."""
    try:
        return parse_amount(value["amount"], value["currency"])
    except InvalidValue as exc:
        raise InvalidValue(
            exc.detail, code="invalid_amount", errors={field: [exc.detail]}
        ) from None


def amount_field(
    attribute: str, description: str = "decimal string in `currency`"
) -> ma.fields.Function:
    """The Money at `attribute` written as its amount (its currency is said beside it)."""
    return ma.fields.Function(
        lambda obj: amount_text(getattr(obj, attribute)),
        metadata={"type": "string", "description": description, "example": "12.50"},
    )


# --- in ----------------------------------------------------------------------------------


class AmountSchema(ma.Schema):
    """An amount of money (zero allowed)."""

    amount = ma.fields.String(
        required=True,
        validate=validate.Regexp(AMOUNT_PATTERN),
        metadata={"pattern": AMOUNT_PATTERN, "maxLength": 20, "example": "1000.00"},
    )
    currency = ma.fields.String(required=True, validate=validate.OneOf(CURRENCIES))


class PriceSchema(ma.Schema):
    """A price per tonne: a positive amount of money."""

    amount = ma.fields.String(
        required=True,
        validate=validate.Regexp(PRICE_PATTERN),
        metadata={"pattern": PRICE_PATTERN, "maxLength": 20, "example": "12.50"},
    )
    currency = ma.fields.String(required=True, validate=validate.OneOf(CURRENCIES))


class MoneyField(ma.fields.Nested):
    """`{amount, currency}` loaded as `Money` (see `to_money`)."""

    def _deserialize(
        self,
        value: Any,
        attr: str | None,
        data: Mapping[str, Any] | None,
        partial: bool | Sequence[str] | AbstractSet[str] | None = None,
        **kwargs: Any,
    ) -> Money:
        loaded = super()._deserialize(value, attr, data, partial, **kwargs)
        return to_money(loaded, attr or "amount")


class RateField(ma.fields.Field[Decimal]):
    """A fee rate as a plain decimal string from 0 to 0.5 (`"0.05"` is 5 %)."""

    def __init__(self, **kwargs: Any) -> None:
        metadata = {
            "type": "string",
            "pattern": RATE_PATTERN,
            "maxLength": 2 + RATE_PLACES,
            "example": "0.05",
            "description": f"a fraction from 0 to 0.5, at most {RATE_PLACES} decimals",
            **dict(kwargs.pop("metadata", None) or {}),
        }
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Decimal:
        try:
            return parse_rate(value, attr or "rate")
        except InvalidValue as exc:
            raise ma.ValidationError(exc.detail) from exc

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else format(Decimal(value).normalize(), "f")


# --- out ---------------------------------------------------------------------------------


class MoneySchema(ma.Schema):
    amount = ma.fields.Function(
        amount_text, metadata={"type": "string", "description": "decimal string"}
    )
    currency = ma.fields.String()


class FeeSchema(ma.Schema):
    kind = ma.fields.String(metadata={"enum": ["platform", "processing", "enterprise"]})
    rate = ma.fields.Function(
        lambda f: format(f.rate.normalize(), "f"), metadata={"type": "string"}
    )
    amount = amount_field("amount")
