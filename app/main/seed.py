"""Demo data for the embedded mode: one account per platform role and an organization
with each sub-role. Every seeder is idempotent; `flask seed` prints what it made."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal

from app.domain.auth import admin, organizations
from app.domain.auth.permissions import OrgRole, Role
from app.domain.projects.model import Project, ProjectType, Status
from app.domain.shared.quantity import Quantity
from app.main.platform import Platform

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


DEMO_ISSUER_ORG = "demo-issuer-cooperative"
PROJECT_KINDS = [
    (ProjectType.FORESTRY, "Reforestation", "VM0047 ARR", "Verra VCS"),
    (ProjectType.RENEWABLE_ENERGY, "Solar park", "ACM0002", "Gold Standard"),
    (ProjectType.COOKSTOVES, "Clean cookstoves", "TPDDTEC", "Gold Standard"),
    (ProjectType.METHANE_CAPTURE, "Landfill gas capture", "ACM0001", "ACR"),
    (ProjectType.BLUE_CARBON, "Mangrove restoration", "VM0033", "Verra VCS"),
    (ProjectType.DIRECT_AIR_CAPTURE, "Direct air capture", "Puro DAC", "Puro.earth"),
]
PLACES = [
    ("BR", "Pará", "-3.20", "-52.20"),
    ("KE", "Rift Valley", "-0.30", "36.10"),
    ("IN", "Rajasthan", "27.00", "74.20"),
    ("ID", "Kalimantan", "-1.60", "113.40"),
    ("US", "Texas", "31.00", "-99.90"),
    ("IS", "Hellisheiði", "64.03", "-21.40"),
    ("PE", "Madre de Dios", "-12.60", "-69.20"),
    ("VN", "Mekong Delta", "10.00", "105.80"),
    ("MX", "Yucatán", "20.70", "-89.10"),
    ("GH", "Ashanti", "6.70", "-1.60"),
    ("CO", "Antioquia", "6.50", "-75.60"),
    ("PH", "Palawan", "9.80", "118.70"),
]
STATUS_CYCLE = [
    Status.ACTIVE,
    Status.ACTIVE,
    Status.REGISTERED,
    Status.ACTIVE,
    Status.SUSPENDED,
    Status.DRAFT,
]


def seed_projects(platform: Platform) -> list[str]:
    """Three dozen projects across types and countries for the demo issuer."""
    with platform.uow() as uow:
        issuer = uow.users.by_email("issuer@demo.carbon")
    if issuer is None:
        return []
    organizations.ensure_organization(
        DEMO_ISSUER_ORG,
        "Demo Issuer Cooperative",
        {issuer.id: OrgRole.ADMIN},
        uow=platform.uow(),
        clock=platform.clock,
    )
    made = 0
    now = platform.clock.now()
    with platform.uow() as uow:
        for i in range(36):
            project_id = f"demo-project-{i + 1:02d}"
            if uow.projects.get(project_id) is not None:
                continue
            kind, title, methodology, standard = PROJECT_KINDS[i % len(PROJECT_KINDS)]
            country, region, lat, lon = PLACES[i % len(PLACES)]
            first = 2018 + i % 6
            uow.projects.add(
                Project(
                    id=project_id,
                    organization_id=DEMO_ISSUER_ORG,
                    name=f"{title} {region} {i // len(PLACES) + 1}",
                    description=f"{title} in {region}: {kind.value.replace('_', ' ')} project "
                    "with third-party monitoring, community benefits and annual verification.",
                    type=kind,
                    methodology=methodology,
                    standard=standard,
                    country=country,
                    region=region,
                    latitude=Decimal(lat),
                    longitude=Decimal(lon),
                    vintages=[first, first + 1, first + 2],
                    expected_annual_reductions=Quantity(1_000_000 * (5 + i % 20)),
                    created_by=issuer.id,
                    created_at=now,
                    updated_at=now,
                    status=STATUS_CYCLE[i % len(STATUS_CYCLE)],
                )
            )
            made += 1
        uow.commit()
    return [f"Projects: {made} new demo projects for {DEMO_ISSUER_ORG} (issuer@demo.carbon)"]


SEEDERS: list[Seeder] = [seed_accounts, seed_projects]


def run_seeders(platform: Platform) -> Iterator[str]:
    for seeder in SEEDERS:
        yield from seeder(platform)
