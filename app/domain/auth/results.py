"""What the auth services return: plain values, never entities with secrets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from app.domain.auth.model import ApiKey, Session, SessionMethod, User

# A member who joined, or an email address invited (it joins once verified).
MemberStatus = Literal["active", "invited"]


@dataclass(frozen=True)
class UserView:
    id: str
    email: str | None
    display_name: str
    roles: list[str]
    email_verified: bool
    wallets: list[str]
    created_at: datetime
    timezone: str | None = None

    @classmethod
    def of(cls, user: User) -> UserView:
        return cls(
            id=user.id,
            email=user.email,
            display_name=user.display_name,
            roles=sorted(r.value for r in user.roles),
            email_verified=user.email_verified,
            wallets=list(user.wallets),
            created_at=user.created_at,
            timezone=user.timezone,
        )


@dataclass(frozen=True)
class SessionGrant:
    """What the HTTP layer turns into an access and a refresh token."""

    user_id: str
    session_id: str
    refresh_jti: str
    expires_at: datetime


@dataclass(frozen=True)
class SessionView:
    id: str
    created_at: datetime
    last_used_at: datetime
    expires_at: datetime
    method: SessionMethod
    user_agent: str | None
    ip: str | None
    current: bool

    @classmethod
    def of(cls, session: Session, current_id: str | None) -> SessionView:
        return cls(
            id=session.id,
            created_at=session.created_at,
            last_used_at=session.last_used_at,
            expires_at=session.expires_at,
            method=session.method,
            user_agent=session.user_agent,
            ip=session.ip,
            current=session.id == current_id,
        )


@dataclass(frozen=True)
class MemberView:
    user_id: str | None
    email: str | None
    display_name: str | None
    role: str
    status: MemberStatus


@dataclass(frozen=True)
class OrganizationView:
    id: str
    name: str
    created_at: datetime
    role: str | None  # the caller's sub-role


@dataclass(frozen=True)
class ApiKeyView:
    id: str
    organization_id: str
    name: str
    prefix: str
    scopes: list[str]
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def of(cls, key: ApiKey) -> ApiKeyView:
        return cls(
            id=key.id,
            organization_id=key.organization_id,
            name=key.name,
            prefix=key.prefix,
            scopes=sorted(key.scopes),
            created_at=key.created_at,
            last_used_at=key.last_used_at,
            revoked_at=key.revoked_at,
        )


@dataclass(frozen=True)
class ApiKeyCreated:
    key: str  # shown once
    view: ApiKeyView
