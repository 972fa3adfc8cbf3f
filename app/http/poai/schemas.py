"""Schemas of review cases, their checks, decisions and history; of proof bundles, their
verification and the platform's signing keys."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from app.domain.poai.bundle import SIGNATURE_ALGORITHM
from app.domain.poai.model import Category, Decision, Result
from app.http.common.schemas import Text


class CaseSchema(ma.Schema):
    id = ma.fields.String()
    project_id = ma.fields.String()
    organization_id = ma.fields.String()
    status = ma.fields.Function(lambda c: c.status.value)
    round = ma.fields.Integer()
    reviewer_ids = ma.fields.List(ma.fields.String())
    decision = ma.fields.Function(lambda c: c.decision.value if c.decision else None)
    decision_reason = ma.fields.String(allow_none=True)
    decided_at = ma.fields.DateTime(allow_none=True)
    bundle_hash = ma.fields.String(allow_none=True)
    opened_at = ma.fields.DateTime()


class OpenCaseSchema(ma.Schema):
    project_id = ma.fields.String(required=True, validate=validate.Length(max=64))


class AssignSchema(ma.Schema):
    reviewer_id = ma.fields.String(required=True, validate=validate.Length(max=64))


class CheckSchema(ma.Schema):
    id = ma.fields.String()
    case_id = ma.fields.String()
    round = ma.fields.Integer()
    category = ma.fields.Function(lambda c: c.category.value)
    name = ma.fields.String()
    mode = ma.fields.Function(lambda c: c.mode.value)
    required = ma.fields.Boolean()
    result = ma.fields.Function(lambda c: c.result.value)
    notes = ma.fields.String()
    evidence_document_ids = ma.fields.List(ma.fields.String())
    evidence = ma.fields.Dict()
    updated_by = ma.fields.String(allow_none=True)
    updated_at = ma.fields.DateTime(allow_none=True)


class NewCheckSchema(ma.Schema):
    category = ma.fields.String(required=True, validate=validate.OneOf([c.value for c in Category]))
    name = Text(max_length=100, blank=False, required=True)
    required = ma.fields.Boolean(load_default=True)


class CheckUpdateSchema(ma.Schema):
    result = ma.fields.String(
        required=True, validate=validate.OneOf([r.value for r in Result if r != Result.PENDING])
    )
    notes = Text(max_length=10_000, multiline=True, load_default="")
    evidence_document_ids = ma.fields.List(
        ma.fields.String(validate=validate.Length(max=64)),
        load_default=list,
        validate=validate.Length(max=100),
    )


class DecisionSchema(ma.Schema):
    decision = ma.fields.String(required=True, validate=validate.OneOf([d.value for d in Decision]))
    reason = Text(max_length=5000, multiline=True, load_default=None, allow_none=True)


class CaseHistorySchema(ma.Schema):
    round = ma.fields.Integer()
    from_ = ma.fields.String(attribute="from_status", data_key="from", allow_none=True)
    to = ma.fields.String(attribute="to_status")
    actor_id = ma.fields.String(allow_none=True)
    reason = ma.fields.String(allow_none=True)
    at = ma.fields.DateTime()


class ProofSchema(ma.Schema):
    bundle = ma.fields.Dict()
    hashes = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String())
    signature = ma.fields.String(allow_none=True)
    public_key = ma.fields.String(allow_none=True)
    key_id = ma.fields.String(allow_none=True)
    algorithm = ma.fields.String(allow_none=True)


class VerifyRequestSchema(ma.Schema):
    bundle = ma.fields.Dict(required=True)
    signature = ma.fields.String(load_default=None, allow_none=True)
    public_key = ma.fields.String(
        load_default=None,
        allow_none=True,
        metadata={
            "description": "base64 Ed25519 key the signature claims; checked, never trusted "
            "on its own (default: try every platform key)"
        },
    )
    key_id = ma.fields.String(
        load_default=None,
        allow_none=True,
        metadata={"description": "the platform key id the signature claims"},
    )
    algorithm = ma.fields.String(load_default=None, allow_none=True)
    hashes = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.String(),
        load_default=None,
        allow_none=True,
        metadata={"description": "the hashes published with the bundle, compared when given"},
    )


class ProofHashCheckSchema(ma.Schema):
    ok = ma.fields.Boolean(required=True)
    problems = ma.fields.List(ma.fields.String(), required=True)
    compared = ma.fields.Boolean(
        required=True, metadata={"description": "whether hashes were given and compared"}
    )


class ProofSignatureCheckSchema(ma.Schema):
    ok = ma.fields.Boolean(required=True)
    detail = ma.fields.String(required=True)


class ProofKeyCheckSchema(ma.Schema):
    ok = ma.fields.Boolean(required=True)
    key_id = ma.fields.String(required=True, allow_none=True)
    trusted = ma.fields.Boolean(required=True)
    trusted_as = ma.fields.String(
        required=True,
        allow_none=True,
        validate=validate.OneOf(["platform", "explicit"]),
        metadata={"description": "platform: a published platform key (GET /poai/keys)"},
    )
    detail = ma.fields.String(required=True)


class ProofChecksSchema(ma.Schema):
    hashes = ma.fields.Nested(ProofHashCheckSchema, required=True)
    signature = ma.fields.Nested(ProofSignatureCheckSchema, required=True)
    key = ma.fields.Nested(ProofKeyCheckSchema, required=True)


class VerifyResultSchema(ma.Schema):
    valid = ma.fields.Boolean(
        required=True,
        metadata={"description": "the hashes hold and a platform key signed the bundle"},
    )
    hashes = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String(), required=True)
    signature_valid = ma.fields.Boolean(required=True, allow_none=True)
    key_id = ma.fields.String(required=True, allow_none=True)
    key_trusted = ma.fields.Boolean(required=True)
    problems = ma.fields.List(ma.fields.String(), required=True)
    checks = ma.fields.Nested(ProofChecksSchema, required=True)


class SigningKeySchema(ma.Schema):
    key_id = ma.fields.String(required=True)
    algorithm = ma.fields.String(required=True, validate=validate.OneOf([SIGNATURE_ALGORITHM]))
    public_key = ma.fields.String(required=True, metadata={"description": "base64, 32 bytes"})
    status = ma.fields.String(
        required=True,
        validate=validate.OneOf(["current", "retired"]),
        metadata={"description": "current: signs new proofs; retired: checks older ones"},
    )
