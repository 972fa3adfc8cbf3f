"""The caller of a use case: a signed-in user or an organization's API key, with the roles,
memberships and scopes it acts with, and the one rule of acting for an organization."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

from app.domain.auth.permissions import (
    SIGNED_IN,
    OrgRole,
    Role,
    org_role_permissions,
    role_permissions,
)

PrincipalKind = Literal["user", "api_key"]


@dataclass(frozen=True)
class Principal:
    """Who is calling: a user (through a session) or an organization's API key."""

    id: str
    kind: PrincipalKind
    roles: frozenset[Role] = frozenset()
    memberships: Mapping[str, OrgRole] = field(default_factory=lambda: MappingProxyType({}))
    scopes: frozenset[str] = frozenset()
    api_key_org: str | None = None
    session_id: str | None = None

    @property
    def user_id(self) -> str | None:
        return self.id if self.kind == "user" else None

    @property
    def is_admin(self) -> bool:
        return Role.PLATFORM_ADMIN in self.roles

    def platform_permissions(self) -> frozenset[str]:
        if self.kind == "api_key":
            return frozenset()
        return SIGNED_IN | role_permissions(self.roles)

    def org_permissions(self, org_id: str) -> frozenset[str]:
        if self.kind == "api_key":
            return self.scopes if org_id == self.api_key_org else frozenset()
        role = self.memberships.get(org_id)
        return org_role_permissions(role) if role else frozenset()

    def acts_for(self, org_id: str) -> bool:
        """Acts for the organization: one of its members, or one of its API keys. The one
        rule for "this organization's own"; a platform admin sees every organization
        (`sees_org`) without acting for any."""
        return org_id in self.memberships or org_id == self.api_key_org

    @property
    def organizations(self) -> tuple[str, ...]:
        """Every organization it acts for: a user's memberships, an API key's own."""
        key_org = () if self.api_key_org is None else (self.api_key_org,)
        return tuple(self.memberships) + tuple(o for o in key_org if o not in self.memberships)

    def role_in(self, org_id: str) -> OrgRole | None:
        """Its sub-role in the organization (an API key has none: it has scopes)."""
        return self.memberships.get(org_id)

    def admin_or_role_in(self, org_id: str | None, roles: Collection[OrgRole]) -> bool:
        """A platform admin, or a member of the organization (when there is one) in one of
        `roles`: the one check of "its admin or finance" and the like. An API key holds no
        sub-role, so it never passes."""
        return self.is_admin or (org_id is not None and self.role_in(org_id) in roles)

    def orgs_in_role(self, roles: Collection[OrgRole]) -> tuple[str, ...]:
        """The organizations it is a member of in one of `roles`."""
        return tuple(org for org, role in self.memberships.items() if role in roles)

    def sees_org(self, org_id: str) -> bool:
        return self.is_admin or self.acts_for(org_id)

    def can(self, permission: str) -> bool:
        """May hold `permission` somewhere: the endpoint-level check."""
        if permission in self.platform_permissions():
            return True
        return any(permission in self.org_permissions(org) for org in self.organizations)

    def can_in_org(self, permission: str, org_id: str) -> bool:
        return permission in self.platform_permissions() or permission in self.org_permissions(
            org_id
        )

    def orgs_with(self, permission: str) -> tuple[str, ...]:
        """The organizations it acts for in which it holds `permission`."""
        return tuple(o for o in self.organizations if self.can_in_org(permission, o))
