"""Bodies of payments and refunds. Amounts go out as decimal strings in `currency`."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from app.domain.payments.model import PaymentStatus, RefundStatus
from app.domain.shared.money import MAX_WHOLE_DIGITS, Money
from app.http.common.schemas import Text

METHODS = ["card", "bank_transfer", "crypto", "invoice"]
AMOUNT = f"^(?=.*[1-9])[0-9]{{1,{MAX_WHOLE_DIGITS}}}(\\.[0-9]{{1,4}})?$"


def amount_text(money: Money) -> str:
    return format(money.rounded().amount, "f")


def _amount(attribute: str) -> ma.fields.Function:
    return ma.fields.Function(
        lambda o: amount_text(getattr(o, attribute)),
        metadata={"type": "string", "description": "decimal string in `currency`"},
    )


class PaymentCreateSchema(ma.Schema):
    method = ma.fields.String(required=True, validate=validate.OneOf(METHODS))
    payment_method = ma.fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=255),
        metadata={"description": "the provider's token; with the sandbox e.g. pm_card_visa"},
    )


class PaymentSchema(ma.Schema):
    id = ma.fields.String()
    order_id = ma.fields.String()
    method = ma.fields.String(metadata={"enum": METHODS})
    status = ma.fields.Enum(PaymentStatus, by_value=True)
    amount = _amount("amount")
    currency = ma.fields.Function(lambda p: p.amount.currency, metadata={"type": "string"})
    refunded = _amount("refunded_total")
    provider = ma.fields.String()
    next_action = ma.fields.Dict(
        allow_none=True,
        metadata={"description": "what the payer does next: `{type: redirect_to_url, url}`"},
    )
    failure_code = ma.fields.String(
        allow_none=True, metadata={"description": "why it failed, e.g. card_declined"}
    )
    created_at = ma.fields.DateTime()
    succeeded_at = ma.fields.DateTime(allow_none=True)


class RefundCreateSchema(ma.Schema):
    amount = ma.fields.String(
        required=True,
        validate=validate.Regexp(AMOUNT),
        metadata={"description": "decimal string in the payment's currency"},
    )
    reason = Text(max_length=500, load_default="")


class RefundSchema(ma.Schema):
    id = ma.fields.String()
    payment_id = ma.fields.String()
    amount = _amount("amount")
    currency = ma.fields.Function(lambda r: r.amount.currency, metadata={"type": "string"})
    reason = ma.fields.String()
    status = ma.fields.Enum(RefundStatus, by_value=True)
    created_at = ma.fields.DateTime()


class WebhookAckSchema(ma.Schema):
    received = ma.fields.Boolean()
    outcome = ma.fields.String(metadata={"enum": ["applied", "duplicate", "ignored"]})
