"""Cells as text, the same in every format that writes text."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from app.domain.reports.content import Cell


def text_cell(value: Cell) -> str:
    """A cell as text: exact decimals in plain notation, times in ISO 8601 UTC."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    return str(value)
