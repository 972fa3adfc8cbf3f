"""Facts the reports module publishes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from app.domain.shared.events import DomainEvent


@dataclass(frozen=True)
class ReportReady(DomainEvent):
    name: ClassVar[str] = "reports.report_ready"
    report_id: str
    kind: str
    format: str
    requested_by: str
    organization_id: str | None
