"""Every identity endpoint, called by every kind of caller: the expected status of each
cell. Anonymous -> 401; outside the organization -> 404; inside without the sub-role or
without the platform permission -> 403."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from app.domain.auth import api_keys as api_key_service
from app.domain.auth import organizations as org_service
from app.domain.auth.admin import ensure_user
from app.domain.auth.permissions import OrgRole, Role
from tests.integration.identity import PASSWORD, login, signed_in

PLATFORM_USERS = ["retail", "enterprise", "issuer", "reviewer", "governance"]
ORG_ROLES = ["org_admin", "org_finance", "org_auditor", "org_viewer"]
CALLERS = [
    "anonymous",
    *PLATFORM_USERS,
    "admin",
    *ORG_ROLES,
    "other_org",
    "key_audit",
    "key_members",
]
ROLE_OF = {
    "retail": Role.RETAIL,
    "enterprise": Role.ENTERPRISE,
    "issuer": Role.ISSUER,
    "reviewer": Role.POAI_REVIEWER,
    "governance": Role.GOVERNANCE_MEMBER,
    "admin": Role.PLATFORM_ADMIN,
}
counter = itertools.count()


@dataclass
class World:
    app: Any
    client: Any
    org_id: str = ""
    ids: dict[str, str] = field(default_factory=dict)
    headers: dict[str, dict[str, str]] = field(default_factory=dict)

    def uow(self):
        return self.app.extensions["platform"].uow()

    def user(self, email: str, role: Role = Role.ENTERPRISE) -> str:
        platform = self.app.extensions["platform"]
        view, _ = ensure_user(
            email,
            PASSWORD,
            roles={role},
            display_name=email.split("@", maxsplit=1)[0],
            uow=platform.uow(),
            hasher=platform.hasher,
            clock=platform.clock,
        )
        return view.id


@pytest.fixture
def world(make_app):
    app = make_app()
    client = app.test_client()
    w = World(app, client)
    platform = app.extensions["platform"]
    for name, role in ROLE_OF.items():
        caller = signed_in(app, client, f"{name}@matrix.test", roles=(role.value,))
        w.ids[name], w.headers[name] = caller.user_id, caller.headers
    for name in [*ORG_ROLES, "other_org"]:
        w.ids[name] = w.user(f"{name}@matrix.test")
        w.headers[name] = {
            "Authorization": f"Bearer {login(client, f'{name}@matrix.test')['access_token']}"
        }
    w.org_id = "matrix-org"
    members = {w.ids[r]: OrgRole(r.removeprefix("org_")) for r in ORG_ROLES}
    org_service.ensure_organization(
        w.org_id, "Matrix Org", members, uow=w.uow(), clock=platform.clock
    )
    org_service.ensure_organization(
        "other-org",
        "Other Org",
        {w.ids["other_org"]: OrgRole.ADMIN},
        uow=w.uow(),
        clock=platform.clock,
    )
    admin_principal = _principal(w, "org_admin")
    for name, scopes in [
        ("key_audit", ["audit:read"]),
        ("key_members", ["members:read", "organizations:read"]),
    ]:
        created = api_key_service.create_api_key(
            admin_principal, w.org_id, name=name, scopes=scopes, uow=w.uow(), clock=platform.clock
        )
        w.headers[name] = {"X-API-Key": created.key}
    w.headers["anonymous"] = {}
    w.ids["spare"] = w.user("spare@matrix.test", Role.RETAIL)
    return w


def _principal(w: World, name: str):
    from app.domain.auth.sessions import principal_of

    with w.uow() as uow:
        user = uow.users.get(w.ids[name])
        memberships = uow.organizations.memberships_of(user.id)
    return principal_of(user, memberships, None)


def _new_member(w: World) -> str:
    user_id = w.user(f"member{next(counter)}@matrix.test")
    org_service.change_member  # noqa: B018 (documents the path under test)
    org_service.add_member(
        _principal(w, "org_admin"),
        w.org_id,
        email=_email_of(w, user_id),
        role=OrgRole.VIEWER,
        uow=w.uow(),
        clock=w.app.extensions["platform"].clock,
    )
    return user_id


def _email_of(w: World, user_id: str) -> str:
    with w.uow() as uow:
        return uow.users.get(user_id).email


def _new_key(w: World) -> str:
    created = api_key_service.create_api_key(
        _principal(w, "org_admin"),
        w.org_id,
        name="tmp",
        scopes=["members:read"],
        uow=w.uow(),
        clock=w.app.extensions["platform"].clock,
    )
    return created.view.id


def expect(default: int, **cells: int) -> dict[str, int]:
    table = dict.fromkeys(CALLERS, default)
    table["anonymous"] = 401
    for group, status in cells.items():
        names = {
            "platform_users": PLATFORM_USERS,
            "org_roles": ORG_ROLES,
            "keys": ["key_audit", "key_members"],
            "sub_roles": ORG_ROLES[1:],
        }.get(group, [group])
        for name in names:
            table[name] = status
    return table


@dataclass
class Endpoint:
    method: str
    path: Callable[[World], str]
    expected: dict[str, int]
    body: Callable[[World, str], Any] | None = None


ORG = lambda w: f"/api/v1/organizations/{w.org_id}"  # noqa: E731
ENDPOINTS: dict[str, Endpoint] = {
    "GET /me": Endpoint("GET", lambda w: "/api/v1/me", expect(200, keys=403)),
    "PATCH /me": Endpoint(
        "PATCH",
        lambda w: "/api/v1/me",
        expect(200, keys=403),
        lambda w, c: {"display_name": f"{c} renamed"},
    ),
    "GET /me/sessions": Endpoint("GET", lambda w: "/api/v1/me/sessions", expect(200, keys=403)),
    "DELETE /me/sessions/{other's}": Endpoint(
        "DELETE", lambda w: "/api/v1/me/sessions/not-yours", expect(404, keys=403)
    ),
    "POST /me/wallets": Endpoint(
        "POST",
        lambda w: "/api/v1/me/wallets",
        expect(401, keys=403),
        lambda w, c: {"message": "not a SIWE message", "signature": "0x00"},
    ),
    "GET /organizations/{id}": Endpoint(
        "GET", ORG, expect(404, admin=200, org_roles=200, key_audit=403, key_members=200)
    ),
    "GET members": Endpoint(
        "GET",
        lambda w: f"{ORG(w)}/members",
        expect(404, admin=200, org_roles=200, key_audit=403, key_members=200),
    ),
    "POST members": Endpoint(
        "POST",
        lambda w: f"{ORG(w)}/members",
        expect(404, admin=201, org_admin=201, sub_roles=403, keys=403),
        lambda w, c: {"email": f"invite-{c}-{next(counter)}@matrix.test", "role": "viewer"},
    ),
    "PATCH members/{id}": Endpoint(
        "PATCH",
        lambda w: f"{ORG(w)}/members/{w.ids['org_viewer']}",
        expect(404, admin=200, org_admin=200, sub_roles=403, keys=403),
        lambda w, c: {"role": "viewer"},
    ),
    "DELETE members/{id}": Endpoint(
        "DELETE",
        lambda w: f"{ORG(w)}/members/{_new_member(w)}",
        expect(404, admin=204, org_admin=204, sub_roles=403, keys=403),
    ),
    "GET api-keys": Endpoint(
        "GET",
        lambda w: f"{ORG(w)}/api-keys",
        expect(404, admin=200, org_admin=200, sub_roles=403, keys=403),
    ),
    "POST api-keys": Endpoint(
        "POST",
        lambda w: f"{ORG(w)}/api-keys",
        expect(404, admin=201, org_admin=201, sub_roles=403, keys=403),
        lambda w, c: {"name": f"key of {c}", "scopes": ["members:read"]},
    ),
    "DELETE api-keys/{id}": Endpoint(
        "DELETE",
        lambda w: f"{ORG(w)}/api-keys/{_new_key(w)}",
        expect(404, admin=204, org_admin=204, sub_roles=403, keys=403),
    ),
    "PUT admin role": Endpoint(
        "PUT",
        lambda w: f"/api/v1/admin/users/{w.ids['spare']}/roles/issuer",
        expect(403, admin=200),
    ),
    "DELETE admin role": Endpoint(
        "DELETE",
        lambda w: f"/api/v1/admin/users/{w.ids['spare']}/roles/issuer",
        expect(403, admin=200),
    ),
    "GET audit-logs": Endpoint(
        "GET",
        lambda w: "/api/v1/audit-logs",
        expect(403, admin=200, org_admin=200, org_auditor=200, other_org=200, key_audit=200),
    ),
    "GET audit-logs of the org": Endpoint(
        "GET",
        lambda w: f"/api/v1/audit-logs?organization_id={w.org_id}",
        expect(
            404,
            admin=200,
            org_admin=200,
            org_auditor=200,
            org_finance=403,
            org_viewer=403,
            key_audit=200,
            key_members=403,
        ),
    ),
    "GET audit-logs/verify": Endpoint(
        "GET", lambda w: "/api/v1/audit-logs/verify", expect(403, admin=200)
    ),
    # Last: creating organizations makes their creators admins somewhere.
    "POST /organizations": Endpoint(
        "POST",
        lambda w: "/api/v1/organizations",
        expect(201, retail=403, reviewer=403, governance=403, keys=403),
        lambda w, c: {"name": f"Org of {c}"},
    ),
}


def test_every_endpoint_for_every_caller(world: World) -> None:
    wrong = {}
    for name, spec in ENDPOINTS.items():
        for caller in CALLERS:
            body = spec.body(world, caller) if spec.body else None
            response = world.client.open(
                spec.path(world), method=spec.method, headers=world.headers[caller], json=body
            )
            if response.status_code != spec.expected[caller]:
                wrong[(name, caller)] = (response.status_code, spec.expected[caller])
            if response.status_code >= 400:
                assert response.mimetype == "application/problem+json", (name, caller)
    cells = len(ENDPOINTS) * len(CALLERS)
    assert not wrong, f"{len(wrong)} of {cells} cells differ: {wrong}"


def test_logout_needs_a_session(world: World) -> None:
    assert world.client.post("/api/v1/auth/logout").status_code == 401
    assert (
        world.client.post("/api/v1/auth/logout", headers=world.headers["key_audit"]).status_code
        == 403
    )
