"""Schemas of the indexer's status, indexed chain events and resyncs."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from app.http.common.schemas import MAX_BLOCK, WholeNumber


class StatusSchema(ma.Schema):
    chain_id = ma.fields.Integer(allow_none=True)
    head_block = ma.fields.Integer()
    indexed_block = ma.fields.Integer()
    safe_block = ma.fields.Integer()
    lag = ma.fields.Integer()
    reorgs = ma.fields.Integer()
    confirmations = ma.fields.Integer()
    halted = ma.fields.String(allow_none=True)


class ResyncSchema(ma.Schema):
    from_block = WholeNumber(required=True, validate=validate.Range(min=0, max=MAX_BLOCK))


class ResyncResultSchema(ma.Schema):
    rolled_back = ma.fields.Integer(metadata={"description": "events undone"})


class TransactionArgs(ma.Schema):
    address = ma.fields.String(validate=validate.Length(max=64))
    project_id = ma.fields.String(validate=validate.Length(max=64))


class ChainEventSchema(ma.Schema):
    name = ma.fields.String()
    block_number = ma.fields.Integer()
    log_index = ma.fields.Integer()
    tx_hash = ma.fields.String()
    address = ma.fields.String()
    args = ma.fields.Dict()
    status = ma.fields.String()
