"""Demo data for the embedded mode: one account per platform role and an organization
with each sub-role. Every seeder is idempotent; `flask seed` prints what it made."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal

import sqlalchemy as sa

from app.domain.auth import admin, organizations
from app.domain.auth.model import User
from app.domain.auth.permissions import OrgRole, Role
from app.domain.auth.principal import Principal
from app.domain.credits import services as credit_services
from app.domain.marketplace import quotes
from app.domain.marketplace import services as market
from app.domain.poai import jobs as poai_jobs
from app.domain.poai.model import Case, CaseStatus, Decision
from app.domain.poai.proofs import signed_bundle_hash
from app.domain.projects.model import Project, ProjectType, Status
from app.domain.shared.money import Money
from app.domain.shared.quantity import Quantity, parse_tonnes
from app.main.platform import Platform
from app.main.seed_governance import seed_governance

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


# (project, vintage, tonnes minted, tonnes listed, base price per tonne)
DEMO_LISTINGS = [
    ("demo-project-01", 2019, "2000", "1500", Money.of("14.50", "EUR")),
    ("demo-project-02", 2020, "5000", "4000", Money.of("6.20", "USD")),
    ("demo-project-03", 2021, "800", "600", Money.of("9.75", "EUR")),
]
DEMO_REVIEWER = "reviewer@demo.carbon"


def _principal(user: User, org_id: str, role: OrgRole) -> Principal:
    return Principal(user.id, "user", frozenset(user.roles), {org_id: role})


def _approve_with_proof(platform: Platform, project_id: str, reviewer_id: str) -> None:
    """A decided, approved PoAI case with its signed proof (the demo skips the review)."""
    with platform.uow() as uow:
        if uow.poai.proof_for_project(project_id) is not None:
            return
        project = uow.projects.get(project_id)
        assert project is not None
        now = platform.clock.now()
        case_id = f"demo-case-{project_id}"
        if uow.poai.get_case(case_id) is None:
            uow.poai.add_case(
                Case(
                    case_id,
                    project_id,
                    project.organization_id,
                    now,
                    status=CaseStatus.APPROVED,
                    reviewer_ids=[reviewer_id],
                    decision=Decision.APPROVE,
                    decision_reason="demo data: approved without a review",
                    decided_by=reviewer_id,
                    decided_at=now,
                )
            )
        poai_jobs.issue_proof(
            case_id, uow=uow, storage=platform.storage, signer=platform.signer, clock=platform.clock
        )
        uow.commit()


def _mint(platform: Platform, seller: Principal, project_id: str, vintage: int, t: str) -> None:
    unit = platform.uow()
    credit_services.mint_batch(
        seller,
        project_id,
        vintage=vintage,
        quantity=parse_tonnes(t),
        monitoring_period=str(vintage),
        uow=unit,
        clock=platform.clock,
        custody=platform.custody,
        project_key=platform.chain_project_key,
        proof_of=lambda pid, _ledger: signed_bundle_hash(pid, uow=unit),
    )


def _run_jobs(platform: Platform) -> None:
    """Run what the outbox holds, here and now (`flask serve` is not running yet)."""
    for _ in range(20):
        with platform.db.engine.connect() as conn:
            pending = [
                r.id
                for r in conn.execute(
                    sa.text("SELECT id FROM outbox WHERE done_at IS NULL ORDER BY created_at, id")
                )
            ]
        if not pending:
            return
        for job_id in pending:
            platform.run_job(job_id)
        platform.index_step()


def seed_market(platform: Platform) -> list[str]:
    """Credits minted on the embedded chain for three demo projects, listed for sale at
    a base price, and a priced quote for the retail account."""
    if platform.settings.chain_backend != "embedded" or platform.chain_problem() is not None:
        return ["Market: skipped (the demo listings need the embedded chain)"]
    with platform.uow() as uow:
        issuer = uow.users.by_email("issuer@demo.carbon")
        reviewer = uow.users.by_email(DEMO_REVIEWER)
        retail = uow.users.by_email("retail@demo.carbon")
    if issuer is None or reviewer is None or retail is None:
        return []
    seller = _principal(issuer, DEMO_ISSUER_ORG, OrgRole.ADMIN)
    for project_id, vintage, minted, _listed, _base in DEMO_LISTINGS:
        _approve_with_proof(platform, project_id, reviewer.id)
        with platform.uow() as uow:
            batches = uow.credits.batches_for(project_id, vintage)
        if not batches:
            _mint(platform, seller, project_id, vintage, minted)
    _run_jobs(platform)
    lines = []
    for project_id, vintage, _minted, listed, base in DEMO_LISTINGS:
        with platform.uow() as uow:
            existing = uow.market.listings_of(project_id, vintage)
        if existing:
            continue
        listing = market.create_listing(
            seller,
            project_id=project_id,
            vintage=vintage,
            quantity=parse_tonnes(listed),
            base_price=base,
            floor_price=None,
            organization_id=None,
            uow=platform.uow(),
            clock=platform.clock,
            custody=platform.custody,
            market=platform.market,
        )
        lines.append(
            f"  {listing.id} {project_id} {vintage}: {listed} t at {listing.unit_price} per t"
        )
        quote = quotes.create_quote(
            Principal(retail.id, "user", frozenset(retail.roles)),
            listing_id=listing.id,
            quantity=parse_tonnes("10"),
            currency="EUR",
            payment_method="card",
            organization_id=None,
            uow=platform.uow(),
            clock=platform.clock,
            market=platform.market,
        )
        lines.append(f"    quote {quote.id} for retail@demo.carbon: 10 t, total {quote.total}")
    return ["Market listings (seller demo-issuer-cooperative):", *lines] if lines else []


SEEDERS: list[Seeder] = [seed_accounts, seed_projects, seed_market, seed_governance]


def run_seeders(platform: Platform) -> Iterator[str]:
    for seeder in SEEDERS:
        yield from seeder(platform)
