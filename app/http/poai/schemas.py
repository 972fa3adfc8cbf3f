"""Schemas of proof bundles, their verification and the platform's signing keys."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from app.domain.poai.bundle import SIGNATURE_ALGORITHM


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
