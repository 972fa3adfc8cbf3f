from datetime import timedelta

import pytest

from app.domain.auth import admin, api_keys, organizations, sessions
from app.domain.auth import jobs as mail
from app.domain.auth import services as accounts
from app.domain.auth.errors import (
    InvalidCredentials,
    InvalidToken,
    LastAdmin,
    SessionRevoked,
    WeakPassword,
)
from app.domain.auth.permissions import OrgRole, Role
from app.domain.auth.policy import AuthPolicy
from app.domain.auth.services import ClientInfo
from app.domain.platform.services import run_job
from app.domain.shared.errors import InvalidValue, NotFound, PermissionDenied, Unauthenticated
from tests.fakes.auth import FakeMailer, FakePasswordHasher, FakeRevocationList
from tests.fakes.platform import FakeUnitOfWork

PASSWORD = "Correct-Horse-42"
POLICY = AuthPolicy()


class World:
    def __init__(self) -> None:
        self.uow = FakeUnitOfWork()
        self.clock = self.uow.clock
        self.hasher = FakePasswordHasher()
        self.mailer = FakeMailer()
        self.revocations = FakeRevocationList()

    def run_jobs(self) -> None:
        handlers = {
            "auth.send_verification": lambda p, u: mail.send_verification(
                p["token_id"],
                uow=u,
                mailer=self.mailer,
                clock=self.clock,
                policy=POLICY,
            ),
            "auth.send_password_reset": lambda p, u: mail.send_password_reset(
                p["token_id"],
                uow=u,
                mailer=self.mailer,
                clock=self.clock,
                policy=POLICY,
            ),
            "auth.send_already_registered": lambda p, u: mail.send_already_registered(
                p["user_id"], uow=u, mailer=self.mailer, policy=POLICY
            ),
            "auth.send_invitation": lambda p, u: mail.send_invitation(
                p["invitation_id"], uow=u, mailer=self.mailer, policy=POLICY
            ),
        }
        for job in list(self.uow.outbox.jobs.values()):
            if job.done_at is None:
                run_job(job.id, uow=self.uow, handlers=handlers, clock=self.clock)

    def token_from_last_mail(self) -> str:
        return self.mailer.sent[-1].text.split("token=")[1].split()[0]

    def register(self, email: str = "ada@example.org", *, verify: bool = True) -> str:
        view = accounts.register(
            email,
            PASSWORD,
            "Ada",
            uow=self.uow,
            hasher=self.hasher,
            clock=self.clock,
            policy=POLICY,
        )
        if verify:
            self.run_jobs()
            accounts.verify_email(self.token_from_last_mail(), uow=self.uow, clock=self.clock)
        return view.id

    def login(self, email: str = "ada@example.org", password: str = PASSWORD):
        return accounts.login(
            email,
            password,
            uow=self.uow,
            hasher=self.hasher,
            clock=self.clock,
            policy=POLICY,
            client=ClientInfo("pytest", "127.0.0.1"),
        )

    def principal(self, user_id: str):
        grant_sid = "s-" + user_id
        with self.uow:
            user = self.uow.users.get(user_id)
            orgs = self.uow.organizations.memberships_of(user_id)
        return sessions.principal_of(user, orgs, grant_sid)


@pytest.fixture
def w() -> World:
    return World()


def test_registration_stores_a_retail_account_and_mails_a_verification(w):
    user_id = w.register(verify=False)
    assert w.uow.users.get(user_id).roles == {Role.RETAIL}
    w.run_jobs()
    assert w.mailer.sent[-1].to == "ada@example.org"
    stored = next(iter(w.uow.tokens.items.values()))
    assert w.token_from_last_mail() not in stored.token_hash  # only the hash is kept


def test_registering_a_taken_email_reveals_nothing(w):
    first = w.register()
    again = accounts.register(
        "ADA@example.org",
        PASSWORD,
        "Eve",
        uow=w.uow,
        hasher=w.hasher,
        clock=w.clock,
        policy=POLICY,
    )
    assert again.id != first
    assert again.email == "ada@example.org"
    assert len(w.uow.users.items) == 1
    w.run_jobs()
    assert "already has one" in w.mailer.sent[-1].text


def test_weak_passwords_are_refused(w):
    for weak in ["short1A!", "alllowercaseletters", "Ada.Lovelace-AAA1"]:
        with pytest.raises(WeakPassword):
            accounts.register(
                "ada.lovelace@example.org",
                weak,
                "Ada",
                uow=w.uow,
                hasher=w.hasher,
                clock=w.clock,
                policy=POLICY,
            )


def test_verification_links_work_once_and_expire(w):
    w.register(verify=False)
    w.run_jobs()
    token = w.token_from_last_mail()
    accounts.verify_email(token, uow=w.uow, clock=w.clock)
    with pytest.raises(InvalidToken):
        accounts.verify_email(token, uow=w.uow, clock=w.clock)

    w.register("bob@example.org", verify=False)
    w.run_jobs()
    w.clock.advance(hours=25)
    with pytest.raises(InvalidToken):
        accounts.verify_email(w.token_from_last_mail(), uow=w.uow, clock=w.clock)


