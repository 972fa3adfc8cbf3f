"""Schemas every module uses in its OpenAPI description."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from app.domain.shared.errors import InvalidValue
from app.domain.shared.quantity import TONNES_PATTERN, Quantity, parse_tonnes


class ProblemSchema(ma.Schema):
    """RFC 9457 problem details."""

    type = ma.fields.String(metadata={"description": "Problem type URI"})
    title = ma.fields.String()
    status = ma.fields.Integer()
    detail = ma.fields.String()
    code = ma.fields.String(metadata={"description": "Stable snake_case error code"})
    errors = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.List(ma.fields.String()),
        metadata={"description": "Field path -> messages (validation errors)"},
    )
    request_id = ma.fields.String()


class TonnesField(ma.fields.Field[Quantity]):
    """A quantity in decimal tonnes, to the kilogram (`"2.5"`, `"0.001"`): loads as a
    `Quantity`, so a malformed, zero, negative or absurd value is a 422 on this field;
    dumps kilograms back as tonnes."""

    def __init__(self, **kwargs: Any) -> None:
        metadata = {
            "type": "string",
            "description": "decimal tonnes, at most 3 decimals (kilograms), plain digits",
            "pattern": TONNES_PATTERN,
            "maxLength": 17,
            "example": "2.5",
            **dict(kwargs.pop("metadata", None) or {}),
        }
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Quantity:
        if not isinstance(value, str):
            raise ma.ValidationError('a string of decimal tonnes, e.g. "2.5"')
        try:
            return parse_tonnes(value)
        except InvalidValue as exc:
            raise ma.ValidationError(exc.detail) from exc

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else Quantity(int(value)).tonnes_str()
