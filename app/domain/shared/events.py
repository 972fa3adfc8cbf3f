"""Domain events: facts recorded by a use case, dispatched only after its transaction commits."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import ClassVar

from app.domain.shared.ids import new_id
from app.domain.shared.json import JSON, to_json


@dataclass(frozen=True)
class DomainEvent:
    """Subclasses set `name` (`module.fact`, e.g. `projects.submitted`) and their fields.
    `event_id` tells one occurrence from another (subscribers deduplicate by it)."""

    name: ClassVar[str] = "event"
    event_id: str = field(default_factory=new_id, kw_only=True, compare=False)

    def payload(self) -> dict[str, JSON]:
        data = to_json(asdict(self))
        assert isinstance(data, dict)
        return data