def test_login_needs_a_verified_email_and_the_right_password(w):
    w.register(verify=False)
    with pytest.raises(Unauthenticated) as err:
        w.login()
    assert err.value.code == "email_not_verified"
    w.run_jobs()
    accounts.verify_email(w.token_from_last_mail(), uow=w.uow, clock=w.clock)
    with pytest.raises(InvalidCredentials):
        w.login(password="Wrong-Horse-42")
    with pytest.raises(InvalidCredentials):
        w.login(email="nobody@example.org")
    grant = w.login()
    assert grant.session_id in w.uow.sessions.items


def test_refresh_rotates_and_a_reused_token_revokes_the_session(w):
    w.register()
    grant = w.login()
    second = sessions.refresh(
        grant.session_id, grant.refresh_jti, uow=w.uow, clock=w.clock, revocations=w.revocations
    )
    assert second.refresh_jti != grant.refresh_jti
    with pytest.raises(InvalidToken):
        sessions.refresh(
            grant.session_id,
            grant.refresh_jti,
            uow=w.uow,
            clock=w.clock,
            revocations=w.revocations,
        )
    assert grant.session_id in w.revocations.revoked
    with pytest.raises(InvalidToken):  # the newest token dies with its family
        sessions.refresh(
            grant.session_id,
            second.refresh_jti,
            uow=w.uow,
            clock=w.clock,
            revocations=w.revocations,
        )


def test_password_reset_changes_the_password_and_ends_sessions(w):
    user_id = w.register()
    grant = w.login()
    accounts.request_password_reset("nobody@example.org", uow=w.uow, clock=w.clock, policy=POLICY)
    accounts.request_password_reset("ada@example.org", uow=w.uow, clock=w.clock, policy=POLICY)
    w.run_jobs()
    token = w.token_from_last_mail()
    revoked = accounts.reset_password(
        token, "Brand-New-Pass-7", uow=w.uow, hasher=w.hasher, clock=w.clock
    )
    assert revoked == [grant.session_id]
    assert w.login(password="Brand-New-Pass-7").user_id == user_id
    with pytest.raises(InvalidToken):
        accounts.reset_password(token, "Another-Pass-77", uow=w.uow, hasher=w.hasher, clock=w.clock)


def _org_with(w: World):
    admin_id = w.register("admin@example.org")
    viewer_id = w.register("viewer@example.org")
    outsider_id = w.register("out@example.org")
    org = organizations.create_organization(
        w.principal(admin_id), name="Acme", uow=w.uow, clock=w.clock
    )
    organizations.add_member(
        w.principal(admin_id),
        org.id,
        email="viewer@example.org",
        role=OrgRole.VIEWER,
        uow=w.uow,
        clock=w.clock,
    )
    return org.id, admin_id, viewer_id, outsider_id


def test_organization_visibility_and_sub_roles(w):
    org_id, admin_id, viewer_id, outsider_id = _org_with(w)
    assert (
        organizations.get_organization(w.principal(viewer_id), org_id, uow=w.uow).role == "viewer"
    )
    with pytest.raises(NotFound):
        organizations.get_organization(w.principal(outsider_id), org_id, uow=w.uow)
    with pytest.raises(PermissionDenied):
        organizations.add_member(
            w.principal(viewer_id),
            org_id,
            email="x@example.org",
            role=OrgRole.ADMIN,
            uow=w.uow,
            clock=w.clock,
        )
    members = organizations.list_members(w.principal(admin_id), org_id, uow=w.uow)
    assert {(m.email, m.role) for m in members} == {
        ("admin@example.org", "admin"),
        ("viewer@example.org", "viewer"),
    }


def test_the_last_admin_stays(w):
    org_id, admin_id, viewer_id, _ = _org_with(w)
    with pytest.raises(LastAdmin):
        organizations.remove_member(w.principal(admin_id), org_id, admin_id, uow=w.uow)
    with pytest.raises(LastAdmin):
        organizations.change_member(
            w.principal(admin_id), org_id, admin_id, role=OrgRole.VIEWER, uow=w.uow
        )
    organizations.change_member(
        w.principal(admin_id), org_id, viewer_id, role=OrgRole.ADMIN, uow=w.uow
    )
    organizations.remove_member(w.principal(admin_id), org_id, admin_id, uow=w.uow)


def test_an_invited_email_joins_when_it_verifies(w):
    org_id, admin_id, _, _ = _org_with(w)
    invited = organizations.add_member(
        w.principal(admin_id),
        org_id,
        email="new@example.org",
        role=OrgRole.AUDITOR,
        uow=w.uow,
        clock=w.clock,
    )
    assert invited.status == "invited"
    w.run_jobs()
    assert "invited to join Acme" in w.mailer.sent[-1].text
    new_id = w.register("new@example.org")
    assert w.principal(new_id).memberships[org_id] == OrgRole.AUDITOR


