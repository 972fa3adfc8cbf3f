"""Organizations, their members and their API keys; platform role management."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from app.domain.auth import admin, api_keys, organizations
from app.domain.auth.permissions import OrgRole, Role
from app.domain.auth.results import (
    ApiKeyView,
    MemberView,
    OrganizationView,
    UserView,
)
from app.domain.shared.errors import NotFound
from app.http.auth import schemas as s
from app.http.auth.blueprint import blp
from app.http.common.auth import current_principal, requires
from app.http.common.deps import platform, uow
from app.http.common.pagination import Page, paginated


@blp.route("/organizations", methods=["POST"])
@requires("organizations:create")
@blp.arguments(s.OrganizationCreateSchema)
@blp.response(201, s.OrganizationSchema)
def create_organization(body: dict[str, Any]) -> OrganizationView:
    """Create an organization; you become its admin."""
    return organizations.create_organization(
        current_principal(), name=body["name"], uow=uow(), clock=platform().clock
    )


@blp.route("/organizations/<org_id>", methods=["GET"])
@requires("organizations:read")
@blp.response(200, s.OrganizationSchema)
def get_organization(org_id: str) -> OrganizationView:
    """An organization you belong to."""
    return organizations.get_organization(current_principal(), org_id, uow=uow())


@blp.route("/organizations/<org_id>/members", methods=["GET"])
@requires("members:read")
@blp.response(200, s.MemberSchema(many=True))
@paginated(blp)
def list_members(org_id: str, page: Page) -> tuple[Sequence[MemberView], int]:
    """Members and pending invitations."""
    return page.of(organizations.list_members(current_principal(), org_id, uow=uow()))


@blp.route("/organizations/<org_id>/members", methods=["POST"])
@requires("members:manage")
@blp.arguments(s.MemberAddSchema)
@blp.response(201, s.MemberSchema)
def add_member(body: dict[str, Any], org_id: str) -> MemberView:
    """Add a member by email; an address without a verified account gets an invitation."""
    return organizations.add_member(
        current_principal(),
        org_id,
        email=body["email"],
        role=OrgRole(body["role"]),
        uow=uow(),
        clock=platform().clock,
    )


@blp.route("/organizations/<org_id>/members/<user_id>", methods=["PATCH"])
@requires("members:manage")
@blp.arguments(s.MemberChangeSchema)
@blp.response(200, s.MemberSchema)
def change_member(body: dict[str, Any], org_id: str, user_id: str) -> MemberView:
    """Change a member's sub-role (the last admin stays an admin)."""
    return organizations.change_member(
        current_principal(), org_id, user_id, role=OrgRole(body["role"]), uow=uow()
    )


@blp.route("/organizations/<org_id>/members/<user_id>", methods=["DELETE"])
@requires("organizations:read")
@blp.response(204)
def remove_member(org_id: str, user_id: str) -> None:
    """Remove a member (admins), or leave (yourself). The last admin cannot go."""
    organizations.remove_member(current_principal(), org_id, user_id, uow=uow())


@blp.route("/organizations/<org_id>/api-keys", methods=["GET"])
@requires("api_keys:read")
@blp.response(200, s.ApiKeySchema(many=True))
@paginated(blp)
def list_api_keys(org_id: str, page: Page) -> tuple[Sequence[ApiKeyView], int]:
    """The organization's API keys (never the keys themselves)."""
    return page.of(api_keys.list_api_keys(current_principal(), org_id, uow=uow()))


@blp.route("/organizations/<org_id>/api-keys", methods=["POST"])
@requires("api_keys:manage")
@blp.arguments(s.ApiKeyCreateSchema)
@blp.response(201, s.ApiKeyCreatedSchema)
def create_api_key(body: dict[str, Any], org_id: str) -> dict[str, Any]:
    """Create a scoped API key; the response is the only time the key is shown."""
    created = api_keys.create_api_key(
        current_principal(),
        org_id,
        name=body["name"],
        scopes=body["scopes"],
        uow=uow(),
        clock=platform().clock,
    )
    return {**created.view.__dict__, "key": created.key}


@blp.route("/organizations/<org_id>/api-keys/<key_id>", methods=["DELETE"])
@requires("api_keys:manage")
@blp.response(204)
def revoke_api_key(org_id: str, key_id: str) -> None:
    """Revoke an API key; it stops working at once."""
    api_keys.revoke_api_key(current_principal(), org_id, key_id, uow=uow(), clock=platform().clock)


def _role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise NotFound(f"no role named {role!r}") from None


@blp.route("/admin/users/<user_id>/roles/<role>", methods=["PUT"])
@requires("roles:manage")
@blp.response(200, s.UserSchema)
def grant_role(user_id: str, role: str) -> UserView:
    """Grant a platform role (platform admins)."""
    return admin.set_role(current_principal(), user_id, _role(role), granted=True, uow=uow())


@blp.route("/admin/users/<user_id>/roles/<role>", methods=["DELETE"])
@requires("roles:manage")
@blp.response(200, s.UserSchema)
def revoke_role(user_id: str, role: str) -> UserView:
    """Revoke a platform role (platform admins); it takes effect on the next request."""
    return admin.set_role(current_principal(), user_id, _role(role), granted=False, uow=uow())
