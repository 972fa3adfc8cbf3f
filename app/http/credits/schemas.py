"""Schemas of mints and batches, holdings, and retirements."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import validate

from app.domain.credits.model import Retirement, status_at_depth
from app.domain.shared.quantity import Quantity
from app.http.common.schemas import Text, TonnesField, Vintage
from app.http.credits.confirmations import safe_block


def tonnes(kg: int) -> str:
    return Quantity(abs(int(kg))).tonnes_str() if kg >= 0 else "-" + Quantity(-int(kg)).tonnes_str()


def _get(obj: Any, name: str) -> Any:
    return obj[name] if isinstance(obj, dict) else getattr(obj, name)


class MintSchema(ma.Schema):
    vintage = Vintage(required=True)
    quantity = TonnesField(required=True, metadata={"example": "1000"})
    monitoring_period = Text(max_length=64, load_default="")


class BatchSchema(ma.Schema):
    id = ma.fields.String()
    project_id = ma.fields.String()
    vintage = ma.fields.Integer()
    monitoring_period = ma.fields.String()
    token_id = ma.fields.Integer()
    serial_start = ma.fields.Integer()
    serial_end = ma.fields.Integer(
        metadata={"description": "one serial per started tonne: the last may be partial"}
    )
    quantity = ma.fields.Function(lambda b: tonnes(_get(b, "issued_kg")))
    retired = ma.fields.Function(lambda b: tonnes(_get(b, "retired_kg")))
    next_kg = ma.fields.Integer(
        metadata={"description": "the batch's next kilogram to retire (self-custody retirements)"}
    )
    status = ma.fields.String(
        metadata={
            "description": "pending until the mint is indexed and past the confirmation depth"
        }
    )
    mint_tx = ma.fields.String(allow_none=True)
    mint_block = ma.fields.Integer(allow_none=True)


class RetireSchema(ma.Schema):
    project_id = ma.fields.String(required=True, validate=validate.Length(max=64))
    vintage = Vintage(required=True)
    quantity = TonnesField(required=True, metadata={"example": "2.5"})
    beneficiary = Text(max_length=300, blank=False, required=True)
    purpose = Text(max_length=1000, load_default="")
    organization_id = ma.fields.String(load_default=None, validate=validate.Length(max=64))
    tx_hash = ma.fields.String(
        load_default=None,
        validate=[validate.Length(equal=66), validate.Regexp(r"^0x[0-9a-fA-F]{64}$")],
        metadata={"description": "self-custody: your own retirement transaction"},
    )
    beneficiary_visibility = ma.fields.String(
        load_default="public",
        validate=validate.OneOf(["public", "pseudonymous"]),
        metadata={
            "description": "pseudonymous: the chain and the certificate show sha256(salt:name)"
        },
    )


class RetirementSchema(ma.Schema):
    id = ma.fields.String()
    project_id = ma.fields.String()
    vintage = ma.fields.Integer()
    quantity = ma.fields.Function(lambda r: tonnes(r.quantity_kg))
    beneficiary = ma.fields.String()
    beneficiary_visibility = ma.fields.String()
    purpose = ma.fields.String()
    serial_start = ma.fields.Integer(metadata={"description": "the first tonne touched"})
    serial_end = ma.fields.Integer(metadata={"description": "the last tonne touched"})
    kg_start = ma.fields.Integer(
        metadata={"description": "first kilogram retired (kilogram k is of serial k // 1000)"}
    )
    kg_end = ma.fields.Integer(metadata={"description": "last kilogram retired"})
    token_id = ma.fields.Integer()
    holder = ma.fields.String(attribute="holder_address")
    tx_hash = ma.fields.String(allow_none=True)
    status = ma.fields.Method("depth_status")
    certificate_id = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime()
    confirmed_at = ma.fields.DateTime(allow_none=True)
    failure = ma.fields.String(allow_none=True)

    def depth_status(self, retirement: Retirement) -> str:
        return status_at_depth(retirement.status, retirement.confirmed_block, safe_block())


class BalanceSchema(ma.Schema):
    holder = ma.fields.String(attribute="address")
    project_id = ma.fields.String()
    vintage = ma.fields.Integer()
    token_id = ma.fields.Integer()
    quantity = ma.fields.Function(lambda b: tonnes(b["onchain_kg"]))
    available = ma.fields.Function(lambda b: tonnes(b["onchain_kg"] - b["pending_out_kg"]))


class BalanceArgs(ma.Schema):
    holder = ma.fields.String(validate=validate.Length(max=64))
    project_id = ma.fields.String(validate=validate.Length(max=64))