def test_api_keys_are_shown_once_scoped_and_revocable(w):
    org_id, admin_id, viewer_id, _ = _org_with(w)
    with pytest.raises(PermissionDenied):
        api_keys.create_api_key(
            w.principal(viewer_id),
            org_id,
            name="ci",
            scopes=["members:read"],
            uow=w.uow,
            clock=w.clock,
        )
    with pytest.raises(InvalidValue):
        api_keys.create_api_key(
            w.principal(admin_id),
            org_id,
            name="ci",
            scopes=["roles:manage"],
            uow=w.uow,
            clock=w.clock,
        )
    created = api_keys.create_api_key(
        w.principal(admin_id),
        org_id,
        name="ci",
        scopes=["members:read"],
        uow=w.uow,
        clock=w.clock,
    )
    stored = w.uow.api_keys.get(created.view.id)
    assert created.key.startswith(f"ck_{stored.prefix}_")
    assert created.key not in repr(stored)
    principal = api_keys.principal_for_api_key(created.key, uow=w.uow, clock=w.clock)
    assert principal.can_in_org("members:read", org_id)
    assert not principal.can_in_org("members:manage", org_id)
    assert w.uow.api_keys.get(created.view.id).last_used_at == w.clock.now()
    api_keys.revoke_api_key(
        w.principal(admin_id), org_id, created.view.id, uow=w.uow, clock=w.clock
    )
    with pytest.raises(InvalidToken):
        api_keys.principal_for_api_key(created.key, uow=w.uow, clock=w.clock)
    with pytest.raises(InvalidToken):
        api_keys.principal_for_api_key(created.key[:-1] + "x", uow=w.uow, clock=w.clock)


def test_only_admins_manage_roles_and_not_their_own_admin_role(w):
    user_id = w.register()
    boss, _ = admin.ensure_admin(
        "boss@example.org", "Chief-Secret-99", uow=w.uow, hasher=w.hasher, clock=w.clock
    )
    with pytest.raises(PermissionDenied):
        admin.set_role(w.principal(user_id), user_id, Role.ISSUER, granted=True, uow=w.uow)
    view = admin.set_role(w.principal(boss.id), user_id, Role.ISSUER, granted=True, uow=w.uow)
    assert "issuer" in view.roles
    with pytest.raises(Exception, match="own admin"):
        admin.set_role(w.principal(boss.id), boss.id, Role.PLATFORM_ADMIN, granted=False, uow=w.uow)


def test_bootstrap_admin_is_idempotent(w):
    _, created = admin.ensure_admin(
        "boss@example.org", "Chief-Secret-99", uow=w.uow, hasher=w.hasher, clock=w.clock
    )
    _, again = admin.ensure_admin(
        "boss@example.org", "Chief-Secret-99", uow=w.uow, hasher=w.hasher, clock=w.clock
    )
    assert (created, again) == (True, False)


def test_every_change_is_audited_without_secrets(w):
    w.register()
    w.login()
    actions = [e.action for e in w.uow.audit_log.entries]
    assert actions == ["user.registered", "user.email_verified", "session.opened"]
    text = repr(w.uow.audit_log.entries)
    assert PASSWORD not in text
    assert "fake$" not in text


def test_sessions_list_and_revoke_only_ones_own(w):
    ada = w.register()
    bob = w.register("bob@example.org")
    grant = w.login()
    listed = sessions.list_sessions(w.principal(ada), uow=w.uow, clock=w.clock)
    assert [s.id for s in listed] == [grant.session_id]
    with pytest.raises(NotFound):
        sessions.revoke_session(
            w.principal(bob),
            grant.session_id,
            reason="x",
            uow=w.uow,
            clock=w.clock,
            revocations=w.revocations,
        )
    w.clock.advance(days=31)
    assert sessions.list_sessions(w.principal(ada), uow=w.uow, clock=w.clock) == []
    assert timedelta(days=30) == POLICY.refresh_ttl


def test_a_session_only_identifies_its_own_user(w):
    ada = w.register()
    bob = w.register("bob@example.org")
    grant = w.login()
    found = sessions.principal_for_session(
        ada, grant.session_id, uow=w.uow, revocations=w.revocations, clock=w.clock
    )
    assert found.user_id == ada
    for user_id, session_id in [(bob, grant.session_id), (ada, "no-such-session")]:
        with pytest.raises(SessionRevoked):
            sessions.principal_for_session(
                user_id, session_id, uow=w.uow, revocations=w.revocations, clock=w.clock
            )


def test_an_ended_session_identifies_no_one(w):
    ada = w.register()
    grant = w.login()
    w.clock.advance(days=31)  # past the session's refresh lifetime
    with pytest.raises(SessionRevoked):
        sessions.principal_for_session(
            ada, grant.session_id, uow=w.uow, revocations=w.revocations, clock=w.clock
        )
