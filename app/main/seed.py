"""Demo data for the embedded mode: one account per platform role and an organization
with each sub-role. Every seeder is idempotent; `flask seed` prints what it made."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from app.domain.auth import admin, organizations
from app.domain.auth.permissions import OrgRole, Role
from app.main.bootstrap import Platform

DEMO_PASSWORD = "Demo-Carbon-2026!"  # noqa: S105 (published demo credentials)
DEMO_ORG_ID = "demo-organization"
DEMO_ACCOUNTS: list[tuple[str, str, set[Role]]] = [
    ("admin@demo.carbon", "Platform Admin", {Role.PLATFORM_ADMIN}),
    ("retail@demo.carbon", "Riley Retail", {Role.RETAIL}),
    ("enterprise@demo.carbon", "Erin Enterprise", {Role.ENTERPRISE}),
    ("issuer@demo.carbon", "Ivan Issuer", {Role.ISSUER}),
    ("reviewer@demo.carbon", "Rita Reviewer", {Role.POAI_REVIEWER}),
    ("governance@demo.carbon", "Gus Governance", {Role.GOVERNANCE_MEMBER}),
    ("finance@demo.carbon", "Fiona Finance", {Role.ENTERPRISE}),
    ("auditor@demo.carbon", "Aldo Auditor", {Role.ENTERPRISE}),
    ("viewer@demo.carbon", "Vera Viewer", {Role.ENTERPRISE}),
]
DEMO_MEMBERS = {
    "enterprise@demo.carbon": OrgRole.ADMIN,
    "finance@demo.carbon": OrgRole.FINANCE,
    "auditor@demo.carbon": OrgRole.AUDITOR,
    "viewer@demo.carbon": OrgRole.VIEWER,
}

Seeder = Callable[[Platform], list[str]]


def seed_accounts(platform: Platform) -> list[str]:
    lines, ids = [], {}
    for email, name, roles in DEMO_ACCOUNTS:
        view, _ = admin.ensure_user(
            email,
            DEMO_PASSWORD,
            roles=roles,
            display_name=name,
            uow=platform.uow(),
            hasher=platform.hasher,
            clock=platform.clock,
        )
        ids[email] = view.id
        lines.append(f"  {email:<26} {', '.join(sorted(r.value for r in roles))}")
    members = {ids[email]: role for email, role in DEMO_MEMBERS.items()}
    organizations.ensure_organization(
        DEMO_ORG_ID, "Demo Enterprise Ltd", members, uow=platform.uow(), clock=platform.clock
    )
    subroles = ", ".join(f"{e.split('@')[0]}={r.value}" for e, r in DEMO_MEMBERS.items())
    return [
        f"Demo accounts (password {DEMO_PASSWORD}):",
        *lines,
        f"Organization {DEMO_ORG_ID} 'Demo Enterprise Ltd': {subroles}",
    ]


SEEDERS: list[Seeder] = [seed_accounts]


def run_seeders(platform: Platform) -> Iterator[str]:
    for seeder in SEEDERS:
        yield from seeder(platform)
