"""A small blueprint the error tests call: a JSON body with a schema, a tight rate
limit, a domain error and an unexpected one. Registered by the test app only."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask_smorest import Blueprint

from app.domain.shared.errors import Conflict
from app.http.common.limiter import limiter

probe_blp = Blueprint("probe", __name__, description="Test-only endpoints")


class AddressSchema(ma.Schema):
    country = ma.fields.String(required=True)


class EchoSchema(ma.Schema):
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1))
    quantity = ma.fields.Decimal(required=True, as_string=True)
    address = ma.fields.Nested(AddressSchema, required=False)


@probe_blp.route("/echo", methods=["POST"])
@probe_blp.arguments(EchoSchema)
@probe_blp.response(200, EchoSchema)
def echo(body: dict[str, Any]) -> dict[str, Any]:
    return body


@probe_blp.route("/limited")
@limiter.limit("2 per minute")
def limited() -> dict[str, str]:
    return {"ok": "yes"}


@probe_blp.route("/conflict", methods=["POST"])
def conflict() -> None:
    raise Conflict("the thing changed meanwhile", code="stale_state")


@probe_blp.route("/boom")
def boom() -> None:
    raise RuntimeError("secret internals")
