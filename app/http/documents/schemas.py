"""Schemas of uploads, documents and their versions, download links and the access log."""

from __future__ import annotations

import marshmallow as ma
from flask_smorest.fields import Upload
from marshmallow import validate

from app.domain.documents.model import DEFAULT_VISIBILITY, UPLOADABLE, Visibility

KINDS = [k.value for k in UPLOADABLE]
VISIBILITIES = [v.value for v in Visibility]
VISIBILITY_RULE = (
    "public: everyone who sees the project (anyone once it is registered); private: only"
    " the project's organization, its assigned reviewers and platform admins"
)
KIND_DEFAULTS = ", ".join(f"{k.value}: {DEFAULT_VISIBILITY[k].value}" for k in UPLOADABLE)


class UploadFormSchema(ma.Schema):
    kind = ma.fields.String(required=True, validate=validate.OneOf(KINDS))
    document_id = ma.fields.String(
        load_default=None,
        validate=validate.Length(max=64),
        metadata={"description": "upload a new version of this document"},
    )
    visibility = ma.fields.String(
        validate=validate.OneOf(VISIBILITIES),
        metadata={
            "description": f"{VISIBILITY_RULE}. Default by kind ({KIND_DEFAULTS}); a new"
            " version keeps its document's"
        },
    )
    file = Upload(required=True)


class DocumentSchema(ma.Schema):
    id = ma.fields.Function(lambda v: v.document.id)
    project_id = ma.fields.Function(lambda v: v.document.project_id)
    kind = ma.fields.Function(lambda v: v.document.kind.value)
    visibility = ma.fields.Function(
        lambda v: v.document.visibility.value,
        metadata={"type": "string", "enum": VISIBILITIES, "description": VISIBILITY_RULE},
    )
    filename = ma.fields.Function(lambda v: v.version.filename)
    content_type = ma.fields.Function(lambda v: v.version.content_type)
    size = ma.fields.Function(lambda v: v.version.size)
    sha256 = ma.fields.Function(lambda v: v.version.sha256)
    version = ma.fields.Function(lambda v: v.version.version)
    storage = ma.fields.Function(lambda v: v.version.storage_backend)
    created_at = ma.fields.Function(lambda v: v.version.created_at.isoformat())


class VisibilityChangeSchema(ma.Schema):
    visibility = ma.fields.String(
        required=True,
        validate=validate.OneOf(VISIBILITIES),
        metadata={"description": VISIBILITY_RULE},
    )


class LinkRequestSchema(ma.Schema):
    version = ma.fields.Integer(load_default=None, validate=validate.Range(min=1))


class LinkSchema(ma.Schema):
    url = ma.fields.String()
    expires_at = ma.fields.DateTime()


class ContentArgs(ma.Schema):
    version = ma.fields.Integer(required=True, validate=validate.Range(min=1))
    expires = ma.fields.Integer(required=True, validate=validate.Range(min=0))
    actor = ma.fields.String(required=True, validate=validate.Length(min=1, max=64))
    signature = ma.fields.String(required=True, validate=validate.Regexp(r"^[0-9a-f]{64}$"))


class AccessSchema(ma.Schema):
    document_id = ma.fields.String()
    version = ma.fields.Integer()
    action = ma.fields.String()
    actor_id = ma.fields.String(allow_none=True)
    ip = ma.fields.String(allow_none=True)
    request_id = ma.fields.String(allow_none=True)
    at = ma.fields.DateTime()
