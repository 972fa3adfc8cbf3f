"""Schemas of certificates (the `certificate/1` document), their verification, the
template and custom fields."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from app.domain.certificates.model import MAX_CUSTOM_FIELDS, MAX_LABEL, MAX_VALUE
from app.http.common.schemas import Text

COLOR = validate.Regexp(r"^#[0-9a-fA-F]{6}$", error="must be #rrggbb")
_ANY = ma.fields.Raw()


class ProjectPartSchema(ma.Schema):
    id = ma.fields.String()
    name = ma.fields.String()
    type = ma.fields.String()
    country = ma.fields.String()
    methodology = ma.fields.String()
    standard = ma.fields.String()


class PoaiPartSchema(ma.Schema):
    case_id = ma.fields.String()
    bundle_hash = ma.fields.String()
    signature = ma.fields.String()
    public_key = ma.fields.String()
    key_id = ma.fields.String()


class DisclosureSchema(ma.Schema):
    beneficiary = ma.fields.String()
    salt = ma.fields.String()


class FieldSchema(ma.Schema):
    label = Text(max_length=MAX_LABEL, blank=False, required=True)
    value = Text(max_length=MAX_VALUE, required=True)


class CertificateSchema(ma.Schema):
    """The signed document as issued (RFC 8785 canonical when published); `disclosure`
    only in the holder's own copy, outside the signature."""

    version = ma.fields.String()
    id = ma.fields.String()
    retirement_id = ma.fields.String()
    serial_number = ma.fields.String(
        metadata={"description": "CPB-<project>-<country>-<vintage>-<token>-<first kg>-<last kg>"}
    )
    project = ma.fields.Nested(ProjectPartSchema)
    vintage = ma.fields.Integer()
    token_id = ma.fields.Integer()
    quantity = ma.fields.String(metadata={"description": "tonnes, decimal string"})
    quantity_kg = ma.fields.Integer()
    kg_start = ma.fields.Integer()
    kg_end = ma.fields.Integer()
    serial_start = ma.fields.Integer()
    serial_end = ma.fields.Integer()
    holder = ma.fields.String()
    beneficiary = ma.fields.String(metadata={"description": "the name, or sha256:<hex>"})
    beneficiary_visibility = ma.fields.String()
    purpose = ma.fields.String()
    retired_at = ma.fields.String(allow_none=True)
    chain_id = ma.fields.Integer()
    contract = ma.fields.String()
    tx_hash = ma.fields.String()
    block_number = ma.fields.Integer()
    log_index = ma.fields.Integer()
    poai_bundle_hash = ma.fields.String()
    poai = ma.fields.Nested(PoaiPartSchema)
    provenance = ma.fields.List(ma.fields.Dict(keys=ma.fields.String(), values=_ANY))
    custom_fields = ma.fields.List(ma.fields.Nested(FieldSchema))
    issued_at = ma.fields.String()
    verify_url = ma.fields.String()
    algorithm = ma.fields.String()
    key_id = ma.fields.String()
    public_key = ma.fields.String()
    signature = ma.fields.String()
    disclosure = ma.fields.Nested(DisclosureSchema)


class ProofCheckSchema(ma.Schema):
    valid = ma.fields.Boolean()
    detail = ma.fields.String()


class ChecksSchema(ma.Schema):
    signature = ma.fields.Nested(ProofCheckSchema)
    chain = ma.fields.Nested(ProofCheckSchema)
    poai = ma.fields.Nested(ProofCheckSchema)
    serials = ma.fields.Nested(ProofCheckSchema)


class VerificationSchema(ma.Schema):
    certificate = ma.fields.Nested(CertificateSchema)
    checks = ma.fields.Nested(ChecksSchema)
    valid = ma.fields.Boolean()


class TemplateSchema(ma.Schema):
    title = Text(max_length=200, blank=False, required=True)
    primary_color = ma.fields.String(required=True, validate=COLOR)
    accent_color = ma.fields.String(required=True, validate=COLOR)
    footer_text = Text(max_length=500, multiline=True, load_default="")
    logo_document_id = ma.fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=32)
    )
    updated_by = ma.fields.String(dump_only=True, allow_none=True)
    updated_at = ma.fields.DateTime(dump_only=True, allow_none=True)


class OrganizationFieldsSchema(ma.Schema):
    organization_id = ma.fields.String(dump_only=True)
    custom_fields = ma.fields.List(  # `fields` is the schema's own attribute
        ma.fields.Nested(FieldSchema),
        attribute="fields",
        data_key="fields",
        required=True,
        validate=validate.Length(max=MAX_CUSTOM_FIELDS),
    )
    updated_by = ma.fields.String(dump_only=True, allow_none=True)
    updated_at = ma.fields.DateTime(dump_only=True, allow_none=True)
