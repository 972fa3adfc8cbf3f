"""Use cases of the caller's own profile."""

from __future__ import annotations

from app.domain.auth.model import DISPLAY_NAME, User
from app.domain.auth.principal import Principal
from app.domain.auth.results import UserView
from app.domain.shared.audit import AuditRecord
from app.domain.shared.errors import NotFound
from app.ports.repositories.auth import AuthUoW

# Hashed once so that a login for an unknown email costs as much as a real one.
_DUMMY_HASH: dict[str, str] = {}


def get_profile(principal: Principal, *, uow: AuthUoW) -> UserView:
    with uow:
        return UserView.of(_user_of(principal, uow))


def update_profile(principal: Principal, *, display_name: str, uow: AuthUoW) -> UserView:
    display_name = DISPLAY_NAME.clean(display_name, field="display_name")
    with uow:
        user = _user_of(principal, uow, lock=True)
        before = user.display_name
        user.display_name = display_name
        uow.users.save(user)
        uow.audit(
            AuditRecord(
                "user.profile_updated",
                "user",
                user.id,
                user.id,
                before={"display_name": before},
                after={"display_name": user.display_name},
            )
        )
        uow.commit()
        return UserView.of(user)


def _user_of(principal: Principal, uow: AuthUoW, *, lock: bool = False) -> User:
    if principal.user_id is None:
        raise NotFound("API keys have no profile")
    get = uow.users.get_for_update if lock else uow.users.get
    user = get(principal.user_id)
    if user is None:
        raise NotFound("user not found")
    return user
