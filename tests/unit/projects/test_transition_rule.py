"""The lifecycle check lives in `Project.acting_as`: the model's `transition` and the
`transition_project` use case both go through it, so they refuse the same steps with the
same errors."""

import pytest

from app.domain.auth.permissions import OrgRole, Role
from app.domain.auth.principal import Principal
from app.domain.projects import services
from app.domain.projects.errors import InvalidTransition
from app.domain.projects.model import TRANSITIONS, Actor, Status
from app.domain.shared.errors import PermissionDenied
from tests.fakes.platform import FakeUnitOfWork
from tests.unit.projects.test_lifecycle import FIELDS, ORG, make

ISSUER_AND_ADMIN = Principal(
    "u-both", "user", frozenset({Role.ISSUER, Role.PLATFORM_ADMIN}), {ORG: OrgRole.ADMIN}
)


def test_a_step_outside_the_lifecycle_is_an_invalid_transition_whoever_asks():
    with pytest.raises(InvalidTransition, match="cannot go from draft to active"):
        make().acting_as(Status.ACTIVE, set(Actor))


def test_a_step_in_the_lifecycle_refuses_capacities_it_does_not_allow():
    with pytest.raises(PermissionDenied, match="not yours to do"):
        make().acting_as(Status.SUBMITTED, {Actor.REVIEWER, Actor.ADMIN})


def test_the_first_allowed_capacity_is_the_one_acted_in():
    project = make(status=Status.REGISTERED)
    assert TRANSITIONS[(Status.REGISTERED, Status.ACTIVE)] >= {Actor.ISSUER, Actor.ADMIN}
    assert project.acting_as(Status.ACTIVE, {Actor.ISSUER, Actor.ADMIN}) == Actor.ADMIN
    assert project.acting_as(Status.ACTIVE, {Actor.ISSUER}) == Actor.ISSUER


def test_the_use_case_refuses_an_invalid_step_before_asking_who_the_caller_is():
    uow = FakeUnitOfWork()
    project = services.create_project(
        ISSUER_AND_ADMIN, dict(FIELDS), organization_id=None, uow=uow, clock=uow.clock
    )
    viewer = Principal("u-v", "user", frozenset({Role.ENTERPRISE}), {ORG: OrgRole.VIEWER})
    for caller in (ISSUER_AND_ADMIN, viewer):
        with pytest.raises(InvalidTransition):
            services.transition_project(
                caller, project.id, Status.CLOSED, reason="x", uow=uow, clock=uow.clock
            )


def test_the_use_case_records_the_capacity_the_rule_chose():
    uow = FakeUnitOfWork()
    project = services.create_project(
        ISSUER_AND_ADMIN, dict(FIELDS), organization_id=None, uow=uow, clock=uow.clock
    )
    uow.projects.documents[(project.id, "project_design")] = 1
    moved = services.transition_project(
        ISSUER_AND_ADMIN, project.id, Status.SUBMITTED, reason=None, uow=uow, clock=uow.clock
    )
    assert moved.status == Status.SUBMITTED  # as its issuer: admins do not submit
