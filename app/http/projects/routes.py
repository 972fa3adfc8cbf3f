"""Projects: registration by issuers, public search, lifecycle."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from app.domain.projects import services
from app.domain.projects.model import HistoryEntry, Project, ProjectType, Status
from app.http.common.auth import authenticate, current_principal, public, requires
from app.http.common.blueprint import ApiBlueprint
from app.http.common.deps import platform, read, uow
from app.http.common.openapi import rule_codes
from app.http.common.pagination import Page, paginated
from app.http.projects import schemas as s
from app.ports.repositories.projects import ProjectQuery

blp = ApiBlueprint("projects", __name__, description="Climate projects and their lifecycle")


def _fields(body: dict[str, Any]) -> dict[str, Any]:
    if "type" in body:
        body["type"] = ProjectType(body["type"])
    if "country" in body:
        body["country"] = body["country"].upper()
    return body


@blp.route("/projects", methods=["POST"])
@requires("projects:create")
@rule_codes("organization_required")
@blp.arguments(s.ProjectCreateSchema)
@blp.response(201, s.ProjectSchema)
def create_project(body: dict[str, Any]) -> Project:
    """Register a draft project for your organization."""
    org_id = body.pop("organization_id")
    return services.create_project(
        current_principal(),
        _fields(body),
        organization_id=org_id,
        uow=uow(),
        clock=platform().clock,
    )


@blp.route("/projects", methods=["GET"])
@public
@blp.arguments(s.ProjectSearchArgs, location="query")
@blp.response(200, s.ProjectSchema(many=True))
@paginated(blp)
def search_projects(args: dict[str, Any], page: Page) -> tuple[Sequence[Project], int]:
    """Search projects: free text `q` over name, description, methodology and region,
    filters, sort and pages. Anonymous callers see registered projects; signed-in ones
    also their organizations' drafts."""
    query = ProjectQuery(
        text=args.get("q"),
        type=args.get("type"),
        country=(args.get("country") or "").upper() or None,
        vintage=args.get("vintage"),
        status=args.get("status"),
        standard=args.get("standard"),
        organization_id=args.get("organization_id"),
        sort=args["sort"],
    )
    principal = authenticate()
    with read() as reads:
        return services.search_projects(
            principal,
            query,
            offset=page.offset,
            limit=page.limit,
            search=reads.project_search,
        )


@blp.route("/projects/<project_id>", methods=["GET"])
@public
@blp.response(200, s.ProjectSchema)
def get_project(project_id: str) -> Project:
    """One project (drafts only to their organization, reviewers and admins)."""
    return services.get_project(authenticate(), project_id, uow=uow())


@blp.route("/projects/<project_id>", methods=["PATCH"])
@requires("projects:update")
@blp.arguments(s.ProjectUpdateSchema)
@blp.response(200, s.ProjectSchema)
def update_project(body: dict[str, Any], project_id: str) -> Project:
    """Edit a project: every field while `draft` or `changes_requested`, only `metadata`
    once registered."""
    return services.update_project(
        current_principal(), project_id, _fields(body), uow=uow(), clock=platform().clock
    )


@blp.route("/projects/<project_id>/transitions", methods=["POST"])
@requires("projects:transition")
@blp.arguments(s.TransitionSchema)
@blp.response(200, s.ProjectSchema)
def transition(body: dict[str, Any], project_id: str) -> Project:
    """Move the project along its lifecycle (`submitted`, `under_review`, ...)."""
    return services.transition_project(
        current_principal(),
        project_id,
        Status(body["to"]),
        reason=body["reason"],
        uow=uow(),
        clock=platform().clock,
    )


@blp.route("/projects/<project_id>/history", methods=["GET"])
@public
@blp.response(200, s.HistorySchema(many=True))
@paginated(blp)
def history(project_id: str, page: Page) -> tuple[Sequence[HistoryEntry], int]:
    """Every status change: from, to, who, why, when."""
    return page.of(services.project_history(authenticate(), project_id, uow=uow()))
