"""Schemas of the liveness and readiness answers."""

from __future__ import annotations

import marshmallow as ma


class HealthSchema(ma.Schema):
    status = ma.fields.String(required=True)


class ReadySchema(ma.Schema):
    ready = ma.fields.Boolean(required=True)
    checks = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String())
