"""Request and response bodies of the identity endpoints."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import validate

from app.domain.auth.model import (
    API_KEY_NAME,
    DISPLAY_NAME,
    EMAIL,
    MAX_PASSWORD,
    ORGANIZATION_NAME,
    PASSWORD_PATTERN,
)
from app.domain.auth.permissions import API_KEY_SCOPES, OrgRole
from app.http.common.schemas import ETH_ADDRESS, MAX_BLOCK, Text, WholeNumber

ORG_ROLES = [r.value for r in OrgRole]


def EmailAddress(**kwargs: Any) -> ma.fields.String:  # noqa: N802 (reads as a field class)
    """An email address as the accounts accept it (compared in lower case)."""
    return ma.fields.String(
        validate=[validate.Length(max=254), validate.Regexp(EMAIL)],
        metadata={"example": "someone@example.org"},
        **kwargs,
    )


def NewPassword(**kwargs: Any) -> ma.fields.String:  # noqa: N802
    """A password being set: the length and character-class rule is in the pattern; a
    common password, or one containing the email, is refused as `weak_password`."""
    return ma.fields.String(
        load_only=True,
        validate=validate.Regexp(PASSWORD_PATTERN),
        metadata={
            "description": "12 to 1024 characters, three of: lower case, upper case, digits,"
            " symbols; not a common password, not containing the email"
        },
        **kwargs,
    )


class RegisterSchema(ma.Schema):
    email = EmailAddress(required=True)
    password = NewPassword(required=True)
    display_name = Text(DISPLAY_NAME, required=True)


class UserSchema(ma.Schema):
    id = ma.fields.String(required=True)
    email = ma.fields.String(allow_none=True)
    display_name = ma.fields.String()
    roles = ma.fields.List(ma.fields.String())
    email_verified = ma.fields.Boolean()
    wallets = ma.fields.List(ma.fields.String())
    created_at = ma.fields.DateTime()
    timezone = ma.fields.String(
        allow_none=True,
        metadata={
            "description": "IANA time zone of the daily digest (PUT /me/notification-preferences)"
        },
    )


class TokenSchema(ma.Schema):
    token = ma.fields.String(required=True, validate=validate.Length(min=1, max=200))


class LoginSchema(ma.Schema):
    # Any text: a malformed address gets the same answer as an unknown one.
    email = ma.fields.String(required=True, validate=validate.Length(max=254))
    password = ma.fields.String(
        required=True, load_only=True, validate=validate.Length(max=MAX_PASSWORD)
    )


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
    password = NewPassword(required=True)


class NonceRequestSchema(ma.Schema):
    address = ma.fields.String(required=True, validate=validate.Regexp(ETH_ADDRESS))
    chain_id = WholeNumber(required=True, validate=validate.Range(min=1, max=MAX_BLOCK))
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
    email = EmailAddress(required=True)
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
        validate=validate.Length(min=1, max=len(API_KEY_SCOPES)),
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
