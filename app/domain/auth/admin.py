"""Platform administration: roles, and the first admin from the environment."""

from __future__ import annotations

from app.domain.auth.model import DISPLAY_NAME, User, check_password_policy, normalize_email
from app.domain.auth.permissions import Role
from app.domain.auth.principal import Principal
from app.domain.auth.results import UserView
from app.domain.shared.audit import AuditRecord
from app.domain.shared.errors import Conflict, NotFound, PermissionDenied
from app.domain.shared.ids import new_id
from app.ports.clock import Clock
from app.ports.passwords import PasswordHasher
from app.ports.repositories.auth import AuthUoW


def set_role(
    principal: Principal, user_id: str, role: Role, *, granted: bool, uow: AuthUoW
) -> UserView:
    if not principal.is_admin:
        raise PermissionDenied("only platform admins manage roles")
    with uow:
        user = uow.users.get_for_update(user_id)
        if user is None:
            raise NotFound("user not found")
        if not granted and role == Role.PLATFORM_ADMIN and user.id == principal.id:
            raise Conflict("you cannot remove your own admin role", code="self_demotion")
        changed = user.grant(role) if granted else user.revoke(role)
        if changed:
            uow.users.save(user)
            action = "user.role_granted" if granted else "user.role_revoked"
            uow.audit(AuditRecord(action, "user", user.id, principal.id, after={"role": role}))
            uow.commit()
        return UserView.of(user)


def ensure_user(
    email: str,
    password: str,
    *,
    roles: set[Role],
    display_name: str,
    uow: AuthUoW,
    hasher: PasswordHasher,
    clock: Clock,
) -> tuple[UserView, bool]:
    """A verified account with this email holding these roles (created when absent, roles
    added when missing; its password is left alone). Returns it and whether it changed."""
    email = normalize_email(email)
    display_name = DISPLAY_NAME.clean(display_name, field="display_name")
    check_password_policy(password, email=email)
    with uow:
        user = uow.users.by_email(email)
        if user is None:
            user = User(
                new_id(),
                email,
                display_name,
                hasher.hash(password),
                clock.now(),
                email_verified=True,
                roles=set(roles),
            )
            uow.users.add(user)
            uow.audit(
                AuditRecord(
                    "user.bootstrapped",
                    "user",
                    user.id,
                    None,
                    after={"email": email, "roles": sorted(r.value for r in roles)},
                )
            )
        else:
            added = [r for r in sorted(roles) if user.grant(r)]
            if not added:
                return UserView.of(user), False
            uow.users.save(user)
            for role in added:
                uow.audit(
                    AuditRecord("user.role_granted", "user", user.id, None, after={"role": role})
                )
        uow.commit()
        return UserView.of(user), True


def ensure_admin(
    email: str, password: str, *, uow: AuthUoW, hasher: PasswordHasher, clock: Clock
) -> tuple[UserView, bool]:
    """The first platform admin, from `BOOTSTRAP_ADMIN_EMAIL` / `BOOTSTRAP_ADMIN_PASSWORD`."""
    return ensure_user(
        email,
        password,
        roles={Role.PLATFORM_ADMIN},
        display_name="Platform admin",
        uow=uow,
        hasher=hasher,
        clock=clock,
    )
