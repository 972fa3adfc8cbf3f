"""Domain events: facts recorded by a use case, dispatched only after its transaction commits."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import ClassVar

from app.domain.shared.json import JSON, to_json


@dataclass(frozen=True)
class DomainEvent:
    """Subclasses set `name` (`module.fact`, e.g. `projects.submitted`) and their fields."""

    name: ClassVar[str] = "event"

    def payload(self) -> dict[str, JSON]:
        data = to_json(asdict(self))
        assert isinstance(data, dict)
        return data
