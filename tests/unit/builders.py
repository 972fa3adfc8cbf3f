"""Entities as the unit tests need them: valid, with what a test cares about overridden."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from app.domain.projects.model import Project, ProjectType, Status
from app.domain.shared.quantity import Quantity

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
ORG, PID = "org-1", "p1"


def project(**over: Any) -> Project:
    """Project `p1` of `org-1`, a draft unless `status` says otherwise."""
    fields: dict[str, Any] = {
        "id": PID,
        "organization_id": ORG,
        "created_by": "u",
        "created_at": NOW,
        "updated_at": NOW,
        "name": "Mata Viva",
        "description": "Native species reforestation",
        "type": ProjectType.FORESTRY,
        "methodology": "VM0047",
        "standard": "Verra VCS",
        "country": "BR",
        "region": "Bahia",
        "latitude": Decimal("-14.5"),
        "longitude": Decimal("-39.25"),
        "vintages": [2024],
        "expected_annual_reductions": Quantity.from_tonnes("1200"),
        "status": Status.DRAFT,
    }
    return Project(**fields | over)
