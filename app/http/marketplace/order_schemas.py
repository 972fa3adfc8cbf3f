"""Bodies of orders."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from app.domain.marketplace.fx import rate_text
from app.domain.marketplace.model import Order, OrderStatus
from app.http.common.schemas import ETH_ADDRESS, Text, TonnesField
from app.http.marketplace.money import FeeSchema, amount_field
from app.http.marketplace.schemas import ID, ORG_ID


class RetireOnDeliverySchema(ma.Schema):
    beneficiary = Text(max_length=300, blank=False, required=True)
    purpose = Text(max_length=1000, load_default="")


class OrderCreateSchema(ma.Schema):
    quote_id = ma.fields.String(required=True, validate=ID)
    organization_id = ma.fields.String(load_default=None, allow_none=True, validate=ORG_ID)
    retire = ma.fields.Nested(
        RetireOnDeliverySchema,
        load_default=None,
        allow_none=True,
        metadata={"description": "retire the credits as soon as they are delivered"},
    )
    deliver_to = ma.fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Regexp(ETH_ADDRESS),
        metadata={
            "description": "one of your linked wallets to deliver to (default: your"
            " custodial holding); not with organization_id or retire"
        },
    )


class OrderSchema(ma.Schema):
    id = ma.fields.String()
    quote_id = ma.fields.String()
    listing_id = ma.fields.String()
    project_id = ma.fields.String()
    vintage = ma.fields.Integer()
    quantity = TonnesField(attribute="quantity_kg")
    unit_price = amount_field("unit_price", "per tonne, decimal string in `currency`")
    subtotal = amount_field("subtotal")
    fees = ma.fields.List(ma.fields.Nested(FeeSchema))
    total = amount_field("total")
    currency = ma.fields.Function(lambda o: o.total.currency, metadata={"type": "string"})
    fx_rate = ma.fields.Function(lambda o: rate_text(o.fx_rate), metadata={"type": "string"})
    payment_method = ma.fields.String()
    status = ma.fields.Enum(OrderStatus, by_value=True)
    buyer_id = ma.fields.String()
    organization_id = ma.fields.String(allow_none=True)
    retire = ma.fields.Method("retire_of", metadata={"type": ["object", "null"]})
    retirement_id = ma.fields.String(allow_none=True)
    approval_required = ma.fields.Boolean()
    approved_by = ma.fields.String(allow_none=True)
    deliver_to = ma.fields.String(
        attribute="buyer_address",
        allow_none=True,
        metadata={"description": "the address the credits are delivered to"},
    )
    transfer_tx = ma.fields.String(allow_none=True)
    failure = ma.fields.String(attribute="fulfilment_failure", allow_none=True)
    created_at = ma.fields.DateTime()
    expires_at = ma.fields.DateTime(metadata={"description": "unpaid after this, it expires"})
    paid_at = ma.fields.DateTime(allow_none=True)
    fulfilled_at = ma.fields.DateTime(allow_none=True)

    def retire_of(self, order: Order) -> dict[str, str] | None:
        if order.retire_beneficiary is None:
            return None
        return {"beneficiary": order.retire_beneficiary, "purpose": order.retire_purpose or ""}
