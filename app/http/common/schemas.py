"""Schemas every module uses in its OpenAPI description."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import marshmallow as ma
from marshmallow import validate

from app.domain.projects.model import FIRST_VINTAGE, LAST_VINTAGE
from app.domain.shared.errors import InvalidValue
from app.domain.shared.quantity import (
    TONNES_OR_ZERO_PATTERN,
    TONNES_PATTERN,
    Quantity,
    parse_tonnes,
)
from app.domain.shared.text import TextRule, clean_query


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

    def __init__(self, *, allow_zero: bool = False, **kwargs: Any) -> None:
        self.allow_zero = allow_zero
        metadata = {
            "type": "string",
            "description": "decimal tonnes, at most 3 decimals (kilograms), plain digits",
            "pattern": TONNES_OR_ZERO_PATTERN if allow_zero else TONNES_PATTERN,
            "maxLength": 17,
            "example": "2.5",
            **dict(kwargs.pop("metadata", None) or {}),
        }
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Quantity:
        if not isinstance(value, str):
            raise ma.ValidationError('a string of decimal tonnes, e.g. "2.5"')
        try:
            return parse_tonnes(value, allow_zero=self.allow_zero)
        except InvalidValue as exc:
            raise ma.ValidationError(exc.detail) from exc

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        if value is None:
            return None
        return (value if isinstance(value, Quantity) else Quantity(int(value))).tonnes_str()


class Text(ma.fields.String):
    """Free text typed by a person (a name, a title, a description, a reason) under the
    platform's one rule (`app.domain.shared.text`): no control, bidirectional or invisible
    formatting characters (tab and newline allowed when `multiline`), normalised to NFC
    and trimmed, at most `max_length` characters, not blank unless `blank`; or a domain
    `TextRule` given as is. The OpenAPI document carries the rule as `maxLength` and
    `pattern`."""

    def __init__(
        self,
        rule: TextRule | None = None,
        *,
        max_length: int | None = None,
        multiline: bool = False,
        blank: bool = True,
        **kwargs: Any,
    ) -> None:
        if rule is None:
            if max_length is None:
                raise TypeError("Text needs a rule or a max_length")
            rule = TextRule(max_length, multiline=multiline, blank=blank)
        self.rule = rule
        max_length, blank = rule.max_length, rule.blank
        metadata = {
            "maxLength": max_length,
            "pattern": self.rule.pattern,
            **({} if blank else {"minLength": 1}),
            **dict(kwargs.pop("metadata", None) or {}),
        }
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return self.rule.clean(text)
        except InvalidValue as exc:
            raise ma.ValidationError(exc.detail) from None


# An account address on the chain, any case (checksums are compared case-insensitively).
ETH_ADDRESS = r"^0x[0-9a-fA-F]{40}$"

# Block numbers and other chain counters as stored: a signed 64-bit column.
MAX_BLOCK = 2**63 - 1


class WholeNumber(ma.fields.Integer):
    """A JSON integer: `2094` or `2094.0` (JSON does not tell them apart), never `2.5`,
    `true` or `"2094"`."""

    def _validated(self, value: Any) -> int:
        if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.make_error("invalid")
        return value


def Vintage(**kwargs: Any) -> WholeNumber:  # noqa: N802 (reads as a field class)
    """A vintage year, as a JSON integer in the range the registry accepts."""
    return WholeNumber(validate=validate.Range(FIRST_VINTAGE, LAST_VINTAGE), **kwargs)


class SearchText(ma.fields.String):
    """Text to search for, at most `max_length` characters: any string is taken, control
    and invisible characters read as spaces, normalised to NFC like the stored text."""

    def __init__(self, *, max_length: int, **kwargs: Any) -> None:
        self.max_length = max_length
        metadata = {"maxLength": max_length, **dict(kwargs.pop("metadata", None) or {})}
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return clean_query(text, max_length=self.max_length)
        except InvalidValue as exc:
            raise ma.ValidationError(exc.detail) from None


class UtcDateTime(ma.fields.AwareDateTime):
    """An instant in ISO 8601 with its offset (`2027-01-31T09:00:00Z`; without one it
    is taken as UTC), loaded in UTC: an instant outside the years 1..9999 once in UTC is
    a 422 on the field, not an overflow."""

    def __init__(self, **kwargs: Any) -> None:
        metadata = {"example": "2027-01-31T09:00:00Z", **dict(kwargs.pop("metadata", None) or {})}
        super().__init__(default_timezone=UTC, metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        instant = super()._deserialize(value, attr, data, **kwargs)
        try:
            return instant.astimezone(UTC)
        except (OverflowError, ValueError):
            raise ma.ValidationError("not an instant between the years 1 and 9999") from None
