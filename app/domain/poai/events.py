"""Facts the PoAI module publishes (notifications will subscribe to them)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from app.domain.shared.events import DomainEvent


@dataclass(frozen=True)
class CaseStatusChanged(DomainEvent):
    name: ClassVar[str] = "poai.case_status_changed"
    case_id: str
    project_id: str
    organization_id: str
    round: int
    from_status: str | None
    to_status: str
    actor_id: str | None
    reason: str | None
