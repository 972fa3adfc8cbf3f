"""JSON values and their RFC 8785 canonical form (used for every hash we publish)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeAlias

import rfc8785

from app.domain.shared.clock import isoformat

JSON: TypeAlias = dict[str, "JSON"] | list["JSON"] | str | int | bool | None


def to_json(value: Any) -> JSON:
    """Plain JSON data from domain values: Decimals and datetimes become strings
    (floats are refused: nothing we hash may depend on binary rounding)."""
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        return isoformat(value)
    if isinstance(value, Mapping):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, Sequence):
        return [to_json(v) for v in value]
    raise TypeError(f"cannot represent {type(value).__name__} as canonical JSON")


def canonical(value: Any) -> bytes:
    """RFC 8785 (JCS) bytes of a value: same data, same bytes, whatever the key order."""
    return rfc8785.dumps(to_json(value))
