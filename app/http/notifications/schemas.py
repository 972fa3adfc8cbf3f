"""Schemas of notifications, preferences and delivery failures."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from app.domain.notifications.model import Channel, Frequency, Trigger

TIMEZONE = r"^[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+){0,2}$"
LINK_TOKEN_PATTERN = r"^[A-Za-z0-9_\-]{1,64}\.[a-z_]{1,40}\.[A-Za-z0-9_\-]{43}$"  # noqa: S105 (a pattern, not a secret)


class NotificationSchema(ma.Schema):
    id = ma.fields.String()
    trigger = ma.fields.Function(lambda n: n.trigger.value)
    title = ma.fields.String()
    body = ma.fields.String()
    link = ma.fields.String(allow_none=True)
    read_at = ma.fields.DateTime(allow_none=True)
    created_at = ma.fields.DateTime()


class NotificationArgs(ma.Schema):
    unread = ma.fields.Boolean(
        metadata={"description": "true: only unread ones; false: only read ones"}
    )


class ReadAllSchema(ma.Schema):
    marked = ma.fields.Integer(metadata={"description": "how many were unread"})


class PreferenceSchema(ma.Schema):
    trigger = ma.fields.String(required=True, validate=validate.OneOf([t.value for t in Trigger]))
    channel = ma.fields.String(required=True, validate=validate.OneOf([c.value for c in Channel]))
    enabled = ma.fields.Boolean(required=True)
    frequency = ma.fields.String(
        load_default=Frequency.IMMEDIATE.value,
        validate=validate.OneOf([f.value for f in Frequency]),
        metadata={"description": "daily: gathered into one email a day (email only)"},
    )


class PreferencesSchema(ma.Schema):
    items = ma.fields.List(
        ma.fields.Nested(PreferenceSchema),
        required=True,
        validate=validate.Length(max=len(Trigger) * len(Channel)),
        metadata={"description": "the (trigger, channel) pairs to change; others stay"},
    )
    timezone = ma.fields.String(
        allow_none=True,
        validate=[validate.Length(max=64), validate.Regexp(TIMEZONE)],
        metadata={"description": "IANA time zone of the daily digest (null: UTC)"},
    )


class UnsubscribeArgs(ma.Schema):
    token = ma.fields.String(
        required=True, validate=[validate.Length(max=200), validate.Regexp(LINK_TOKEN_PATTERN)]
    )


class UnsubscribedSchema(ma.Schema):
    unsubscribed = ma.fields.List(
        ma.fields.String(), metadata={"description": "triggers whose email is now off"}
    )


class FailureSchema(ma.Schema):
    id = ma.fields.String()
    user_id = ma.fields.String()
    notification_id = ma.fields.String(allow_none=True)
    trigger = ma.fields.String()
    channel = ma.fields.Function(lambda d: d.channel.value)
    attempts = ma.fields.Integer()
    last_error = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime()
    failed_at = ma.fields.DateTime(allow_none=True)
