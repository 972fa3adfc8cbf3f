"""Bodies of listings, quotes, prices, the price stream and admin pricing (money and
rates in `money`)."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from app.domain.marketplace.fees import PAYMENT_METHODS
from app.domain.marketplace.fx import rate_text
from app.domain.marketplace.model import ListingStatus
from app.domain.projects.model import FIRST_VINTAGE, LAST_VINTAGE, ProjectType
from app.domain.shared.countries import ISO_3166_ALPHA2
from app.http.common.schemas import TonnesField, Vintage
from app.http.marketplace.money import (
    CURRENCIES,
    AmountSchema,
    FeeSchema,
    MoneyField,
    MoneySchema,
    PriceSchema,
    RateField,
    amount_field,
)

COUNTRIES = sorted(ISO_3166_ALPHA2 | {code.lower() for code in ISO_3166_ALPHA2})
TYPES = [t.value for t in ProjectType]
METHODS = list(PAYMENT_METHODS)
ID = validate.Length(max=64)
# Organization ids as stored (a quote or an order keeps the one it was priced for).
ORG_ID = validate.Length(max=32)
STREAM_MAX_SECONDS = 300


def QueryVintage() -> ma.fields.Integer:  # noqa: N802 (reads as a field class)
    """A vintage year in a query string (where every value is text)."""
    return ma.fields.Integer(validate=validate.Range(FIRST_VINTAGE, LAST_VINTAGE))


# --- listings ----------------------------------------------------------------------------


class ListingArgs(ma.Schema):
    project_id = ma.fields.String(validate=ID)
    type = ma.fields.String(validate=validate.OneOf(TYPES))
    country = ma.fields.String(validate=validate.OneOf(COUNTRIES))
    vintage = QueryVintage()
    status = ma.fields.String(validate=validate.OneOf([s.value for s in ListingStatus]))


class ListingCreateSchema(ma.Schema):
    project_id = ma.fields.String(required=True, validate=ID)
    vintage = Vintage(required=True)
    quantity = TonnesField(required=True, metadata={"example": "100"})
    base_price = MoneyField(
        PriceSchema,
        load_default=None,
        allow_none=True,
        metadata={"description": "per tonne; without it, the vintage's base price"},
    )
    floor_price = MoneyField(
        AmountSchema,
        load_default=None,
        allow_none=True,
        metadata={"description": "per tonne, in the base price's currency"},
    )
    organization_id = ma.fields.String(load_default=None, allow_none=True, validate=ID)


class ListingSchema(ma.Schema):
    id = ma.fields.String()
    project_id = ma.fields.String()
    vintage = ma.fields.Integer()
    token_id = ma.fields.Integer()
    seller_organization_id = ma.fields.String()
    quantity = TonnesField(attribute="quantity_kg", metadata={"description": "listed"})
    available = TonnesField(
        attribute="available_kg",
        allow_zero=True,
        metadata={"description": "listed, minus reserved by open orders and sold"},
    )
    reserved = TonnesField(attribute="reserved_kg", allow_zero=True)
    sold = TonnesField(attribute="sold_kg", allow_zero=True)
    unit_price = ma.fields.Nested(
        MoneySchema, metadata={"description": "the pricing engine's price of one tonne"}
    )
    base_price = ma.fields.Nested(MoneySchema)
    floor_price = ma.fields.Nested(MoneySchema, allow_none=True)
    status = ma.fields.Enum(ListingStatus, by_value=True)
    created_at = ma.fields.DateTime()
    withdrawn_at = ma.fields.DateTime(allow_none=True)


# --- quotes and prices -------------------------------------------------------------------


class QuoteCreateSchema(ma.Schema):
    listing_id = ma.fields.String(required=True, validate=ID)
    quantity = TonnesField(required=True, metadata={"example": "2.5"})
    currency = ma.fields.String(required=True, validate=validate.OneOf(CURRENCIES))
    payment_method = ma.fields.String(required=True, validate=validate.OneOf(METHODS))
    organization_id = ma.fields.String(
        load_default=None,
        allow_none=True,
        validate=ORG_ID,
        metadata={"description": "buying for an organization: its fee schedule prices it"},
    )


class FactorSchema(ma.Schema):
    name = ma.fields.String()
    value = ma.fields.String(metadata={"description": "what the factor read"})
    effect = ma.fields.String(metadata={"description": 'its multiplier, e.g. "1.05"'})


class QuoteSchema(ma.Schema):
    id = ma.fields.String()
    listing_id = ma.fields.String()
    organization_id = ma.fields.String(allow_none=True)
    quantity = TonnesField(attribute="quantity_kg")
    currency = ma.fields.String()
    payment_method = ma.fields.String()
    unit_price = amount_field("unit_price", "per tonne, decimal string in `currency`")
    subtotal = amount_field("subtotal")
    fees = ma.fields.List(ma.fields.Nested(FeeSchema))
    total = amount_field("total", "subtotal plus every fee, decimal string in `currency`")
    fx_rate = ma.fields.Function(
        lambda q: rate_text(q.fx_rate),
        metadata={"type": "string", "description": 'listing currency -> `currency` ("1": same)'},
    )
    fx_as_of = ma.fields.String()
    listing_unit_price = ma.fields.Nested(
        MoneySchema, metadata={"description": "per tonne in the listing's currency"}
    )
    factors = ma.fields.List(ma.fields.Nested(FactorSchema))
    expires_at = ma.fields.DateTime()
    created_at = ma.fields.DateTime()


class HistoryArgs(ma.Schema):
    vintage = QueryVintage()


class PricePointSchema(ma.Schema):
    at = ma.fields.DateTime()
    listing_id = ma.fields.String(allow_none=True)
    vintage = ma.fields.Integer()
    unit_price = amount_field("unit_price", "per tonne, decimal string in `currency`")
    currency = ma.fields.Function(lambda p: p.unit_price.currency, metadata={"type": "string"})
    reason = ma.fields.String(metadata={"description": "listed, market or base price"})


class StreamArgs(ma.Schema):
    listing_id = ma.fields.String(validate=ID, metadata={"description": "only this listing"})
    max_seconds = ma.fields.Integer(
        load_default=STREAM_MAX_SECONDS,
        validate=validate.Range(1, STREAM_MAX_SECONDS),
        metadata={"description": "the stream ends after this long: reconnect to go on"},
    )


# --- admin pricing -----------------------------------------------------------------------


class ProcessingRatesSchema(ma.Schema):
    card = RateField(required=True)
    bank_transfer = RateField(required=True)
    crypto = RateField(required=True)
    invoice = RateField(required=True)


class PlatformFeesSchema(ma.Schema):
    platform_rate = RateField(required=True)
    processing_rates = ma.fields.Nested(ProcessingRatesSchema, required=True)


class OrganizationFeesSchema(ma.Schema):
    platform_rate = RateField(
        required=True,
        allow_none=True,
        metadata={"description": "replaces the platform rate; null: the platform's"},
    )
    approval_limit = MoneyField(
        AmountSchema,
        load_default=None,
        allow_none=True,
        metadata={"description": "orders above this total wait for an organization admin"},
    )


class OrganizationTermsSchema(ma.Schema):
    organization_id = ma.fields.String()
    platform_rate = RateField(allow_none=True)
    approval_limit = ma.fields.Nested(MoneySchema, allow_none=True)


class BasePriceSchema(ma.Schema):
    project_id = ma.fields.String()
    vintage = ma.fields.Integer()
    price = ma.fields.Nested(MoneySchema, metadata={"description": "per tonne"})
