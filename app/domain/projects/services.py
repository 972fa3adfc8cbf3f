"""Use cases of projects: create, read, edit within what the status allows, move through
the lifecycle (with history, audit and an event for every step)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from app.domain.auth.permissions import Role
from app.domain.auth.principal import Principal
from app.domain.projects.access import actor_kinds, can_see, is_issuer_of, visible_scope
from app.domain.projects.events import ProjectStatusChanged
from app.domain.projects.model import (
    Actor,
    HistoryEntry,
    Project,
    ProjectType,
    Status,
    clean_text_fields,
    review_gaps,
)
from app.domain.shared.audit import AuditRecord
from app.domain.shared.errors import NotFound, PermissionDenied, RuleViolation
from app.domain.shared.ids import new_id
from app.ports.clock import Clock
from app.ports.repositories.projects import ProjectQuery, ProjectSearch, ProjectsUoW

REQUIRED_FOR_SUBMISSION = "project_design"


def create_project(
    principal: Principal,
    fields: dict[str, Any],
    *,
    organization_id: str | None,
    uow: ProjectsUoW,
    clock: Clock,
) -> Project:
    """A draft project of one of the caller's organizations (needed in the request only
    when the caller administers several)."""
    org_id = _owning_org(principal, organization_id)
    fields = clean_text_fields(fields)
    now = clock.now()
    project = Project(
        id=new_id(),
        organization_id=org_id,
        created_by=principal.id,
        created_at=now,
        updated_at=now,
        **fields,
    )
    with uow:
        uow.projects.add(project)
        uow.projects.add_history(
            project.id, HistoryEntry(None, Status.DRAFT, principal.id, None, now)
        )
        uow.audit(
            AuditRecord(
                "project.created",
                "project",
                project.id,
                principal.id,
                after=snapshot(project),
                organization_id=org_id,
            )
        )
        uow.commit()
    return project


def _owning_org(principal: Principal, organization_id: str | None) -> str:
    if Role.ISSUER not in principal.roles and not principal.is_admin:
        raise PermissionDenied("only issuers create projects")
    if organization_id is not None:
        if not (principal.is_admin or is_issuer_of(principal, organization_id)):
            raise PermissionDenied("you do not administer that organization")
        return organization_id
    mine = [o for o in principal.organizations if is_issuer_of(principal, o)]
    if len(mine) != 1:
        raise RuleViolation(
            "say which organization the project belongs to (organization_id)"
            if mine
            else "create or join an organization as its admin first",
            code="organization_required",
        )
    return mine[0]


def get_project(principal: Principal | None, project_id: str, *, uow: ProjectsUoW) -> Project:
    with uow:
        return _visible(principal, project_id, uow)


def _visible(
    principal: Principal | None, project_id: str, uow: ProjectsUoW, *, lock: bool = False
) -> Project:
    project = (uow.projects.get_for_update if lock else uow.projects.get)(project_id)
    if project is None or not can_see(principal, project):
        raise NotFound("project not found")
    return project


def update_project(
    principal: Principal,
    project_id: str,
    changes: dict[str, Any],
    *,
    uow: ProjectsUoW,
    clock: Clock,
) -> Project:
    with uow:
        project = _visible(principal, project_id, uow, lock=True)
        if not (principal.is_admin or is_issuer_of(principal, project.organization_id)):
            raise PermissionDenied("only the project's issuers edit it")
        before = project.update(changes, clock.now())
        uow.projects.save(project)
        uow.audit(
            AuditRecord(
                "project.updated",
                "project",
                project.id,
                principal.id,
                before=_plain(before),
                after=_plain({k: getattr(project, k) for k in changes}),
                organization_id=project.organization_id,
            )
        )
        uow.commit()
        return project


def transition_project(
    principal: Principal,
    project_id: str,
    to: Status,
    *,
    reason: str | None,
    uow: ProjectsUoW,
    clock: Clock,
) -> Project:
    with uow:
        project = _visible(principal, project_id, uow, lock=True)
        actor = project.acting_as(to, actor_kinds(principal, project))
        _apply(project, to, actor, reason=reason, actor_id=principal.id, uow=uow, clock=clock)
        uow.commit()
        return project


def system_transition(
    project_id: str, to: Status, *, reason: str | None, uow: ProjectsUoW, clock: Clock
) -> Project:
    """A step taken by the platform itself (the PoAI workflow, the chain indexer), inside
    the caller's transaction."""
    project = uow.projects.get_for_update(project_id)
    if project is None:
        raise NotFound("project not found")
    _apply(project, to, Actor.SYSTEM, reason=reason, actor_id=None, uow=uow, clock=clock)
    return project


def _apply(
    project: Project,
    to: Status,
    actor: Actor,
    *,
    reason: str | None,
    actor_id: str | None,
    uow: ProjectsUoW,
    clock: Clock,
) -> None:
    if to == Status.SUBMITTED:
        _ready_for_review(project, uow)
    old = project.status
    entry = project.transition(to, actor, reason=reason, actor_id=actor_id, now=clock.now())
    uow.projects.save(project)
    uow.projects.add_history(project.id, entry)
    uow.audit(
        AuditRecord(
            "project.status_changed",
            "project",
            project.id,
            actor_id,
            before={"status": old.value},
            after={"status": to.value, "reason": reason},
            organization_id=project.organization_id,
        )
    )
    uow.publish(
        ProjectStatusChanged(
            project.id, project.organization_id, old.value, to.value, actor_id, reason
        )
    )


def _ready_for_review(project: Project, uow: ProjectsUoW) -> None:
    """Refuse a submission the review could not approve with a proof."""
    gaps = review_gaps(project)
    if gaps:
        raise RuleViolation(
            "complete the project before submitting: " + ", ".join(sorted(gaps)),
            code="project_incomplete",
            errors=gaps,
        )
    if not uow.projects.count_documents(project.id, REQUIRED_FOR_SUBMISSION):
        raise RuleViolation(
            "upload a project_design document before submitting", code="documents_missing"
        )


def project_history(
    principal: Principal | None, project_id: str, *, uow: ProjectsUoW
) -> list[HistoryEntry]:
    with uow:
        _visible(principal, project_id, uow)
        return uow.projects.history(project_id)


def search_projects(
    principal: Principal | None,
    query: ProjectQuery,
    *,
    offset: int,
    limit: int,
    search: ProjectSearch,
) -> tuple[list[Project], int]:
    see_all, orgs, review = visible_scope(principal)
    scoped = ProjectQuery(
        **{**asdict(query), "see_all": see_all, "orgs": orgs, "review_states": review}
    )
    return search.search(scoped, offset, limit)


def snapshot(project: Project) -> dict[str, object]:
    return _plain({k: getattr(project, k) for k in project.__dataclass_fields__})


def _plain(values: dict[str, Any]) -> dict[str, object]:
    out: dict[str, object] = {}
    for key, value in values.items():
        if hasattr(value, "kg"):
            out[key] = value.tonnes_str()
        elif isinstance(value, ProjectType | Status):
            out[key] = value.value
        else:
            out[key] = value
    return out
