"""Objects the models do not describe (full-text helpers, generated columns) are created
by migrations only; autogenerate and the drift check leave them alone."""

from __future__ import annotations

from typing import Any

UNMANAGED_PREFIXES = ("fts_", "sqlite_")


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    return not (name or "").startswith(UNMANAGED_PREFIXES)
