"""One rule for "acts for this organization" (`Principal.acts_for`: its members and its
API keys; platform admins see every organization without acting for it), and each place
that used to decide it on its own: projects, documents, organizations, the audit log,
PoAI cases, credit holdings and retirements."""

from datetime import UTC, datetime

import pytest

from app.domain.auth.audit import search_audit_log
from app.domain.auth.organizations import authorize_org
from app.domain.auth.permissions import OrgRole, Role
from app.domain.auth.principal import Principal
from app.domain.credits.retirements import get_retirement, list_retirements
from app.domain.poai.model import Case
from app.domain.poai.services import can_see_case
from app.domain.projects import services as projects
from app.domain.projects.access import (
    actor_kinds,
    can_see,
    reads_private_documents,
    visible_scope,
)
from app.domain.projects.model import DESCRIPTIVE_FIELDS, Actor, Status
from app.domain.shared.audit import AuditQuery, AuditRecord
from app.domain.shared.errors import NotFound, PermissionDenied, RuleViolation
from tests.fakes.platform import FakeAuditRepository, FakeUnitOfWork
from tests.unit.builders import ORG, project
from tests.unit.ledger_world import ADMIN, FINANCE, STRANGER, LedgerWorld

OTHER = "org-2"
MEMBER = Principal("u-member", "user", frozenset({Role.RETAIL}), {ORG: OrgRole.AUDITOR})
KEY = Principal("key-1", "api_key", scopes=frozenset({"audit:read"}), api_key_org=ORG)
OTHER_KEY = Principal("key-2", "api_key", scopes=frozenset({"audit:read"}), api_key_org=OTHER)
NOW = datetime(2026, 3, 1, tzinfo=UTC)


# --- the rule ------------------------------------------------------------------------------


def test_members_and_the_organizations_api_keys_act_for_it_and_nobody_else():
    assert MEMBER.acts_for(ORG)
    assert KEY.acts_for(ORG)
    assert not OTHER_KEY.acts_for(ORG)
    assert not STRANGER.acts_for(ORG)
    assert not ADMIN.acts_for(ORG)  # sees it, does not act for it
    assert ADMIN.sees_org(ORG)
    assert KEY.sees_org(ORG)
    assert not OTHER_KEY.sees_org(ORG)


def test_the_organizations_a_principal_acts_for():
    assert MEMBER.organizations == (ORG,)
    assert KEY.organizations == (ORG,)
    assert STRANGER.organizations == ()
    assert ADMIN.organizations == ()


def test_an_api_key_has_scopes_in_its_organization_and_no_sub_role():
    assert MEMBER.role_in(ORG) == OrgRole.AUDITOR
    assert KEY.role_in(ORG) is None
    assert KEY.orgs_with("audit:read") == (ORG,)
    assert KEY.orgs_with("members:read") == ()
    assert MEMBER.orgs_with("audit:read") == (ORG,)
    assert MEMBER.orgs_with("members:manage") == ()


def test_a_role_in_an_organization_is_a_members_and_a_platform_admin_passes_it():
    finance_roles = {OrgRole.ADMIN, OrgRole.FINANCE}
    assert FINANCE.admin_or_role_in(ORG, finance_roles)
    assert not FINANCE.admin_or_role_in(OTHER, finance_roles)
    assert not FINANCE.admin_or_role_in(None, finance_roles)  # a user's own order, say
    assert not MEMBER.admin_or_role_in(ORG, finance_roles)  # an auditor
    assert MEMBER.admin_or_role_in(ORG, {OrgRole.AUDITOR})
    assert not KEY.admin_or_role_in(ORG, set(OrgRole))  # scopes, never a sub-role
    assert ADMIN.admin_or_role_in(ORG, finance_roles)
    assert ADMIN.admin_or_role_in(None, finance_roles)
    assert FINANCE.orgs_in_role(finance_roles) == (ORG,)
    assert MEMBER.orgs_in_role(finance_roles) == ()
    assert KEY.orgs_in_role(set(OrgRole)) == ()


# --- projects ------------------------------------------------------------------------------


def test_an_api_key_sees_its_organizations_draft_projects_and_their_private_documents():
    draft = project(status=Status.DRAFT)
    assert can_see(KEY, draft)
    assert not can_see(OTHER_KEY, draft)
    assert reads_private_documents(KEY, draft, list)
    assert not reads_private_documents(OTHER_KEY, draft, list)


