"""Bodies of payments and refunds. Amounts go out as decimal strings in `currency`."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import marshmallow as ma
from marshmallow import validate

from app.domain.payments.crypto import deposit_view
from app.domain.payments.model import InvoiceStatus, PaymentStatus, RefundStatus
from app.domain.payments.transfers import LineResult
from app.domain.shared.currencies import MINOR_UNITS
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
    crypto = ma.fields.Function(
        lambda p: None if p.deposit is None else deposit_view(p.deposit),
        allow_none=True,
        metadata={
            "type": ["object", "null"],
            "description": "a crypto payment's deposit: `pay_to`, `currency` (ETH), `amount`,"
            " `amount_wei`, `rate`, `expires_at`, `received`, `remaining`, `overpaid`",
        },
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


class StatementSchema(ma.Schema):
    content = ma.fields.String(
        required=True,
        validate=validate.Length(min=1, max=2_000_000),
        metadata={"description": "CSV text with `reference`, `amount` and `currency` columns"},
    )


class StatementLineSchema(ma.Schema):
    line = ma.fields.Integer()
    reference = ma.fields.String()
    outcome = ma.fields.String(
        metadata={"enum": ["matched", "partial", "overpaid", "unmatched", "already_paid"]}
    )
    payment_id = ma.fields.String(allow_none=True)
    amount = ma.fields.String(allow_none=True, metadata={"description": "as on the statement"})
    expected = ma.fields.String(allow_none=True, metadata={"description": "the payment's"})


class StatementReportSchema(ma.Schema):
    matched = ma.fields.Integer()
    partial_lines = ma.fields.Integer(attribute="partial", data_key="partial")
    overpaid = ma.fields.Integer()
    unmatched = ma.fields.Integer()
    already_paid = ma.fields.Integer()
    lines = ma.fields.List(ma.fields.Nested(StatementLineSchema))


def statement_report(results: Sequence[LineResult]) -> dict[str, Any]:
    counts = Counter[str](result.outcome for result in results)
    outcomes = ("matched", "partial", "overpaid", "unmatched", "already_paid")
    return {**{name: counts[name] for name in outcomes}, "lines": list(results)}


CURRENCY = validate.OneOf(sorted(MINOR_UNITS))
LIMIT = f"^[0-9]{{1,{MAX_WHOLE_DIGITS}}}(\\.[0-9]{{1,4}})?$"


class CreditLimitSchema(ma.Schema):
    amount = ma.fields.String(
        required=True, validate=validate.Regexp(LIMIT), metadata={"example": "50000.00"}
    )
    currency = ma.fields.String(required=True, validate=CURRENCY)


class CreditTermsBodySchema(ma.Schema):
    credit_limit = ma.fields.Nested(CreditLimitSchema, required=True)
    net_days = ma.fields.Integer(
        required=True,
        validate=validate.Range(min=0, max=365),
        metadata={"description": "days after issue an invoice is due"},
    )


class MoneyOutSchema(ma.Schema):
    amount = ma.fields.Function(amount_text, metadata={"type": "string"})
    currency = ma.fields.String()


class CreditTermsSchema(ma.Schema):
    organization_id = ma.fields.Function(lambda v: v.terms.organization_id)
    credit_limit = ma.fields.Function(
        lambda v: MoneyOutSchema().dump(v.terms.limit), metadata={"type": "object"}
    )
    net_days = ma.fields.Function(lambda v: v.terms.net_days, metadata={"type": "integer"})
    used = ma.fields.Function(
        lambda v: MoneyOutSchema().dump(v.used),
        metadata={"type": "object", "description": "unpaid invoices delivered on credit"},
    )
    room = ma.fields.Function(lambda v: MoneyOutSchema().dump(v.room), metadata={"type": "object"})


class InvoiceLineSchema(ma.Schema):
    description = ma.fields.String()
    amount = _amount("amount")


class InvoiceSchema(ma.Schema):
    id = ma.fields.String()
    number = ma.fields.String(metadata={"example": "INV-2026-000001"})
    status = ma.fields.Enum(InvoiceStatus, by_value=True)
    payment_id = ma.fields.String()
    order_id = ma.fields.String()
    organization_id = ma.fields.String()
    issued_at = ma.fields.DateTime()
    due_date = ma.fields.Date()
    paid_at = ma.fields.DateTime(allow_none=True)
    delivered_on_credit = ma.fields.Boolean(attribute="on_credit")
    lines = ma.fields.List(ma.fields.Nested(InvoiceLineSchema))
    subtotal = _amount("subtotal")
    total = _amount("total")
    currency = ma.fields.Function(lambda i: i.total.currency, metadata={"type": "string"})
    reference = ma.fields.String()
    bank = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String())
