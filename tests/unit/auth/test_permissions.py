from app.domain.auth.permissions import (
    ALL_PERMISSIONS,
    API_KEY_SCOPES,
    ORG_ROLE_PERMISSIONS,
    ROLE_PERMISSIONS,
    SIGNED_IN,
    OrgRole,
    Role,
)
from app.domain.auth.principal import Principal


def test_permissions_are_named_resource_action():
    for permission in ALL_PERMISSIONS:
        resource, _, action = permission.partition(":")
        assert resource
        assert action
        assert permission == permission.lower()


def test_every_role_and_sub_role_has_an_entry():
    assert set(ROLE_PERMISSIONS) == set(Role)
    assert set(ORG_ROLE_PERMISSIONS) == set(OrgRole)


def test_only_platform_admins_manage_roles_and_verify_the_audit_log():
    for role, permissions in ROLE_PERMISSIONS.items():
        assert ("roles:manage" in permissions) == (role is Role.PLATFORM_ADMIN)
        assert ("audit:verify" in permissions) == (role is Role.PLATFORM_ADMIN)


def test_sub_roles_are_ordered_by_power():
    admin, finance, auditor, viewer = (ORG_ROLE_PERMISSIONS[r] for r in OrgRole)
    assert viewer <= finance <= admin
    assert viewer <= auditor <= admin
    assert "members:manage" in admin - auditor


def test_api_key_scopes_never_exceed_what_an_org_admin_holds():
    assert ORG_ROLE_PERMISSIONS[OrgRole.ADMIN] >= API_KEY_SCOPES


def test_a_principal_holds_org_permissions_only_inside_its_organizations():
    user = Principal("u1", "user", frozenset({Role.RETAIL}), {"o1": OrgRole.AUDITOR})
    assert user.platform_permissions() == SIGNED_IN
    assert user.can("audit:read")
    assert user.can_in_org("audit:read", "o1")
    assert not user.can_in_org("audit:read", "o2")
    assert not user.sees_org("o2")


def test_an_api_key_holds_only_its_scopes_in_its_organization():
    key = Principal("k1", "api_key", scopes=frozenset({"members:read"}), api_key_org="o1")
    assert key.platform_permissions() == frozenset()
    assert key.can_in_org("members:read", "o1")
    assert not key.can_in_org("members:read", "o2")
    assert not key.can("profile:read")
