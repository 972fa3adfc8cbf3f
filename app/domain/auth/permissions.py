"""Roles and permissions: the one table that says who may do what.

Platform roles grant platform-wide permissions; an organization sub-role grants
permissions inside that organization only. API keys carry a subset of their
organization's permissions (their scopes). Endpoints declare one permission; the
services then check the resource (which organization, whose project)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    RETAIL = "retail"
    ENTERPRISE = "enterprise"
    ISSUER = "issuer"
    POAI_REVIEWER = "poai_reviewer"
    GOVERNANCE_MEMBER = "governance_member"
    PLATFORM_ADMIN = "platform_admin"


class OrgRole(StrEnum):
    ADMIN = "admin"
    FINANCE = "finance"
    AUDITOR = "auditor"
    VIEWER = "viewer"


# Every signed-in user, whatever their roles.
SIGNED_IN = frozenset(
    {
        "profile:read",
        "profile:update",
        "sessions:manage",
        "wallets:link",
        "documents:read",
        "credits:retire",
        "credits:read",
        "poai:read",
        "market:buy",
        "market:read",
        "reports:create",
        "reports:read",
    }
)

ROLE_PERMISSIONS: dict[Role, frozenset[str]] = {
    Role.RETAIL: frozenset(),
    Role.ENTERPRISE: frozenset({"organizations:create"}),
    Role.ISSUER: frozenset(
        {
            "organizations:create",
            "projects:create",
            "projects:update",
            "projects:transition",
            "documents:upload",
            "credits:mint",
            "market:sell",
        }
    ),
    Role.POAI_REVIEWER: frozenset({"projects:transition", "poai:review"}),
    Role.GOVERNANCE_MEMBER: frozenset({"governance:read", "governance:propose", "governance:vote"}),
    Role.PLATFORM_ADMIN: frozenset(
        {
            "organizations:create",
            "organizations:read",
            "members:read",
            "members:manage",
            "api_keys:read",
            "api_keys:manage",
            "roles:manage",
            "users:read",
            "audit:read",
            "audit:verify",
            "projects:create",
            "projects:update",
            "projects:transition",
            "documents:upload",
            "credits:mint",
            "indexer:manage",
            "poai:review",
            "poai:manage",
            "market:sell",
            "pricing:manage",
            "certificates:template",
            "governance:read",
            "governance:propose",
            "governance:vote",
            "analytics:platform",
        }
    ),
}

ORG_ROLE_PERMISSIONS: dict[OrgRole, frozenset[str]] = {
    OrgRole.ADMIN: frozenset(
        {
            "organizations:read",
            "members:read",
            "members:manage",
            "api_keys:read",
            "api_keys:manage",
            "audit:read",
            "orders:approve",
            "certificates:customize",
        }
    ),
    OrgRole.FINANCE: frozenset({"organizations:read", "members:read"}),
    OrgRole.AUDITOR: frozenset({"organizations:read", "members:read", "audit:read"}),
    OrgRole.VIEWER: frozenset({"organizations:read", "members:read"}),
}

# What an organization's API key may be scoped to.
API_KEY_SCOPES = frozenset({"organizations:read", "members:read", "audit:read"})

ALL_PERMISSIONS = frozenset().union(
    SIGNED_IN, *ROLE_PERMISSIONS.values(), *ORG_ROLE_PERMISSIONS.values()
)


def role_permissions(roles: frozenset[Role]) -> frozenset[str]:
    return frozenset().union(*(ROLE_PERMISSIONS[r] for r in roles))


def org_role_permissions(role: OrgRole) -> frozenset[str]:
    return ORG_ROLE_PERMISSIONS[role]