def test_project_search_is_scoped_to_the_organizations_acted_for():
    assert visible_scope(KEY) == (False, (ORG,), False)
    assert visible_scope(MEMBER) == (False, (ORG,), False)
    assert visible_scope(ADMIN) == (True, (), False)


def test_a_reviewer_acting_for_the_organization_does_not_review_its_projects():
    insider = Principal("u-r", "user", frozenset({Role.POAI_REVIEWER}), {ORG: OrgRole.VIEWER})
    outsider = Principal("u-o", "user", frozenset({Role.POAI_REVIEWER}))
    submitted = project(status=Status.SUBMITTED)
    assert Actor.REVIEWER not in actor_kinds(insider, submitted)
    assert Actor.REVIEWER in actor_kinds(outsider, submitted)


def test_a_project_belongs_to_the_one_organization_its_issuer_administers():
    issuer = Principal(
        "u-i", "user", frozenset({Role.ISSUER}), {ORG: OrgRole.ADMIN, OTHER: OrgRole.VIEWER}
    )
    uow = FakeUnitOfWork()
    fields = {k: v for k, v in vars(project()).items() if k in DESCRIPTIVE_FIELDS}
    created = projects.create_project(
        issuer, fields, organization_id=None, uow=uow, clock=uow.clock
    )
    assert created.organization_id == ORG
    with pytest.raises(PermissionDenied):
        projects.create_project(issuer, fields, organization_id=OTHER, uow=uow, clock=uow.clock)
    two = Principal(
        "u-2", "user", frozenset({Role.ISSUER}), {ORG: OrgRole.ADMIN, OTHER: OrgRole.ADMIN}
    )
    with pytest.raises(RuleViolation) as refused:
        projects.create_project(two, fields, organization_id=None, uow=uow, clock=uow.clock)
    assert refused.value.code == "organization_required"


# --- organizations and the audit log ---------------------------------------------------


def test_inside_its_organization_an_api_key_holds_its_scopes_and_outside_it_sees_nothing():
    authorize_org(KEY, ORG, "audit:read")
    with pytest.raises(PermissionDenied):
        authorize_org(KEY, ORG, "members:read")
    with pytest.raises(NotFound):
        authorize_org(OTHER_KEY, ORG, "audit:read")


@pytest.mark.parametrize("reader", [MEMBER, KEY], ids=["auditor", "api-key"])
def test_the_audit_log_shows_the_organizations_its_reader_acts_for(reader: Principal):
    log = FakeAuditRepository()
    log.append(
        [
            AuditRecord("x.mine", "x", "1", None, organization_id=ORG),
            AuditRecord("x.theirs", "x", "2", None, organization_id=OTHER),
        ],
        NOW,
    )
    found, total = search_audit_log(
        reader, AuditQuery(), organization_id=None, offset=0, limit=10, audit_log=log
    )
    assert ([e.action for e in found], total) == (["x.mine"], 1)
    with pytest.raises(PermissionDenied):
        search_audit_log(
            STRANGER, AuditQuery(), organization_id=None, offset=0, limit=10, audit_log=log
        )


# --- PoAI cases ----------------------------------------------------------------------------


def test_a_case_is_seen_by_whoever_acts_for_the_projects_organization():
    case = Case("c1", "p1", ORG, NOW)
    assert can_see_case(MEMBER, case)
    assert can_see_case(KEY, case)
    assert not can_see_case(OTHER_KEY, case)
    assert not can_see_case(STRANGER, case)


# --- credits -------------------------------------------------------------------------------


def test_an_api_key_lists_the_retirements_it_may_read_one_by_one():
    world = LedgerWorld()
    world.minted()
    retirement = world.retire(FINANCE, kg=1_000)
    assert get_retirement(KEY, retirement.id, uow=world.uow).id == retirement.id
    listed, total = list_retirements(KEY, offset=0, limit=10, uow=world.uow)
    assert ([r.id for r in listed], total) == ([retirement.id], 1)
    with pytest.raises(NotFound):
        get_retirement(OTHER_KEY, retirement.id, uow=world.uow)
    assert list_retirements(OTHER_KEY, offset=0, limit=10, uow=world.uow) == ([], 0)
