"""Facts the projects module publishes (later modules subscribe jobs to them)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from app.domain.shared.events import DomainEvent


@dataclass(frozen=True)
class ProjectStatusChanged(DomainEvent):
    name: ClassVar[str] = "projects.status_changed"
    project_id: str
    organization_id: str
    from_status: str
    to_status: str
    actor_id: str | None
    reason: str | None
