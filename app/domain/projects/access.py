"""Who sees a project and in which capacity a caller acts on it."""

from __future__ import annotations

from collections.abc import Callable, Collection

from app.domain.auth.permissions import OrgRole, Role
from app.domain.auth.principal import Principal
from app.domain.projects.model import PUBLIC_STATUSES, Actor, Project, Status

REVIEW_STATUSES = frozenset({Status.SUBMITTED, Status.UNDER_REVIEW, Status.CHANGES_REQUESTED})


def can_see(principal: Principal | None, project: Project) -> bool:
    """Public once registered; before that the owning organization, reviewers while
    under review, and platform admins."""
    if project.status in PUBLIC_STATUSES:
        return True
    if principal is None:
        return False
    if principal.sees_org(project.organization_id):
        return True
    return Role.POAI_REVIEWER in principal.roles and project.status in REVIEW_STATUSES


def reads_private_documents(
    principal: Principal | None, project: Project, reviewer_ids: Callable[[], Collection[str]]
) -> bool:
    """The project's organization (its members and API keys), the reviewers assigned to
    one of its PoAI cases, and platform admins (`reviewer_ids` is only asked when the
    rest does not decide)."""
    if principal is None:
        return False
    if principal.sees_org(project.organization_id):
        return True
    return Role.POAI_REVIEWER in principal.roles and principal.id in reviewer_ids()


def actor_kinds(principal: Principal, project: Project) -> set[Actor]:
    kinds: set[Actor] = set()
    if principal.is_admin:
        kinds.add(Actor.ADMIN)
    if is_issuer_of(principal, project.organization_id):
        kinds.add(Actor.ISSUER)
    own = principal.acts_for(project.organization_id)
    if Role.POAI_REVIEWER in principal.roles and not own:  # no reviewing one's own
        kinds.add(Actor.REVIEWER)
    return kinds


def is_issuer_of(principal: Principal, organization_id: str) -> bool:
    """An issuer acting for an organization it administers."""
    return Role.ISSUER in principal.roles and principal.role_in(organization_id) == OrgRole.ADMIN


def visible_scope(principal: Principal | None) -> tuple[bool, tuple[str, ...], bool]:
    """(sees everything, organizations whose drafts it sees, sees review states)."""
    if principal is None:
        return False, (), False
    return principal.is_admin, principal.organizations, Role.POAI_REVIEWER in principal.roles
