"""Readiness probes: each configured adapter says whether it can serve."""

from __future__ import annotations

from typing import Protocol


class HealthProbe(Protocol):
    name: str

    def check(self) -> None:
        """Return if the dependency answers; raise with a short reason if not."""
        ...
