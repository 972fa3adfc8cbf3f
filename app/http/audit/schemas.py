"""Schemas of audit entries, their filters, the chain's head and its verification."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate


class AuditHeadSchema(ma.Schema):
    length = ma.fields.Integer(required=True, metadata={"description": "Entries in the chain"})
    head_hash = ma.fields.String(
        required=True, attribute="hash", metadata={"description": "Hash of the last entry"}
    )


class AuditFilterSchema(ma.Schema):
    action = ma.fields.String(validate=validate.Length(max=100))
    entity_type = ma.fields.String(validate=validate.Length(max=50))
    entity_id = ma.fields.String(validate=validate.Length(max=64))
    actor_id = ma.fields.String(validate=validate.Length(max=64))
    organization_id = ma.fields.String(validate=validate.Length(max=64))
    since = ma.fields.AwareDateTime(default_timezone=None)
    until = ma.fields.AwareDateTime(default_timezone=None)


class AuditEntrySchema(ma.Schema):
    seq = ma.fields.Integer()
    id = ma.fields.String()
    occurred_at = ma.fields.DateTime()
    action = ma.fields.String()
    entity_type = ma.fields.String()
    entity_id = ma.fields.String()
    actor_id = ma.fields.String(allow_none=True)
    organization_id = ma.fields.String(allow_none=True)
    request_id = ma.fields.String(allow_none=True)
    before = ma.fields.Raw(allow_none=True)
    after = ma.fields.Raw(allow_none=True)
    prev_hash = ma.fields.String()
    hash = ma.fields.String()


class ChainReportSchema(ma.Schema):
    valid = ma.fields.Boolean(required=True)
    length = ma.fields.Integer(required=True)
    head_hash = ma.fields.String(required=True)
    broken_at = ma.fields.Integer(allow_none=True)
    reason = ma.fields.String(allow_none=True)
