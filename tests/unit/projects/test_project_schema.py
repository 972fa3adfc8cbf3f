"""The project schema's direct dump gives exactly what marshmallow's fields give."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import marshmallow as ma
import pytest

from app.domain.projects.model import Project, ProjectType, Status
from app.domain.shared.quantity import Quantity
from app.http.projects.schemas import ProjectSchema


def _project(**changes: object) -> Project:
    values: dict[str, object] = {
        "id": "p1",
        "organization_id": "o1",
        "name": "Mangrove blue carbon",
        "description": "Restoring 1,200 ha of mangroves",
        "type": ProjectType.BLUE_CARBON,
        "methodology": "VM0033",
        "standard": "Verra",
        "country": "ID",
        "region": "Sulawesi",
        "latitude": Decimal("-1.234567"),
        "longitude": Decimal("120.5"),
        "vintages": [2019, 2021],
        "expected_annual_reductions": Quantity(1_250_500),
        "created_by": "u1",
        "created_at": datetime(2026, 1, 2, 3, 4, 5, 678, tzinfo=UTC),
        "updated_at": datetime(2026, 2, 3, 4, 5, 6, tzinfo=UTC),
        "status": Status.REGISTERED,
        "metadata": {"sdgs": [13, 14], "note": "é"},
    }
    values.update(changes)
    return Project(**values)  # type: ignore[arg-type]


PROJECTS = [
    _project(),
    _project(id="p2", latitude=None, longitude=None, metadata={}, status=Status.DRAFT),
    _project(id="p3", vintages=[], expected_annual_reductions=Quantity(1)),
    _project(id="p4", mitigation="removal", removal_kind="technological"),
]


def _marshmallow(schema: ProjectSchema, obj: object, many: bool) -> object:
    return ma.Schema.dump(schema, obj, many=many)


@pytest.mark.parametrize("project", PROJECTS, ids=lambda p: p.id)
def test_one_project_dumps_like_marshmallow(project):
    schema = ProjectSchema()
    assert schema.dump(project) == _marshmallow(schema, project, many=False)


def test_a_page_dumps_like_marshmallow():
    schema = ProjectSchema(many=True)
    assert schema.dump(PROJECTS) == _marshmallow(schema, PROJECTS, many=True)
    assert ProjectSchema().dump(PROJECTS, many=True) == schema.dump(PROJECTS)


def test_a_restricted_schema_falls_back_to_marshmallow():
    assert ProjectSchema(only=("id", "name")).dump(PROJECTS[0]) == {
        "id": "p1",
        "name": "Mangrove blue carbon",
    }
