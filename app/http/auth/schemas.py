"""Request and response bodies of the identity endpoints."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from app.domain.auth.model import API_KEY_NAME, DISPLAY_NAME, ORGANIZATION_NAME
from app.domain.auth.permissions import API_KEY_SCOPES, OrgRole
from app.http.common.schemas import Text

ORG_ROLES = [r.value for r in OrgRole]


class RegisterSchema(ma.Schema):
    email = ma.fields.Email(required=True, validate=validate.Length(max=254))
    password = ma.fields.String(required=True, load_only=True, validate=validate.Length(max=1024))
    display_name = Text(DISPLAY_NAME, required=True)


class UserSchema(ma.Schema):
    id = ma.fields.String(required=True)
    email = ma.fields.String(allow_none=True)
    display_name = ma.fields.String()
    roles = ma.fields.List(ma.fields.String())
    email_verified = ma.fields.Boolean()
    wallets = ma.fields.List(ma.fields.String())
    created_at = ma.fields.DateTime()


class TokenSchema(ma.Schema):
    token = ma.fields.String(required=True, validate=validate.Length(min=1, max=200))


class LoginSchema(ma.Schema):
    email = ma.fields.String(required=True, validate=validate.Length(max=254))
    password = ma.fields.String(required=True, load_only=True, validate=validate.Length(max=1024))


class TokenPairSchema(ma.Schema):
    access_token = ma.fields.String(required=True)
    refresh_token = ma.fields.String(required=True)
    token_type = ma.fields.String(required=True)
    expires_in = ma.fields.Integer(required=True, metadata={"description": "seconds"})


class ForgotSchema(ma.Schema):
    email = ma.fields.String(required=True, validate=validate.Length(max=254))


class AcceptedSchema(ma.Schema):
    status = ma.fields.String(required=True)
    detail = ma.fields.String()


class ResetSchema(ma.Schema):
    token = ma.fields.String(required=True, validate=validate.Length(min=1, max=200))
    password = ma.fields.String(required=True, load_only=True, validate=validate.Length(max=1024))


class NonceRequestSchema(ma.Schema):
    address = ma.fields.String(required=True, validate=validate.Length(max=64))
    chain_id = ma.fields.Integer(required=True, strict=True)
    purpose = ma.fields.String(load_default="login", validate=validate.OneOf(["login", "link"]))


class NonceSchema(ma.Schema):
    nonce = ma.fields.String(required=True)
    message = ma.fields.String(required=True, metadata={"description": "Sign exactly this"})


class SignedMessageSchema(ma.Schema):
    message = ma.fields.String(required=True, validate=validate.Length(min=1, max=8192))
    signature = ma.fields.String(required=True, validate=validate.Length(min=1, max=300))


class ProfileUpdateSchema(ma.Schema):
    display_name = Text(DISPLAY_NAME, required=True)


class SessionSchema(ma.Schema):
    id = ma.fields.String()
    created_at = ma.fields.DateTime()
    last_used_at = ma.fields.DateTime()
    expires_at = ma.fields.DateTime()
    method = ma.fields.String()
    user_agent = ma.fields.String(allow_none=True)
    ip = ma.fields.String(allow_none=True)
    current = ma.fields.Boolean()


class OrganizationCreateSchema(ma.Schema):
    name = Text(ORGANIZATION_NAME, required=True)


class OrganizationSchema(ma.Schema):
    id = ma.fields.String()
    name = ma.fields.String()
    created_at = ma.fields.DateTime()
    role = ma.fields.String(allow_none=True, metadata={"description": "your sub-role"})


class MemberAddSchema(ma.Schema):
    email = ma.fields.Email(required=True, validate=validate.Length(max=254))
    role = ma.fields.String(required=True, validate=validate.OneOf(ORG_ROLES))


class MemberChangeSchema(ma.Schema):
    role = ma.fields.String(required=True, validate=validate.OneOf(ORG_ROLES))


class MemberSchema(ma.Schema):
    user_id = ma.fields.String(allow_none=True)
    email = ma.fields.String(allow_none=True)
    display_name = ma.fields.String(allow_none=True)
    role = ma.fields.String()
    status = ma.fields.String(metadata={"description": "active or invited"})


class ApiKeyCreateSchema(ma.Schema):
    name = Text(API_KEY_NAME, required=True)
    scopes = ma.fields.List(
        ma.fields.String(validate=validate.OneOf(sorted(API_KEY_SCOPES))),
        required=True,
        validate=validate.Length(min=1),
    )


class ApiKeySchema(ma.Schema):
    id = ma.fields.String()
    organization_id = ma.fields.String()
    name = ma.fields.String()
    prefix = ma.fields.String()
    scopes = ma.fields.List(ma.fields.String())
    created_at = ma.fields.DateTime()
    last_used_at = ma.fields.DateTime(allow_none=True)
    revoked_at = ma.fields.DateTime(allow_none=True)


class ApiKeyCreatedSchema(ApiKeySchema):
    key = ma.fields.String(metadata={"description": "Shown once: store it now"})
