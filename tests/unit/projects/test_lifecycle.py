from datetime import UTC, datetime
from decimal import Decimal

import pytest

from app.domain.auth.permissions import OrgRole, Role
from app.domain.auth.principal import Principal
from app.domain.projects import services
from app.domain.projects.model import (
    TRANSITIONS,
    Actor,
    Project,
    ProjectType,
    Status,
)
from app.domain.shared.errors import (
    Conflict,
    InvalidValue,
    NotFound,
    PermissionDenied,
    RuleViolation,
)
from app.domain.shared.quantity import Quantity
from tests.fakes.platform import FakeUnitOfWork

NOW = datetime(2026, 5, 1, tzinfo=UTC)
ORG = "org-1"
ISSUER = Principal("u-issuer", "user", frozenset({Role.ISSUER}), {ORG: OrgRole.ADMIN})
VIEWER = Principal("u-viewer", "user", frozenset({Role.ENTERPRISE}), {ORG: OrgRole.VIEWER})
REVIEWER = Principal("u-rev", "user", frozenset({Role.POAI_REVIEWER}))
ADMIN = Principal("u-admin", "user", frozenset({Role.PLATFORM_ADMIN}))
STRANGER = Principal("u-x", "user", frozenset({Role.RETAIL}))

FIELDS = {
    "name": "Mata Atlântica restoration",
    "description": "Native species reforestation",
    "type": ProjectType.FORESTRY,
    "methodology": "VM0047",
    "standard": "Verra",
    "country": "BR",
    "region": "Bahia",
    "latitude": Decimal("-14.5"),
    "longitude": Decimal("-39.2"),
    "vintages": [2024, 2023],
    "expected_annual_reductions": Quantity.from_tonnes("12000"),
}


def make(**over) -> Project:
    return Project(
        id="p1",
        organization_id=ORG,
        created_by="u",
        created_at=NOW,
        updated_at=NOW,
        **{**FIELDS, **over},
    )


@pytest.mark.parametrize(("edge", "actors"), list(TRANSITIONS.items()))
def test_every_allowed_transition_and_only_by_its_actors(edge, actors):
    start, end = edge
    for actor in Actor:
        project = make(status=start)
        if actor in actors:
            entry = project.transition(end, actor, reason="because", actor_id="a", now=NOW)
            assert (project.status, entry.from_status, entry.to_status) == (end, start, end)
        else:
            with pytest.raises(PermissionDenied):
                project.transition(end, actor, reason="because", actor_id="a", now=NOW)


def test_transitions_outside_the_graph_are_conflicts():
    allowed = set(TRANSITIONS)
    for start in Status:
        for end in Status:
            if (start, end) in allowed:
                continue
            with pytest.raises(Conflict):
                make(status=start).transition(end, Actor.ADMIN, reason="x", actor_id="a", now=NOW)


def test_negative_steps_need_a_reason():
    with pytest.raises(InvalidValue):
        make(status=Status.UNDER_REVIEW).transition(
            Status.REJECTED, Actor.REVIEWER, reason=None, actor_id="a", now=NOW
        )


def test_fields_are_validated():
    for bad in [
        {"country": "XX"},
        {"latitude": Decimal(91)},
        {"longitude": None},
        {"vintages": [2020, 2020]},
        {"vintages": [1800]},
        {"name": " "},
    ]:
        with pytest.raises(InvalidValue):
            make(**bad)
    assert make().vintages == [2023, 2024]


def test_edits_follow_the_status():
    draft = make()
    draft.update({"name": "New name"}, NOW)
    assert draft.name == "New name"
    registered = make(status=Status.REGISTERED)
    with pytest.raises(Conflict):
        registered.update({"name": "x"}, NOW)
    registered.update({"metadata": {"registry_url": "https://x"}}, NOW)
    with pytest.raises(Conflict):
        make(status=Status.UNDER_REVIEW).update({"metadata": {}}, NOW)


def test_services_enforce_ownership_visibility_and_documents():
    uow = FakeUnitOfWork()
    fields = dict(FIELDS)
    with pytest.raises(PermissionDenied):
        services.create_project(VIEWER, fields, organization_id=None, uow=uow, clock=uow.clock)
    project = services.create_project(
        ISSUER, dict(fields), organization_id=None, uow=uow, clock=uow.clock
    )
    assert services.get_project(VIEWER, project.id, uow=uow).status == Status.DRAFT
    for outsider in [STRANGER, None]:
        with pytest.raises(NotFound):
            services.get_project(outsider, project.id, uow=uow)
    with pytest.raises(RuleViolation):
        services.transition_project(
            ISSUER, project.id, Status.SUBMITTED, reason=None, uow=uow, clock=uow.clock
        )
    uow.projects.documents[(project.id, "project_design")] = 1
    with pytest.raises(PermissionDenied):
        services.transition_project(
            VIEWER, project.id, Status.SUBMITTED, reason=None, uow=uow, clock=uow.clock
        )
    services.transition_project(
        ISSUER, project.id, Status.SUBMITTED, reason=None, uow=uow, clock=uow.clock
    )
    assert services.get_project(REVIEWER, project.id, uow=uow).status == Status.SUBMITTED
    with pytest.raises(PermissionDenied):
        services.transition_project(
            ISSUER, project.id, Status.UNDER_REVIEW, reason=None, uow=uow, clock=uow.clock
        )
    services.transition_project(
        REVIEWER, project.id, Status.UNDER_REVIEW, reason=None, uow=uow, clock=uow.clock
    )
    history = services.project_history(ADMIN, project.id, uow=uow)
    assert [(h.from_status, h.to_status) for h in history] == [
        (None, Status.DRAFT),
        (Status.DRAFT, Status.SUBMITTED),
        (Status.SUBMITTED, Status.UNDER_REVIEW),
    ]
    assert [e.name for e in uow.dispatched] == ["projects.status_changed"] * 2
    assert [e.action for e in uow.audit_log.entries].count("project.status_changed") == 2


def test_a_reviewer_from_the_issuing_organization_cannot_review():
    uow = FakeUnitOfWork()
    insider = Principal("u-in", "user", frozenset({Role.POAI_REVIEWER}), {ORG: OrgRole.VIEWER})
    project = services.create_project(
        ISSUER, dict(FIELDS), organization_id=None, uow=uow, clock=uow.clock
    )
    uow.projects.documents[(project.id, "project_design")] = 1
    services.transition_project(
        ISSUER, project.id, Status.SUBMITTED, reason=None, uow=uow, clock=uow.clock
    )
    with pytest.raises(PermissionDenied):
        services.transition_project(
            insider, project.id, Status.UNDER_REVIEW, reason=None, uow=uow, clock=uow.clock
        )
